"""What the three AWS providers share: a lazily built client, the worker thread, error mapping,
cancellation, and keeping the text that arrived before a stream broke."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from playground.cancel import CancelToken
from playground.connections import Connection
from playground.events import Event
from playground.providers.aws import worker
from playground.providers.aws.aws_errors import ErrorContext, failure_from_error
from playground.providers.aws.clients import ClientSettings, get_client
from playground.providers.aws.retries import RetryWatch
from playground.request import RunRequest


class Reader:
    """Turns one AWS response into events. `read` ends with Usage then Finish on success; `flush`
    returns text still held back (e.g. half a `<reasoning>` tag) when the stream breaks."""

    def read(self, response: dict) -> Iterator[Event]:
        raise NotImplementedError

    def flush(self) -> list[Event]:
        return []


class AwsProvider:
    service = ""  # botocore service name of the runtime this provider calls

    def __init__(self, connection: Connection, settings: ClientSettings | None = None, client=None) -> None:
        self.connection = connection
        self.settings = settings or ClientSettings()
        self._client = client  # tests may pass a Stubber-wrapped client
        self._lock = threading.Lock()

    @property
    def client(self):
        """Looked up on first use, on the worker thread, so slow credential lookups never block the
        page; botocore clients are thread-safe, so side-by-side runs share one."""
        with self._lock:
            if self._client is None:
                self._client = get_client(self.connection, self.service, self.settings)
            return self._client

    def list_models(self) -> list[str]:
        from playground.providers.aws.discovery import list_models

        return list_models(self.connection)

    # -- per provider -----------------------------------------------------------------------------
    def call(self, request: RunRequest) -> dict:
        """Make the boto3 call; returns its response dict."""
        raise NotImplementedError

    def reader(self, request: RunRequest) -> Reader:
        raise NotImplementedError

    def target(self, request: RunRequest) -> str:
        """What the call names: a model id, or a SageMaker endpoint."""
        return request.model

    # -- the run ----------------------------------------------------------------------------------
    def stream(self, request: RunRequest, cancel: CancelToken | None = None) -> Iterator[Event]:
        return worker.pump(lambda token, watch: self._run(request, token, watch), cancel)

    def _run(self, request: RunRequest, token: CancelToken, watch: RetryWatch) -> Iterator[Event]:
        ctx = ErrorContext(self.connection, self.service, self.target(request))
        ctx.read_timeout_s = self.settings.read_timeout_s
        try:
            response = self.call(request)
        except Exception as exc:  # every host, transport and configuration fault becomes a Failure
            ctx.retries = watch.retries
            ctx.endpoint_url = self._endpoint_url()
            yield failure_from_error(exc, ctx)
            return
        body = _body_of(response)
        closer = _closer(body)
        token.on_cancel(closer)
        reader = self.reader(request)
        try:
            yield from reader.read(response)
        except Exception as exc:
            if token.cancelled:  # the user stopped it: closing the stream is what raised
                return
            yield from reader.flush()  # keep what arrived before the break
            yield failure_from_error(exc, ctx, mid_stream=True)
        finally:
            closer()

    def _endpoint_url(self) -> str | None:
        """Where the client really went (an AWS_ENDPOINT_URL_* variable included), for messages."""
        meta = getattr(self._client, "meta", None)
        return getattr(meta, "endpoint_url", None) or self.connection.endpoint_url


def _body_of(response: dict):
    for key in ("stream", "body", "Body"):
        if key in response:
            return response[key]
    return None


def _closer(body):
    """Close an EventStream / StreamingBody so a read blocked on it in the worker wakes up.

    Closing alone does not interrupt a recv() in progress (and waits for the reader's buffer
    lock), so the socket is shut down first: urllib3's `HTTPResponse.shutdown()` exists for this.
    The close itself runs on a helper thread so that `cancel()`, called from the page, never
    waits on the worker."""

    def close() -> None:
        raw = getattr(body, "_raw_stream", None)  # EventStream and StreamingBody both wrap urllib3's
        # Fails when not streaming, already released to the pool, or on an older urllib3: then
        # the close below (and at worst the read timeout) ends the read.
        with contextlib.suppress(Exception):
            raw.shutdown()
        if body is not None:
            threading.Thread(target=_close_quietly, args=(body,), name="aws-close", daemon=True).start()

    return close


def _close_quietly(body) -> None:
    with contextlib.suppress(Exception):  # closing a broken stream may raise; it is closed either way
        body.close()
