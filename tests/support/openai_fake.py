"""A loopback OpenAI-compatible server that speaks real HTTP and real SSE.

Tests queue `Reply` scripts; each POST /chat/completions takes the next one (or the default).
Every dialect hosts use for gpt-oss reasoning and every transport fault in
shared/reference/faults-and-security.md can be scripted. Requests are recorded for assertions.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.support.waiting import wait_until

DIALECTS = ("bedrock", "tags", "reasoning", "reasoning_content", "thinking", "harmony", "plain")
FAULTS = ("close", "bad_json", "error_event", "stall", "ping", "crlf", "split_utf8")


@dataclass
class Reply:
    reasoning: str = "The user greets me. I should greet back."
    answer: str = "Hello! How can I help?"
    dialect: str = "reasoning"
    pieces: int = 0  # split each text into this many deltas; 0 = one delta per word
    delay_s: float = 0.0  # between deltas
    first_byte_delay_s: float = 0.0
    finish_reason: str | None = "stop"
    usage: dict | None = field(
        default_factory=lambda: {"prompt_tokens": 12, "completion_tokens": 20, "total_tokens": 32}
    )
    done: bool = True  # send `data: [DONE]`
    status: int = 200
    body: str | None = None  # raw body for error replies or HTML
    content_type: str | None = None
    headers: dict = field(default_factory=dict)
    fault: str | None = None  # close | bad_json | error_event | stall | ping | crlf | split_utf8
    fault_after: int = 2  # deltas sent before the fault (role delta not counted); past the end: after finish
    stall_s: float = 5.0
    tool_calls: list = field(default_factory=list)  # [{"id","name","arguments"}]
    redirect_to: str | None = None
    tool_call_pieces: int = 1  # stream each tool call's arguments in this many deltas


def _split(text: str, pieces: int) -> list[str]:
    if not text:
        return []
    if pieces <= 0:
        words = text.split(" ")
        return [w + (" " if i < len(words) - 1 else "") for i, w in enumerate(words)]
    size = max(1, -(-len(text) // pieces))
    return [text[i : i + size] for i in range(0, len(text), size)]


def reasoning_deltas(reply: Reply) -> list[dict]:
    """Delta dicts carrying the reasoning, in the reply's dialect."""
    parts = _split(reply.reasoning, reply.pieces)
    d = reply.dialect
    if d == "bedrock":
        return [{"content": f"<reasoning>{p}</reasoning>"} for p in parts]
    if d == "tags":
        whole = f"<reasoning>{reply.reasoning}</reasoning>" if reply.reasoning else ""
        return [{"content": p} for p in _split(whole, reply.pieces or max(1, len(parts)))]
    if d == "harmony":
        whole = f"<|channel|>analysis<|message|>{reply.reasoning}<|end|>" if reply.reasoning else ""
        whole += "<|start|>assistant<|channel|>final<|message|>"
        return [{"content": p} for p in _split(whole, reply.pieces or max(1, len(parts)))]
    if d == "plain":
        return []
    return [{d: p} for p in parts]


def answer_deltas(reply: Reply) -> list[dict]:
    deltas = [{"content": p} for p in _split(reply.answer, reply.pieces)]
    if reply.dialect == "harmony":
        deltas.append({"content": "<|return|>"})
    return deltas


