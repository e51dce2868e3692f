"""Every transport and host fault the OpenAI-compatible path must survive.

Each scenario: a typed Failure with a message a user can act on, the partial text kept in the
RunRecord, no hang, and the test key never in any message the user or an export could see."""

from __future__ import annotations

import json
import socket
import threading
import time

import httpx2 as httpx
import pytest

from playground.cancel import CancelToken
from playground.events import Failure, FailureKind, Notice, ReasoningDelta, TextDelta
from playground.providers.openai_compat import OpenAICompatProvider
from playground.request import Params, RunRequest
from playground.runs import RunRecord, Status, execute
from playground.secrets import Secret
from tests.support.openai_fake import FakeOpenAIServer, Reply
from tests.support.waiting import wait_until

MODEL = "openai.gpt-oss-120b-1:0"
KEY = "sk-test-SECRETKEY1234567890"
NO_HANG_S = 5.0  # generous bound for "ends promptly"; the scenarios take well under a second


def words(n: int, stem: str) -> str:
    return " ".join(f"{stem}{i}" for i in range(n))


def make_request(*, stream: bool = True, model: str = MODEL) -> RunRequest:
    return RunRequest(model, ({"role": "user", "content": "Hi"},), "", Params(stream=stream))


def provider_for(url: str, **kw) -> OpenAICompatProvider:
    kw.setdefault("read_timeout_s", 10.0)
    kw.setdefault("max_retries", 0)
    return OpenAICompatProvider(url, Secret(KEY), **kw)


def assert_no_key(events, record: RunRecord) -> None:
    shown = [e.text if isinstance(e, Notice) else e.message for e in events if isinstance(e, Failure | Notice)]
    shown.append(json.dumps(record.to_dict()))
    for text in shown:
        assert KEY not in text and "SECRETKEY" not in text, text


def run(server: FakeOpenAIServer, *replies: Reply, stream: bool = True, model: str = MODEL, **provider_kw):
    server.queue(*replies)
    request = make_request(stream=stream, model=model)
    record = RunRecord(request)
    t0 = time.monotonic()
    events = list(execute(provider_for(server.url, **provider_kw), request, record))
    assert time.monotonic() - t0 < 15, "the run took far too long"
    assert_no_key(events, record)
    return events, record


def failures(events) -> list[Failure]:
    return [e for e in events if isinstance(e, Failure)]


def only_failure(events) -> Failure:
    found = failures(events)
    assert len(found) == 1, events
    return found[0]


# -- broken streams: partial text kept --------------------------------------------------------
PARTIAL = Reply(reasoning=words(8, "r"), answer=words(8, "a"), fault_after=11)  # 8 reasoning + 3 answer deltas


def partial(**changes) -> Reply:
    return Reply(**{**PARTIAL.__dict__, **changes})


def assert_partial_kept(record: RunRecord) -> None:
    assert record.reasoning == words(8, "r")
    assert record.answer == "a0 a1 a2 "
    assert record.status is Status.INTERRUPTED


def test_non_json_data_line_mid_stream(openai_fake):
    events, record = run(openai_fake, partial(fault="bad_json"))
    failure = only_failure(events)
    assert failure.kind is FailureKind.INTERRUPTED and "not JSON" in failure.message
    assert_partial_kept(record)
    assert record.failure == failure


def test_error_event_mid_stream(openai_fake):
    events, record = run(openai_fake, partial(fault="error_event"))
    failure = only_failure(events)
    assert failure.kind is FailureKind.INTERRUPTED
    assert "Model overloaded mid-stream" in failure.message and "mid-stream" in failure.message
    assert_partial_kept(record)


def test_socket_closed_mid_stream(openai_fake):
    events, record = run(openai_fake, partial(fault="close"))
    failure = only_failure(events)
    assert failure.kind is FailureKind.INTERRUPTED and "connection broke" in failure.message
    assert_partial_kept(record)
    assert openai_fake.streams_closed()


def test_clean_end_without_done_or_finish_reason(openai_fake):
    events, record = run(openai_fake, Reply(answer=words(4, "a"), done=False, finish_reason=None))
    failure = only_failure(events)
    assert failure.kind is FailureKind.INTERRUPTED and "ended without a finish reason" in failure.message
    assert record.status is Status.INTERRUPTED and record.answer == words(4, "a")
    assert record.finish_reason is None


def test_missing_done_with_a_finish_reason_is_complete(openai_fake):
    events, record = run(openai_fake, Reply(done=False))
    assert failures(events) == [] and record.status is Status.COMPLETE


