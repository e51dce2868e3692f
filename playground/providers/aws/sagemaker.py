"""SageMaker endpoints (JumpStart gpt-oss) through InvokeEndpoint[WithResponseStream].

The body is a Chat Completions payload; streamed, the container's SSE output arrives in
PayloadPart blobs cut at arbitrary byte offsets, so lines are reassembled from bytes before
decoding (a multibyte character or a `data:` line may straddle two parts). The endpoint is the
request's model (the picker lists endpoints), else the connection's endpoint_name.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from playground.events import Event
from playground.providers.aws.aws_errors import HostStreamError
from playground.providers.aws.base import AwsProvider, Reader
from playground.providers.aws.clients import ConfigError
from playground.providers.aws.completions import ChunkReader, chat_body, whole_body, whole_events
from playground.request import RunRequest


class LineBuffer:
    """Bytes in, complete text lines out. Splitting on b"\\n" before decoding is safe: that byte
    never occurs inside a multibyte UTF-8 sequence."""

    def __init__(self) -> None:
        self._buf = b""

    def feed(self, data: bytes) -> list[str]:
        self._buf += data
        *lines, self._buf = self._buf.split(b"\n")
        return [line.decode("utf-8", "replace").rstrip("\r") for line in lines]

    def flush(self) -> list[str]:
        rest, self._buf = self._buf, b""
        return [rest.decode("utf-8", "replace").rstrip("\r")] if rest.strip() else []


class SseReader(Reader):
    def __init__(self) -> None:
        self.lines = LineBuffer()
        self.chunks = ChunkReader()
        self.done = False

    def _line(self, line: str) -> list[Event]:
        if not line or line.startswith(":") or line.startswith(("event:", "id:", "retry:")):
            return []  # blank separators, comments / pings, SSE fields we do not use
        data = line[5:].strip() if line.startswith("data:") else line.strip()
        if data == "[DONE]":
            self.done = True
            return []
        try:
            obj = json.loads(data)
        except ValueError as exc:
            raise HostStreamError(f"a line that is not JSON: {data[:120]}") from exc
        return self.chunks.feed(obj)

    def read(self, response: dict) -> Iterator[Event]:
        for item in response["Body"]:
            part = item.get("PayloadPart")
            if part:
                for line in self.lines.feed(part.get("Bytes") or b""):
                    yield from self._line(line)
        for line in self.lines.flush():
            yield from self._line(line)
        yield from self.chunks.end(done=self.done)

    def flush(self) -> list[Event]:
        return self.chunks.flush()


class WholeReader(Reader):
    def read(self, response: dict) -> Iterator[Event]:
        obj = whole_body(response["Body"].read())
        if isinstance(obj, list) and len(obj) == 1:  # some containers wrap the answer in a list
            obj = obj[0]
        yield from whole_events(obj)


class SageMakerProvider(AwsProvider):
    service = "sagemaker-runtime"

    def target(self, request: RunRequest) -> str:
        return request.model or self.connection.endpoint_name or ""

    def call(self, request: RunRequest) -> dict:
        endpoint = self.target(request)
        if not endpoint:
            raise ConfigError("No SageMaker endpoint: name one on the connection or pick one.")
        stream = request.params.stream
        body = json.dumps(chat_body(request, stream=stream)).encode()
        kwargs = {"EndpointName": endpoint, "Body": body, "ContentType": "application/json"}
        if stream:  # no Accept: containers choose SSE from the body's "stream": true
            return self.client.invoke_endpoint_with_response_stream(**kwargs)
        return self.client.invoke_endpoint(**kwargs, Accept="application/json")

    def reader(self, request: RunRequest) -> Reader:
        return SseReader() if request.params.stream else WholeReader()