def whole_message(reply: Reply) -> dict:
    d = reply.dialect
    if d in ("bedrock", "tags"):
        content = (f"<reasoning>{reply.reasoning}</reasoning>\n\n" if reply.reasoning else "") + reply.answer
        return {"role": "assistant", "content": content}
    if d == "harmony":
        content = f"<|channel|>analysis<|message|>{reply.reasoning}<|end|><|start|>assistant<|channel|>final<|message|>{reply.answer}<|return|>"
        return {"role": "assistant", "content": content}
    message = {"role": "assistant", "content": reply.answer}
    if d != "plain" and reply.reasoning:
        message[d] = reply.reasoning
    return message


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        """A client that hangs up (Stop, a closed keep-alive socket) is normal here, not news."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FakeOpenAIServer:
    def __init__(self, models: list[str] | None = None, models_status: int = 200) -> None:
        self.replies: deque[Reply] = deque()
        # Replies chosen by the request's reasoning_effort (never used up): lets one host stream
        # an effort sweep's panes at different speeds whatever order they arrive in.
        self.by_effort: dict[str, Reply] = {}
        # Like a real server: when set, paths outside this prefix (e.g. "/v1") get a 404 HTML page.
        self.require_prefix: str | None = None
        # When True, a chat request for a model not in `models` gets OpenAI's 404 model_not_found.
        self.strict_models = False
        self.default = Reply()
        self.requests: list[dict] = []
        self.models = models if models is not None else ["openai.gpt-oss-20b-1:0", "openai.gpt-oss-120b-1:0"]
        self.models_status = models_status
        self.open_streams = 0
        self._lock = threading.Lock()
        self._httpd = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        # A short poll interval: shutdown() waits for it, once per test.
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return self.root + "/v1"

    def queue(self, *replies: Reply) -> FakeOpenAIServer:
        self.replies.extend(replies)
        return self

    def streams_closed(self, timeout_s: float = 5.0) -> bool:
        """True once no stream is open. The handler thread counts a stream closed just after
        its last write, which can be a moment after the client has read everything."""
        return wait_until(lambda: self.open_streams == 0, timeout_s, poll_s=0.005)

    def next_reply(self) -> Reply:
        with self._lock:
            return self.replies.popleft() if self.replies else self.default

    def start(self) -> FakeOpenAIServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _chunk(data: dict | str) -> str:
    return data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)


def stream_deltas(reply: Reply) -> list[dict]:
    """Every delta of a streamed reply, in order (role first, tool calls last)."""
    deltas = [{"role": "assistant", "content": ""}, *reasoning_deltas(reply), *answer_deltas(reply)]
    for i, call in enumerate(reply.tool_calls):
        args = call["arguments"]
        parts = _split(args, max(1, reply.tool_call_pieces)) or [""]
        first = {
            "index": i,
            "id": call["id"],
            "type": "function",
            "function": {"name": call["name"], "arguments": parts[0]},
        }
        deltas.append({"tool_calls": [first]})
        deltas += [{"tool_calls": [{"index": i, "function": {"arguments": part}}]} for part in parts[1:]]
    return deltas


def _handler_for(server: FakeOpenAIServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # keep test output clean
            pass

        def _outside_prefix(self) -> bool:
            prefix = server.require_prefix
            if prefix and not self.path.startswith(prefix.rstrip("/") + "/"):
                self._send(
                    404, "<html><head><title>404 Not Found</title></head><body>Not Found</body></html>", "text/html"
                )
                return True
            return False

        def do_GET(self) -> None:
            server.requests.append(
                {"method": "GET", "path": self.path, "headers": dict(self.headers), "client": self.client_address}
            )
            if self._outside_prefix():
                return
            if self.path.rstrip("/").endswith("/models") and server.models_status == 200:
                data = {
                    "object": "list",
                    "data": [{"id": m, "object": "model", "owned_by": "fake"} for m in server.models],
                }
                self._send(200, json.dumps(data), "application/json")
            else:
                self._send(
                    server.models_status if server.models_status != 200 else 404,
                    "<html><title>Not Found</title></html>",
                    "text/html",
                )

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                body = {"_raw": raw.decode("utf-8", "replace")}
            server.requests.append(
                {
                    "method": "POST",
                    "path": self.path,
                    "headers": dict(self.headers),
                    "body": body,
                    "client": self.client_address,
                }
            )
            if self._outside_prefix():
                return
            if server.strict_models and body.get("model") not in server.models:
                error = {
                    "message": f"The model `{body.get('model')}` does not exist or you do not have access to it.",
                    "type": "invalid_request_error",
                    "param": None,
                    "code": "model_not_found",
                }
                self._send(404, json.dumps({"error": error}), "application/json")
                return
            reply = server.by_effort.get(body.get("reasoning_effort")) or server.next_reply()
            if reply.redirect_to:
                self.send_response(307)
                self.send_header("Location", reply.redirect_to + self.path)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if reply.first_byte_delay_s:
                time.sleep(reply.first_byte_delay_s)
            if reply.status != 200 or reply.body is not None:
                ctype = reply.content_type or (
                    "application/json" if (reply.body or "").lstrip().startswith("{") else "text/html"
                )
                self._send(reply.status, reply.body or "", ctype, reply.headers)
                return
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._send(404, '{"error": {"message": "no such route"}}', "application/json")
                return
            if body.get("stream"):
                self._stream(reply, body)
            else:
                self._whole(reply, body)

        def _send(self, status: int, text: str, ctype: str, headers: dict | None = None) -> None:
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def _whole(self, reply: Reply, body: dict) -> None:
            message = whole_message(reply)
            if reply.tool_calls:
                message["tool_calls"] = [
                    {"id": c["id"], "type": "function", "function": {"name": c["name"], "arguments": c["arguments"]}}
                    for c in reply.tool_calls
                ]
            data = {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", ""),
                "choices": [{"index": 0, "message": message, "finish_reason": reply.finish_reason}],
                "usage": reply.usage,
            }
            self._send(200, json.dumps(data), "application/json", reply.headers)

        def _stream(self, reply: Reply, body: dict) -> None:
            # Chunked transfer encoding on a keep-alive connection, like uvicorn/vLLM: a connection
            # dropped mid-stream is then a protocol error for the client, not an indistinguishable
            # clean end of body, and a finished stream's connection goes back to the client's pool.
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Transfer-Encoding", "chunked")
            for k, v in reply.headers.items():
                self.send_header(k, v)
            self.end_headers()
            eol = "\r\n" if reply.fault == "crlf" else "\n"
            model = body.get("model", "")
            head = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0, "model": model}
            with server._lock:
                server.open_streams += 1
            deltas = stream_deltas(reply)
            try:
                for n, delta in enumerate(deltas):
                    chunk = {**head, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
                    if reply.fault and n == reply.fault_after + 1:
                        if reply.fault == "split_utf8":
                            self._event_split_utf8(_chunk(chunk), eol)
                            continue
                        if self._fault(reply, eol):
                            self.close_connection = True
                            return
                    self._event(_chunk(chunk), eol)
                    if reply.fault == "ping":
                        self._write(f": ping{eol}{eol}".encode())
                    if reply.delay_s:
                        time.sleep(reply.delay_s)
                if reply.finish_reason:
                    chunk = {**head, "choices": [{"index": 0, "delta": {}, "finish_reason": reply.finish_reason}]}
                    self._event(_chunk(chunk), eol)
                # fault_after beyond the last delta: the fault hits the trailer (usage, [DONE]).
                if reply.fault and reply.fault_after + 1 >= len(deltas) and self._fault(reply, eol):
                    self.close_connection = True
                    return
                if reply.usage and (body.get("stream_options") or {}).get("include_usage"):
                    self._event(_chunk({**head, "choices": [], "usage": reply.usage}), eol)
                if reply.done:
                    self._event("[DONE]", eol)
                self._end()
            except OSError:
                self.close_connection = True  # the client went away (Stop, timeout): fine
            finally:
                with server._lock:
                    server.open_streams -= 1

        def _write(self, data: bytes) -> None:
            """One HTTP chunk, flushed: one write on the socket."""
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

        def _end(self) -> None:
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()

        def _event(self, data: str, eol: str) -> None:
            self._write(f"data: {data}{eol}{eol}".encode())

        def _event_split_utf8(self, data: str, eol: str) -> None:
            """Send one event in two writes, cut inside its first multibyte UTF-8 character."""
            raw = f"data: {data}{eol}{eol}".encode()
            lead = next((i for i, b in enumerate(raw) if b >= 0xC0), len(raw) // 2)
            self._write(raw[: lead + 1])
            time.sleep(0.05)  # let the first half reach the client on its own
            self._write(raw[lead + 1 :])

        def _fault(self, reply: Reply, eol: str) -> bool:
            """Inject the reply's fault; True when the stream must end here."""
            if reply.fault == "close":
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                return True
            if reply.fault == "bad_json":
                self._write(f"data: {{not json{eol}{eol}".encode())
                self._end()
                return True
            if reply.fault == "error_event":
                self._event(
                    json.dumps({"error": {"message": "Model overloaded mid-stream", "type": "server_error"}}), eol
                )
                self._end()
                return True
            if reply.fault == "stall":
                time.sleep(reply.stall_s)
                return True
            return False

    return Handler