def test_connection_lost_after_finish_keeps_a_complete_answer(openai_fake):
    events, record = run(openai_fake, Reply(answer=words(3, "a"), fault="close", fault_after=99))
    assert failures(events) == []
    assert any(isinstance(e, Notice) and "after the answer was finished" in e.text for e in events)
    assert record.status is Status.COMPLETE and record.answer == words(3, "a")


def test_slow_first_byte_within_the_timeout_completes(openai_fake):
    events, record = run(openai_fake, Reply(first_byte_delay_s=0.6), read_timeout_s=5)
    assert failures(events) == [] and record.status is Status.COMPLETE


def test_first_byte_later_than_the_read_timeout(openai_fake):
    events, record = run(openai_fake, Reply(first_byte_delay_s=2.0), read_timeout_s=0.3)
    failure = only_failure(events)
    assert failure.kind is FailureKind.TIMEOUT and "did not answer in time" in failure.message
    assert record.status is Status.ERROR


def test_stall_mid_stream_times_out_and_keeps_partial_text(openai_fake):
    t0 = time.monotonic()
    events, record = run(openai_fake, partial(fault="stall", stall_s=4.0), read_timeout_s=0.4)
    assert time.monotonic() - t0 < 3.5  # the read timeout ended it, not the end of the stall
    failure = only_failure(events)
    assert failure.kind is FailureKind.TIMEOUT and "mid-answer" in failure.message
    assert_partial_kept(record)


@pytest.mark.parametrize("fault", ["ping", "crlf"])
def test_ping_comments_and_crlf_line_endings_are_harmless(openai_fake, fault):
    events, record = run(openai_fake, Reply(reasoning=words(5, "r"), answer=words(5, "a"), fault=fault))
    assert failures(events) == []
    assert record.status is Status.COMPLETE
    assert (record.reasoning, record.answer) == (words(5, "r"), words(5, "a"))


@pytest.mark.parametrize("dialect", ["reasoning", "bedrock", "harmony"])
def test_multibyte_character_split_across_tcp_writes(openai_fake, dialect):
    answer = "Grüße, naïve café: 東京 🎉👩‍💻 done"
    reply = Reply(reasoning="Dénken… 考える", answer=answer, dialect=dialect, fault="split_utf8", fault_after=3)
    events, record = run(openai_fake, reply)
    assert failures(events) == []
    assert (record.reasoning, record.answer) == ("Dénken… 考える", answer)


# -- HTTP status matrix ------------------------------------------------------------------------
HTML_404 = "<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>"
BEDROCK_403 = '{"Message":"Authentication failed: Please make sure your API Key is valid."}'
STATUS_MATRIX = [
    # status, body, expected kind, phrases the message must hold
    (400, '{"error": {"message": "Invalid value for temperature: 7"}}', FailureKind.BAD_REQUEST, ["Invalid value"]),
    (401, f'{{"error": {{"message": "Incorrect API key provided: {KEY}"}}}}', FailureKind.AUTH, ["Check the API key"]),
    (
        403,
        BEDROCK_403,
        FailureKind.AUTH,
        ["Authentication failed: Please make sure your API Key is valid.", "region"],
    ),
    (
        403,
        '{"Message": "You don\'t have access to the model with the specified model ID."}',
        FailureKind.PERMISSION,
        ["don't have access", "retry shortly"],
    ),
    (404, HTML_404, FailureKind.NOT_FOUND, ["404 Not Found", "/v1"]),
    (408, '{"error": {"message": "Request timeout"}}', FailureKind.TIMEOUT, ["Request timeout"]),
    (409, '{"error": {"message": "Conflict"}}', FailureKind.BAD_REQUEST, ["Conflict"]),
    (
        413,
        "<html><title>413 Request Entity Too Large</title></html>",
        FailureKind.CONTEXT_TOO_LONG,
        ["413 Request Entity Too Large", "too large"],
    ),
    (
        422,
        '{"detail": [{"loc": ["body", "messages"], "msg": "field required"}]}',
        FailureKind.BAD_REQUEST,
        ["field required"],
    ),
    (429, '{"error": {"message": "Rate limit reached"}}', FailureKind.THROTTLED, ["Rate limit reached"]),
    (500, '{"error": {"message": "boom on the host"}}', FailureKind.SERVER_ERROR, ["boom on the host"]),
    (502, "<html><title>502 Bad Gateway</title></html>", FailureKind.SERVER_ERROR, ["502 Bad Gateway", "gateway"]),
    (503, '{"error": {"message": "Model is loading"}}', FailureKind.SERVER_ERROR, ["loading", "retry"]),
    (504, "<html><title>504 Gateway Time-out: the upstream took too long</title></html>", FailureKind.SERVER_ERROR, []),
]


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
@pytest.mark.parametrize("status, body, kind, phrases", STATUS_MATRIX, ids=[str(row[0]) for row in STATUS_MATRIX])
def test_status_matrix(openai_fake, status, body, kind, phrases, stream):
    events, record = run(openai_fake, Reply(status=status, body=body), stream=stream)
    failure = only_failure(events)
    assert failure.kind is kind and failure.status == status
    assert f"HTTP {status}" in failure.message
    for phrase in phrases:
        assert phrase in failure.message, failure.message
    assert record.status is Status.ERROR and record.failure == failure
    assert len(openai_fake.requests) == 1  # max_retries=0: nothing retried


