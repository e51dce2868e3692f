"""A loopback stand-in for Bedrock runtime, SageMaker runtime and their control planes.

It speaks the real wire formats so that boto3's own parsers read its answers: AWS event-stream
frames (prelude, CRC32s, string headers) for the streaming calls, rest-json / json error bodies
with `x-amzn-ErrorType`. Tests script replies per route and read back every request it received
(headers included, so they can tell SigV4 from Bearer).

    fake = AwsFake()                      # listens on 127.0.0.1:<free port>
    fake.push("converse-stream", converse_stream_reply(text="hi"))
    ...
    fake.requests[-1].headers["authorization"]
    fake.close()

Routes (the last path segment, or the X-Amz-Target operation for SageMaker's JSON API):
converse-stream, converse, invoke-with-response-stream, invoke, invocations-response-stream,
invocations, foundation-models, ListEndpoints. An unscripted route answers a plain success.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import struct
import threading
import time
import zlib
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

EVENTSTREAM = "application/vnd.amazon.eventstream"
FAKE_ACCESS_KEY = "AKIAFAKEFAKEFAKEFAKE"
FAKE_SECRET_KEY = "fake/secret/key/for/loopback/tests/only00"


# -- event-stream encoding -------------------------------------------------------------------------
def frame(headers: dict[str, str], payload: bytes) -> bytes:
    """One event-stream message: [total u32][headers_len u32][prelude crc][headers][payload][crc]."""
    hb = b""
    for name, value in headers.items():
        v = value.encode()
        hb += bytes([len(name)]) + name.encode() + b"\x07" + struct.pack(">H", len(v)) + v
    prelude = struct.pack(">II", 12 + len(hb) + len(payload) + 4, len(hb))
    message = prelude + struct.pack(">I", zlib.crc32(prelude)) + hb + payload
    return message + struct.pack(">I", zlib.crc32(message))


def event(event_type: str, payload: dict | bytes, content_type: str = "application/json") -> bytes:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {":message-type": "event", ":event-type": event_type, ":content-type": content_type}
    return frame(headers, body)


def exception_event(exception_type: str, message: str, *, key: str = "message", **extra) -> bytes:
    """A modeled error inside the stream (Bedrock's shapes say `message`, SageMaker's `Message`)."""
    headers = {":message-type": "exception", ":exception-type": exception_type, ":content-type": "application/json"}
    return frame(headers, json.dumps({key: message, **extra}).encode())


# -- replies ---------------------------------------------------------------------------------------
@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    frames: list[bytes] | None = None  # event-stream frames, written one by one
    delay_s: float = 0.0  # before the status line (slow first byte, read timeouts)
    frame_delay_s: float = 0.0  # between frames
    stall_after: int | None = None  # after this many frames, stall for `stall_s` (then end)
    stall_s: float = 0.0


def json_reply(obj: object, status: int = 200, headers: dict | None = None, content_type="application/json") -> Reply:
    return Reply(status, {"Content-Type": content_type, **(headers or {})}, json.dumps(obj).encode())


def error_reply(status: int, code: str, message: str, *, key: str = "message", **extra) -> Reply:
    """An AWS rest-json error: the code in `x-amzn-ErrorType` (with the suffix AWS adds)."""
    headers = {"x-amzn-ErrorType": f"{code}:http://internal.amazon.com/coral/com.amazon.bedrock/"}
    return json_reply({key: message, **extra}, status, headers)


def stream_reply(frames: list[bytes], **kwargs) -> Reply:
    return Reply(200, {"Content-Type": EVENTSTREAM}, frames=frames, **kwargs)


def converse_events(
    *,
    reasoning: list[str] = (),
    text: list[str] = (),
    tools: list[dict] = (),
    stop_reason: str | None = "end_turn",
    usage: tuple[int, int] = (11, 22),
    latency_ms: int = 345,
) -> list[bytes]:
    """The frames of a ConverseStream answer; tools are {"id", "name", "input": [json pieces]}."""
    out = [event("messageStart", {"role": "assistant"})]
    index = 0
    for part in reasoning:
        out.append(
            event("contentBlockDelta", {"contentBlockIndex": index, "delta": {"reasoningContent": {"text": part}}})
        )
    if reasoning:
        out.append(event("contentBlockStop", {"contentBlockIndex": index}))
        index += 1
    for part in text:
        out.append(event("contentBlockDelta", {"contentBlockIndex": index, "delta": {"text": part}}))
    if text:
        out.append(event("contentBlockStop", {"contentBlockIndex": index}))
        index += 1
    for tool in tools:
        start = {"toolUse": {"toolUseId": tool["id"], "name": tool["name"]}}
        out.append(event("contentBlockStart", {"contentBlockIndex": index, "start": start}))
        for piece in tool["input"]:
            out.append(event("contentBlockDelta", {"contentBlockIndex": index, "delta": {"toolUse": {"input": piece}}}))
        out.append(event("contentBlockStop", {"contentBlockIndex": index}))
        index += 1
    if stop_reason is not None:
        out.append(event("messageStop", {"stopReason": stop_reason}))
        tokens = {"inputTokens": usage[0], "outputTokens": usage[1], "totalTokens": sum(usage)}
        out.append(event("metadata", {"usage": tokens, "metrics": {"latencyMs": latency_ms}}))
    return out


def converse_stream_reply(**kwargs) -> Reply:
    return stream_reply(converse_events(**kwargs))


def converse_reply(*, reasoning="", text="", tools=(), stop_reason="end_turn", usage=(5, 7), latency_ms=120) -> Reply:
    content: list[dict] = []
    if reasoning:
        content.append({"reasoningContent": {"reasoningText": {"text": reasoning}}})
    if text:
        content.append({"text": text})
    for tool in tools:
        content.append({"toolUse": {"toolUseId": tool["id"], "name": tool["name"], "input": tool["input"]}})
    body = {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop_reason,
        "usage": {"inputTokens": usage[0], "outputTokens": usage[1], "totalTokens": sum(usage)},
        "metrics": {"latencyMs": latency_ms},
    }
    return json_reply(body)


def chunk_event(obj: dict) -> bytes:
    """An InvokeModelWithResponseStream `chunk`: base64 of the chunk JSON inside {"bytes": …}."""
    return event("chunk", {"bytes": base64.b64encode(json.dumps(obj).encode()).decode()})


def completion_chunk(content=None, reasoning=None, finish=None, tool_calls=None, **extra) -> dict:
    delta: dict = {}
    if content is not None:
        delta["content"] = content
    if reasoning is not None:
        delta["reasoning_content"] = reasoning
    if tool_calls is not None:
        delta["tool_calls"] = tool_calls
    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    return {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "choices": [choice], **extra}


def chat_completion(content="", reasoning=None, finish="stop", usage=(9, 4), tool_calls=None) -> dict:
    message: dict = {"role": "assistant", "content": content}
    if reasoning is not None:
        message["reasoning_content"] = reasoning
    if tool_calls:
        message["tool_calls"] = tool_calls
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)},
    }


def payload_parts(data: bytes, cuts: list[int] = ()) -> list[bytes]:
    """SageMaker PayloadPart frames holding `data` sliced at the given byte offsets."""
    bounds = [0, *sorted(c for c in cuts if 0 < c < len(data)), len(data)]
    pieces = [data[a:b] for a, b in itertools.pairwise(bounds) if b > a]
    return [event("PayloadPart", piece, content_type="application/octet-stream") for piece in pieces]


def sse(*chunks: dict, done: bool = True) -> bytes:
    lines = [f"data: {json.dumps(c, ensure_ascii=False)}\n\n" for c in chunks]
    return ("".join(lines) + ("data: [DONE]\n\n" if done else "")).encode()


DEFAULTS = {
    "converse-stream": lambda: converse_stream_reply(text=["ok"]),
    "converse": lambda: converse_reply(text="ok"),
    "invoke-with-response-stream": lambda: stream_reply([chunk_event(completion_chunk("ok", finish="stop"))]),
    "invoke": lambda: json_reply(chat_completion("ok")),
    "invocations-response-stream": lambda: stream_reply(payload_parts(sse(completion_chunk("ok", finish="stop")))),
    "invocations": lambda: json_reply(chat_completion("ok")),
    "foundation-models": lambda: json_reply({"modelSummaries": []}),
    "ListEndpoints": lambda: json_reply({"Endpoints": []}, content_type="application/x-amz-json-1.1"),
}


# -- the server ------------------------------------------------------------------------------------
@dataclass
class Recorded:
    method: str
    path: str  # decoded, without the query
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    route: str
    at: float = field(default_factory=time.perf_counter)  # when it arrived

    def json(self) -> dict:
        return json.loads(self.body)


class AwsFake:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._scripts: dict[str, deque[Reply]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True  # a stalled reply must not block shutdown
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def push(self, route: str, *replies: Reply) -> None:
        """Queue replies for a route; each request takes the next one."""
        assert route in DEFAULTS, route
        with self._lock:
            self._scripts[route].extend(replies)

    def reset(self) -> None:
        """Forget requests and unused scripts (one server can then serve a whole test module)."""
        with self._lock:
            self.requests.clear()
            self._scripts.clear()

    def routed(self, route: str) -> list[Recorded]:
        return [r for r in self.requests if r.route == route]

    def _next(self, route: str) -> Reply:
        with self._lock:
            queue = self._scripts[route]
            return queue.popleft() if queue else DEFAULTS[route]()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _route(method: str, path: str, target: str) -> str | None:
    if target:
        return target.rsplit(".", 1)[-1]
    if method == "GET" and path == "/foundation-models":
        return "foundation-models"
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return last if last in DEFAULTS else None


def _handler_for(fake: AwsFake):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # small frames must not wait for delayed ACKs (40 ms each)

        def log_message(self, *args) -> None:  # keep test output clean
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            url = urlsplit(self.path)
            path = unquote(url.path)
            route = _route(self.command, path, self.headers.get("X-Amz-Target", ""))
            headers = {k.lower(): v for k, v in self.headers.items()}
            with fake._lock:
                fake.requests.append(Recorded(self.command, path, parse_qs(url.query), headers, body, route or ""))
            if route is None:
                reply = error_reply(404, "UnknownOperationException", f"no route for {self.command} {path}")
            else:
                reply = fake._next(route)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (timeouts, cancel)
                self._write(reply)

        def _write(self, reply: Reply) -> None:
            if reply.delay_s:
                time.sleep(reply.delay_s)
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.frames is None:
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
                return
            # A stream: chunked like AWS's own, one frame per chunk, so each frame reaches the
            # client as soon as it is written (a close-delimited body would be read in 1 KiB blocks).
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i, data in enumerate(reply.frames):
                if reply.stall_after is not None and i == reply.stall_after:
                    time.sleep(reply.stall_s)
                    self.close_connection = True  # then hang up without the final chunk
                    return
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                self.wfile.flush()
                if reply.frame_delay_s:
                    time.sleep(reply.frame_delay_s)
            self.wfile.write(b"0\r\n\r\n")

        do_GET = do_POST = _serve

    return Handler


def isolate_aws_env(monkeypatch, *, keys: bool = True) -> None:
    """Make boto3 see only what a test sets: fake keys, no profiles, no IMDS, no endpoint overrides."""
    for name in list(os.environ):
        if name.startswith(("AWS_ENDPOINT_URL", "AWS_BEARER_TOKEN")) or name in (
            "AWS_PROFILE",
            "AWS_DEFAULT_PROFILE",
            "AWS_SESSION_TOKEN",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_REGION",
            "AWS_DEFAULT_REGION",
            "AWS_ROLE_ARN",
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        ):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    if keys:
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", FAKE_ACCESS_KEY)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET_KEY)


# -- test helpers ----------------------------------------------------------------------------------
def fast_retries(monkeypatch) -> None:
    """botocore's standard backoff waits up to 1 s, 2 s, ...; tests count retries, not seconds."""
    from botocore.retries import standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0.01)


def collect(provider, request, cancel=None) -> list:
    return list(provider.stream(request, cancel))


def of_type(events: list, cls) -> list:
    return [e for e in events if isinstance(e, cls)]


def closed_port() -> int:
    """A loopback port nobody listens on (connection refused)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
