"""openai SDK and transport exceptions → typed Failures with a message a user can act on."""

from __future__ import annotations

import contextlib
import html
import json
import re

import httpx2 as httpx
import openai

from playground.events import Failure, FailureKind
from playground.secrets import redact

# Phrases hosts use for "the conversation does not fit" (OpenAI, vLLM, Bedrock, llama.cpp,
# Ollama). Kept narrow: "took too long" (a 504) and "Too many tokens, please wait" (Bedrock
# throttling) are not context overflows. Some servers say it with a 500, so any status counts.
CONTEXT_MARKERS = (
    "context length",
    "context window",
    "maximum context",
    "input is too long",
    "prompt is too long",
    "exceed context limit",
    "exceeds the context",
    "exceeds the available context",
    "context_length_exceeded",
)
# A model id the host does not know, said with a 400 (Bedrock) rather than a 404.
UNKNOWN_MODEL_MARKERS = (
    "model identifier is invalid",
    "model_not_found",
    "unknown model",
    "model not found",
    "does not exist",
)
# Bedrock's own words for a bad, expired or other-region API key (HTTP 403, capital-M "Message").
BEDROCK_AUTH_MARKER = "please make sure your api key is valid"
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


def is_context_overflow(message: str) -> bool:
    lowered = message.lower()
    return any(m in lowered for m in CONTEXT_MARKERS)


def _kind_for(status: int, message: str) -> FailureKind:
    lowered = message.lower()
    if 300 <= status < 400:
        return FailureKind.CONNECTION
    if status == 401:
        return FailureKind.AUTH
    if status == 403:
        return FailureKind.AUTH if "authentication" in lowered or "api key" in lowered else FailureKind.PERMISSION
    if status == 404:
        return FailureKind.NOT_FOUND
    if status == 408:
        return FailureKind.TIMEOUT
    if status == 429:
        return FailureKind.THROTTLED
    if status == 413 or is_context_overflow(message):
        return FailureKind.CONTEXT_TOO_LONG
    if status == 400 and "model" in lowered and any(m in lowered for m in UNKNOWN_MODEL_MARKERS):
        return FailureKind.NOT_FOUND
    if status >= 500:
        return FailureKind.SERVER_ERROR
    return FailureKind.BAD_REQUEST


def _advice(kind: FailureKind, status: int, message: str, sent: dict, base_url: str) -> str:
    lowered = message.lower()
    if kind == FailureKind.AUTH:
        if "bedrock" in base_url or BEDROCK_AUTH_MARKER in lowered:
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
            return f"{base_url}/chat/completions was not found: the base URL may be missing /v1."
        return f"The host does not know the model `{sent.get('model')}`: pick one from its model list."
    if kind == FailureKind.TIMEOUT:
        return "The host gave up waiting (request timeout)."
    if kind == FailureKind.CONTEXT_TOO_LONG:
        if status == 413:
            return "The request is too large for the host: shorten the prompt or clear the conversation."
        return "The conversation is longer than the model's context: clear it or shorten the prompt."
    if kind == FailureKind.THROTTLED:
        return "The host is rate limiting: wait a moment and send again."
    if kind == FailureKind.SERVER_ERROR:
        if status == 503:
            return "The server is unavailable or still loading the model: retry in a moment."
        if status in (502, 504):
            return "A gateway in front of the model server failed or timed out: retry in a moment."
        return "The host had an internal error."
    if kind == FailureKind.BAD_REQUEST:
        rejected = [p for p in OPTIONAL_PARAMS if p in sent and p in message]
        if rejected:
            names = ", ".join(f"`{p}`" for p in rejected)
            return f"The host rejected {names}: change or turn off that setting and send again."
        if status == 409:
            return "The host reported a conflict: send again."
    return ""


def failure_from_status(exc: openai.APIStatusError, sent: dict, base_url: str, *secrets) -> Failure:
    status = exc.status_code
    if 300 <= status < 400:
        target = exc.response.headers.get("location", "another URL")
        message = (
            f"The host redirected (HTTP {status}) to {target}. Redirects are not followed, so the prompt and "
            "key never reach a server you did not choose: use that address as the base URL if you trust it."
        )
        return Failure(FailureKind.CONNECTION, redact(message, *secrets), status=status)
    text = ""
    with contextlib.suppress(Exception):  # a streamed error body may already be closed
        text = exc.response.text
    message = host_message(exc.body, text) or f"HTTP {status}"
    kind = _kind_for(status, message)
    advice = _advice(kind, status, message, sent, base_url.lower())
    shown = f"{advice} Host said (HTTP {status}): {message}" if advice else f"Host said (HTTP {status}): {message}"
    return Failure(kind, redact(shown, *secrets), status=status)


def _describe(exc: BaseException) -> str:
    """`Type: text` of the exception, and of its cause when the SDK wrapped a transport error."""
    text = f"{type(exc).__name__}: {exc}".rstrip(": ")
    cause = exc.__cause__ or exc.__context__
    if isinstance(exc, openai.APIConnectionError) and cause is not None and cause is not exc:
        text += f" ({type(cause).__name__}: {cause})".replace(": )", ")")
    return text


def failure_from_exception(exc: BaseException, base_url: str, mid_stream: bool, *secrets) -> Failure:
    """Transport-level faults: refused connections, timeouts, broken or garbled streams."""
    detail = redact(_describe(exc), *secrets)
    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException):
        if mid_stream:
            return Failure(
                FailureKind.TIMEOUT,
                f"The host stopped sending mid-answer and the read timed out; the text so far is kept ({detail}).",
            )
        return Failure(FailureKind.TIMEOUT, f"The host did not answer in time ({detail}).")
    if isinstance(exc, openai.APIConnectionError | httpx.TransportError) and not mid_stream:
        return Failure(
            FailureKind.CONNECTION, redact(f"Cannot reach {base_url}: {detail}. Is the server running?", *secrets)
        )
    if isinstance(exc, json.JSONDecodeError):
        return Failure(
            FailureKind.INTERRUPTED,
            f"The host sent a line that is not JSON mid-stream; the text so far is kept ({detail}).",
        )
    if isinstance(exc, openai.APIError) and not isinstance(exc, openai.APIConnectionError):
        body = getattr(exc, "body", None)
        message = host_message(body) or str(exc)
        kind = FailureKind.CONTEXT_TOO_LONG if is_context_overflow(message) else FailureKind.INTERRUPTED
        return Failure(kind, redact(f"The host reported an error mid-stream: {message}", *secrets))
    if mid_stream:
        return Failure(FailureKind.INTERRUPTED, f"The connection broke mid-answer; the text so far is kept ({detail}).")
    return Failure(FailureKind.INTERRUPTED, f"The request failed ({detail}).")