def test_429_with_retry_after_is_retried_visibly(openai_fake):
    throttled = Reply(status=429, body='{"error": {"message": "slow down"}}', headers={"retry-after": "1"})
    t0 = time.monotonic()
    events, record = run(openai_fake, throttled, Reply(answer="finally"), max_retries=2)
    assert time.monotonic() - t0 >= 0.9  # it waited what the host asked
    posts = [r for r in openai_fake.requests if r["method"] == "POST"]
    assert len(posts) == 2
    notices = [e for e in events if isinstance(e, Notice)]
    assert len(notices) == 1 and "retrying in 1.0 s" in notices[0].text and "HTTP 429" in notices[0].text
    assert failures(events) == [] and record.status is Status.COMPLETE and record.answer == "finally"
    assert record.notices == [notices[0].text]


def test_retries_used_up_ends_throttled(openai_fake):
    throttled = Reply(status=429, body='{"error": {"message": "slow down"}}', headers={"retry-after-ms": "20"})
    events, record = run(openai_fake, throttled, throttled, throttled, max_retries=2)
    assert len(openai_fake.requests) == 3
    assert sum(isinstance(e, Notice) and "retrying" in e.text for e in events) == 2
    failure = only_failure(events)
    assert failure.kind is FailureKind.THROTTLED and "(Retried 2 times.)" in failure.message
    assert record.status is Status.ERROR


def test_503_retried_then_served(openai_fake):
    loading = Reply(status=503, body='{"error": {"message": "loading model"}}', headers={"retry-after-ms": "10"})
    _events, record = run(openai_fake, loading, Reply(), max_retries=1)
    assert len(openai_fake.requests) == 2 and record.status is Status.COMPLETE


def test_a_retry_after_beyond_the_cap_is_not_waited_for(openai_fake):
    throttled = Reply(status=429, body='{"error": {"message": "quota"}}', headers={"retry-after": "3600"})
    events, _record = run(openai_fake, throttled, max_retries=2)
    assert len(openai_fake.requests) == 1
    failure = only_failure(events)
    assert failure.kind is FailureKind.THROTTLED and "try again later" in failure.message


def test_400_is_not_retried(openai_fake):
    events, _ = run(openai_fake, Reply(status=400, body='{"error": {"message": "bad"}}'), max_retries=2)
    assert len(openai_fake.requests) == 1 and not any(isinstance(e, Notice) for e in events)


@pytest.mark.parametrize(
    "message",
    [
        "This model's maximum context length is 131072 tokens. However, you requested 200000 tokens.",
        "Input is too long for requested model.",
        "input length and `max_tokens` exceed context limit",
    ],
)
def test_context_overflow(openai_fake, message):
    events, _ = run(openai_fake, Reply(status=400, body=json.dumps({"error": {"message": message}})))
    failure = only_failure(events)
    assert failure.kind is FailureKind.CONTEXT_TOO_LONG
    assert message in failure.message and "context" in failure.message


def test_context_overflow_said_with_a_500(openai_fake):
    body = '{"error": {"message": "the request exceeds the available context size, try increasing it"}}'
    events, _ = run(openai_fake, Reply(status=500, body=body))
    assert only_failure(events).kind is FailureKind.CONTEXT_TOO_LONG


