"""openai SDK and transport exceptions → typed Failures with a message a user can act on."""

from __future__ import annotations

import html
import json
import re

import httpx
import openai

from playground.events import Failure, FailureKind
from playground.secrets import redact

CONTEXT_MARKERS = (
    "context length",
    "context window",
    "maximum context",
    "too long",
    "exceed context limit",
    "exceeds the context",
    "context_length_exceeded",
    "prompt is too long",
)
# Parameters we may send that a host might not take; named in the message when it rejects one.
OPTIONAL_PARAMS = ("reasoning_effort", "stream_options", "top_p", "temperature", "max_tokens")
NOT_COMPATIBLE = (
    "This does not look like an OpenAI-compatible endpoint: it did not answer with Chat "
    "Completions JSON. Check the base URL (it usually ends in /v1, or /openai/v1 on Bedrock)."
)


def host_message(body: object, text: str = "") -> str:
    """The host's own words from an error body: OpenAI `error.message`, Bedrock `Message`, ..."""
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict):
            for key in ("message", "Message", "detail", "msg"):
                if isinstance(err.get(key), str):
                    return err[key]
        elif isinstance(err, str):
            return err
        for key in ("message", "Message", "detail"):
            if isinstance(body.get(key), str):
                return body[key]
        return json.dumps(body)[:300]
    raw = body if isinstance(body, str) else text
    if not raw:
        return ""
    if "<html" in raw.lower() or "<!doctype" in raw.lower():
        title = re.search(r"<title>(.*?)</title>", raw, re.I | re.S)
        words = title.group(1) if title else re.sub(r"<[^>]+>", " ", raw)
        return "HTML page: " + " ".join(html.unescape(words).split())[:160]
    return " ".join(raw.split())[:300]


def _kind_for(status: int, message: str) -> FailureKind:
    lowered = message.lower()
    if status == 401:
        return FailureKind.AUTH
    if status == 403:
        return FailureKind.AUTH if "authentication" in lowered or "api key" in lowered else FailureKind.PERMISSION
    if status == 404:
        return FailureKind.NOT_FOUND
    if status == 408:
        return FailureKind.TIMEOUT
    if status == 413 or any(m in lowered for m in CONTEXT_MARKERS):
        return FailureKind.CONTEXT_TOO_LONG
    if status == 429:
        return FailureKind.THROTTLED
    if status >= 500:
        return FailureKind.SERVER_ERROR
    return FailureKind.BAD_REQUEST


def _advice(kind: FailureKind, status: int, message: str, sent: dict, base_url: str) -> str:
    lowered = message.lower()
    if kind == FailureKind.AUTH:
        if "bedrock" in base_url:
            return (
                "The Bedrock API key is invalid, expired, or for another region "
                "(short-term keys work only in the region that issued them)."
            )
        return "Check the API key for this connection."
    if kind == FailureKind.PERMISSION:
        if "access to the model" in lowered:
            return "Model access may still be being set up (the first call can take minutes): retry shortly."
        return "The key is valid but not allowed to call this model."
    if kind == FailureKind.NOT_FOUND:
        if message.startswith("HTML page") or "model" not in lowered:
            return "The URL was not found: the base URL may be missing /v1."
        return f"The host does not know the model `{sent.get('model')}`."
    if kind == FailureKind.CONTEXT_TOO_LONG:
        return "The conversation is longer than the model's context: clear it or shorten the prompt."
    if kind == FailureKind.THROTTLED:
        return "The host is rate limiting; retries were used up. Wait a moment and send again."
    if kind == FailureKind.SERVER_ERROR:
        if status == 503:
            return "The server is unavailable or still loading the model: retry in a moment."
        return "The host had an internal error."
    if kind == FailureKind.BAD_REQUEST:
        rejected = [p for p in OPTIONAL_PARAMS if p in sent and p in message]
        if rejected:
            names = ", ".join(f"`{p}`" for p in rejected)
            return f"The host rejected {names}: change or turn off that setting and send again."
    return ""


def failure_from_status(exc: openai.APIStatusError, sent: dict, base_url: str, *secrets) -> Failure:
    status = exc.status_code
    text = ""
    try:
        text = exc.response.text
    except Exception:  # a streamed error body may already be closed
        pass
    message = host_message(exc.body, text) or f"HTTP {status}"
    kind = _kind_for(status, message)
    advice = _advice(kind, status, message, sent, base_url.lower())
    shown = f"{advice} Host said (HTTP {status}): {message}" if advice else f"Host said (HTTP {status}): {message}"
    return Failure(kind, redact(shown, *secrets), status=status)


def failure_from_exception(exc: BaseException, base_url: str, mid_stream: bool, *secrets) -> Failure:
    """Transport-level faults: refused connections, timeouts, broken or garbled streams."""
    detail = redact(f"{type(exc).__name__}: {exc}", *secrets)
    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException):
        what = "The host stopped sending mid-answer" if mid_stream else "The host did not answer in time"
        return Failure(FailureKind.TIMEOUT, f"{what} ({detail}).")
    if isinstance(exc, openai.APIConnectionError) and not mid_stream:
        cause = exc.__cause__ or exc
        return Failure(
            FailureKind.CONNECTION,
            redact(f"Cannot reach {base_url}: {type(cause).__name__}: {cause}. Is the server running?", *secrets),
        )
    if isinstance(exc, json.JSONDecodeError):
        return Failure(FailureKind.INTERRUPTED, f"The host sent a line that is not JSON mid-stream ({detail}).")
    if isinstance(exc, openai.APIError) and not isinstance(exc, openai.APIConnectionError):
        body = getattr(exc, "body", None)
        message = host_message(body) or str(exc)
        kind = FailureKind.CONTEXT_TOO_LONG if any(m in message.lower() for m in CONTEXT_MARKERS) else FailureKind.INTERRUPTED
        return Failure(kind, redact(f"The host reported an error mid-stream: {message}", *secrets))
    return Failure(FailureKind.INTERRUPTED, f"The stream broke ({detail}).")