@pytest.mark.parametrize(
    "status, message, kind",
    [
        (504, "Upstream took too long", FailureKind.SERVER_ERROR),
        (429, "Too many tokens, please wait before trying again.", FailureKind.THROTTLED),
        (400, "Prompt contains too many tokens of whitespace", FailureKind.BAD_REQUEST),
    ],
)
def test_look_alikes_are_not_context_overflow(openai_fake, status, message, kind):
    events, _ = run(openai_fake, Reply(status=status, body=json.dumps({"error": {"message": message}})))
    assert only_failure(events).kind is kind


def test_400_naming_reasoning_effort_names_the_parameter(openai_fake):
    body = '{"error": {"message": "Unrecognized request argument supplied: reasoning_effort"}}'
    events, _ = run(openai_fake, Reply(status=400, body=body))
    failure = only_failure(events)
    assert failure.kind is FailureKind.BAD_REQUEST
    assert "The host rejected `reasoning_effort`" in failure.message


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
def test_wrong_base_url_answering_200_html(openai_fake, stream):
    page = "<!doctype html><html><head><title>My Router</title></head><body>Welcome</body></html>"
    events, record = run(openai_fake, Reply(status=200, body=page, content_type="text/html"), stream=stream)
    failure = only_failure(events)
    assert failure.kind is FailureKind.NOT_OPENAI_COMPATIBLE
    assert "does not look like an OpenAI-compatible endpoint" in failure.message
    assert record.status is Status.ERROR


def test_200_json_that_is_not_chat_completions(openai_fake):
    events, _ = run(openai_fake, Reply(status=200, body='{"hello": "world"}'), stream=False)
    assert only_failure(events).kind is FailureKind.NOT_OPENAI_COMPATIBLE


def test_missing_v1_in_the_base_url(openai_fake):
    openai_fake.require_prefix = "/v1"
    request = make_request()
    record = RunRecord(request)
    events = list(execute(provider_for(openai_fake.root), request, record))
    failure = only_failure(events)
    assert failure.kind is FailureKind.NOT_FOUND and failure.status == 404
    assert "missing /v1" in failure.message
    assert openai_fake.requests[-1]["path"] == "/chat/completions"


def unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_connection_refused():
    url = f"http://127.0.0.1:{unused_port()}/v1"
    request = make_request()
    record = RunRecord(request)
    t0 = time.monotonic()
    events = list(execute(provider_for(url), request, record))
    assert time.monotonic() - t0 < NO_HANG_S
    failure = only_failure(events)
    assert failure.kind is FailureKind.CONNECTION
    assert f"Cannot reach {url}" in failure.message and "ConnectError" in failure.message
    assert record.status is Status.ERROR
    assert_no_key(events, record)


def test_redirect_is_not_followed_and_names_its_target(openai_fake):
    # A redirect would carry the prompt to a host the user never chose (httpx strips only the
    # Authorization header), so the provider stops and says where the host pointed.
    with FakeOpenAIServer() as other:
        events, record = run(openai_fake, Reply(redirect_to=other.root))
        assert other.requests == []
        failure = only_failure(events)
        assert failure.kind is FailureKind.CONNECTION and failure.status == 307
        assert other.root in failure.message and "not followed" in failure.message
        assert record.status is Status.ERROR
        assert_no_key(events, record)


def test_unknown_model_id(openai_fake):
    openai_fake.strict_models = True
    events, _record = run(openai_fake, model="gpt-oss-999b")
    failure = only_failure(events)
    assert failure.kind is FailureKind.NOT_FOUND
    assert "gpt-oss-999b" in failure.message and "does not know the model" in failure.message


def test_bedrock_invalid_model_identifier_400_is_not_found(openai_fake):
    body = '{"error": {"message": "The provided model identifier is invalid."}}'
    events, _ = run(openai_fake, Reply(status=400, body=body))
    assert only_failure(events).kind is FailureKind.NOT_FOUND


def test_key_echoed_by_the_host_is_redacted(openai_fake):
    body = json.dumps({"error": {"message": f"Key {KEY} is revoked; Authorization: Bearer {KEY}"}})
    for status in (400, 401, 403, 404, 429, 500):
        events, _ = run(openai_fake, Reply(status=status, body=body))
        assert "[redacted]" in only_failure(events).message


# -- cancellation ------------------------------------------------------------------------------
def consume_in_thread(server: FakeOpenAIServer, cancel: CancelToken, **provider_kw):
    request = make_request()
    record = RunRecord(request)
    seen: list = []
    started = threading.Event()

    def work() -> None:
        for event in execute(provider_for(server.url, **provider_kw), request, record, cancel):
            seen.append(event)
            if isinstance(event, ReasoningDelta | TextDelta):
                started.set()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread, record, seen, started


def test_cancel_from_another_thread_ends_a_slow_stream(openai_fake):
    openai_fake.queue(Reply(reasoning=words(200, "r"), answer=words(50, "a"), delay_s=0.05))  # ~12 s
    cancel = CancelToken()
    thread, record, seen, started = consume_in_thread(openai_fake, cancel)
    assert started.wait(NO_HANG_S)
    cancel.cancel()
    thread.join(NO_HANG_S)
    assert not thread.is_alive(), "the stream did not end after cancel"
    assert record.status is Status.STOPPED and record.reasoning.startswith("r0 ")
    assert failures(seen) == []
    assert openai_fake.streams_closed(NO_HANG_S)


def test_cancel_during_a_stall_wakes_the_blocked_read(openai_fake):
    openai_fake.queue(partial(fault="stall", stall_s=10.0))
    cancel = CancelToken()
    thread, record, _, started = consume_in_thread(openai_fake, cancel, read_timeout_s=60)
    assert started.wait(NO_HANG_S)
    time.sleep(0.2)  # now blocked in recv()
    cancel.cancel()
    thread.join(NO_HANG_S)
    assert not thread.is_alive(), "cancel did not wake the read blocked on a stalled stream"
    assert record.status is Status.STOPPED and record.reasoning


def test_cancel_while_waiting_for_the_first_byte(openai_fake):
    openai_fake.queue(Reply(first_byte_delay_s=10.0))
    cancel = CancelToken()
    thread, record, seen, _ = consume_in_thread(openai_fake, cancel, read_timeout_s=60)
    assert wait_until(lambda: len(openai_fake.requests) == 1, NO_HANG_S)
    cancel.cancel()
    thread.join(NO_HANG_S)
    assert not thread.is_alive(), "cancel did not end a request still waiting for its first byte"
    assert record.status is Status.STOPPED and seen == []


def test_cancel_during_a_retry_wait(openai_fake):
    openai_fake.queue(Reply(status=429, body="{}", headers={"retry-after": "15"}))
    cancel = CancelToken()
    thread, record, seen, _ = consume_in_thread(openai_fake, cancel, max_retries=2)
    assert wait_until(lambda: any(isinstance(e, Notice) for e in seen), NO_HANG_S)
    cancel.cancel()
    thread.join(NO_HANG_S)
    assert not thread.is_alive() and record.status is Status.STOPPED
    assert len(openai_fake.requests) == 1


def test_closing_execute_early_marks_stopped_and_keeps_partial_text(openai_fake):
    openai_fake.queue(Reply(reasoning=words(20, "r"), answer=words(200, "a"), delay_s=0.02))
    request = make_request()
    record = RunRecord(request)
    gen = execute(provider_for(openai_fake.url), request, record)
    answer_deltas = 0
    for event in gen:
        answer_deltas += isinstance(event, TextDelta)
        if answer_deltas == 3:
            break
    gen.close()
    assert record.status is Status.STOPPED
    assert record.reasoning == words(20, "r") and record.answer == "a0 a1 a2 "
    assert record.ended is not None
    assert openai_fake.streams_closed(NO_HANG_S), "the HTTP stream was left open"


def test_a_finished_runs_closer_is_disarmed(openai_fake, monkeypatch):
    # Stop cancels every pane's token, finished ones included. A finished stream's connection may
    # be back in the pool serving another run: its closer must not shut that socket down.
    from playground.providers import openai_compat

    aborted: list = []
    cancel = CancelToken()
    request = make_request()
    record = RunRecord(request)
    list(execute(provider_for(openai_fake.url), request, record, cancel))
    assert record.status is Status.COMPLETE
    monkeypatch.setattr(openai_compat, "_abort", aborted.append)
    cancel.cancel()
    assert aborted == []


def test_abort_leaves_a_closed_response_alone():
    from playground.providers.openai_compat import _abort

    class Sock:
        shut = 0

        def shutdown(self, how):
            Sock.shut += 1

    class Network:
        def get_extra_info(self, name):
            return Sock() if name == "socket" else None

    response = httpx.Response(200, content=iter([b"data: {}\n\n"]), extensions={"network_stream": Network()})
    _abort(response)
    assert Sock.shut == 1
    response.close()
    _abort(response)
    assert Sock.shut == 1
