"""Every AWS error a user can meet becomes one typed Failure with advice; retries are visible."""

from __future__ import annotations

import time

import pytest

from playground.connections import Auth, Connection, Kind
from playground.events import Failure, FailureKind, Finish, Notice, TextDelta
from playground.providers.aws import ClientSettings, make_aws_provider
from playground.request import Params, RunRequest
from tests.support.aws_fake import (
    AwsFake,
    Reply,
    chunk_event,
    closed_port,
    collect,
    completion_chunk,
    converse_events,
    error_reply,
    of_type,
    stream_reply,
)

K = FailureKind
BEDROCK_CASES = [
    # status, code, host message, kind, a phrase of the advice
    (
        400,
        "ValidationException",
        "Input is too long for requested model.",
        K.CONTEXT_TOO_LONG,
        "longer than the model's context",
    ),
    (400, "ValidationException", "input length and `max_tokens` exceed context limit", K.CONTEXT_TOO_LONG, "context"),
    (400, "ValidationException", "The provided model identifier is invalid.", K.NOT_FOUND, "does not offer"),
    (
        400,
        "ValidationException",
        "Invocation of model ID x with on-demand throughput isn't supported.",
        K.BAD_REQUEST,
        "inference profile",
    ),
    (400, "ValidationException", "extraneous key [foo] is not permitted", K.BAD_REQUEST, "rejected the request"),
    (
        403,
        "AccessDeniedException",
        "Authentication failed: Please make sure your API Key is valid.",
        K.AUTH,
        "credentials were rejected",
    ),
    (
        403,
        "AccessDeniedException",
        "You don't have access to the model with the specified model ID.",
        K.PERMISSION,
        "retry in a few minutes",
    ),
    (
        403,
        "AccessDeniedException",
        "User: arn:aws:iam::1:user/x is not authorized to perform: bedrock:InvokeModel",
        K.PERMISSION,
        "IAM policy",
    ),
    (403, "UnrecognizedClientException", "The security token included in the request is invalid.", K.AUTH, "rejected"),
    (404, "ResourceNotFoundException", "Model not found.", K.NOT_FOUND, "check the model id and the region"),
    (408, "ModelTimeoutException", "Model has timed out in processing the request.", K.TIMEOUT, "took too long"),
    (424, "ModelErrorException", "The model failed to process the request.", K.SERVER_ERROR, "model failed"),
    (
        429,
        "ThrottlingException",
        "Too many requests, please wait before trying again.",
        K.THROTTLED,
        "throttled; botocore retried 2 times",
    ),
    (429, "ModelNotReadyException", "Model is not ready for inference.", K.THROTTLED, "not ready"),
    (400, "ServiceQuotaExceededException", "Your request exceeded a quota.", K.THROTTLED, "quota"),
    (500, "InternalServerException", "Internal server error.", K.SERVER_ERROR, "internal error"),
    (503, "ServiceUnavailableException", "Service is unavailable.", K.SERVER_ERROR, "unavailable"),
]
BEDROCK_CALLS = [  # route, connection kind, stream
    ("converse-stream", Kind.BEDROCK_CONVERSE, True),
    ("converse", Kind.BEDROCK_CONVERSE, False),
    ("invoke-with-response-stream", Kind.BEDROCK_INVOKE, True),
    ("invoke", Kind.BEDROCK_INVOKE, False),
]
SAGEMAKER_CASES = [
    (400, "ValidationError", "Endpoint gpt-oss-ep of account 123456789012 not found.", K.NOT_FOUND, "not InService"),
    (400, "ValidationError", 'Could not find endpoint "gpt-oss-ep".', K.NOT_FOUND, "not InService"),
    (400, "ValidationError", "Input is too long for requested model.", K.CONTEXT_TOO_LONG, "context"),
    (
        403,
        "AccessDeniedException",
        "not authorized to perform: sagemaker:InvokeEndpoint",
        K.PERMISSION,
        "sagemaker:InvokeEndpoint",
    ),
    (429, "ModelNotReadyException", "Model is still loading.", K.THROTTLED, "not ready"),
    (400, "ThrottlingException", "Rate exceeded", K.THROTTLED, "throttled; botocore retried 2 times"),
    (500, "InternalFailure", "An internal error occurred.", K.SERVER_ERROR, "internal error"),
    (503, "ServiceUnavailable", "Service unavailable.", K.SERVER_ERROR, "unavailable"),
]


def conn(fake: AwsFake, kind: Kind, **changes) -> Connection:
    base = Connection("c", kind, region="us-west-2", endpoint_url=fake.url, endpoint_name="gpt-oss-ep")
    return base.with_(**changes)


def ask(stream=True, model="openai.gpt-oss-20b-1:0") -> RunRequest:
    return RunRequest(model, ({"role": "user", "content": "hi"},), params=Params(stream=stream))


def _check(events, fake, status, message, kind, advice):
    failure = events[-1]
    assert isinstance(failure, Failure) and failure.kind == kind, failure
    assert message in failure.message and advice in failure.message
    assert failure.status == status
    retried = len(fake.requests) - 1
    assert len(of_type(events, Notice)) == retried  # each botocore retry was shown as it happened
    if kind == K.THROTTLED and "retried" in advice:
        assert retried == 2  # standard mode, 3 attempts in all
    if status in (400, 403, 404, 408, 424) and kind != K.THROTTLED:
        assert retried == 0  # never retry what cannot succeed, nor a model call that may have run


@pytest.mark.parametrize(("route", "kind", "stream"), BEDROCK_CALLS, ids=[c[0] for c in BEDROCK_CALLS])
@pytest.mark.parametrize(
    ("status", "code", "message", "expected", "advice"), BEDROCK_CASES, ids=[f"{c[1]}-{c[0]}" for c in BEDROCK_CASES]
)
def test_bedrock_error_matrix(fake, monkeypatch, route, kind, stream, status, code, message, expected, advice):
    from tests.support.aws_fake import fast_retries

    fast_retries(monkeypatch)
    fake.push(route, *[error_reply(status, code, message)] * 3)
    events = collect(make_aws_provider(conn(fake, kind)), ask(stream))
    assert all(r.route == route for r in fake.requests)
    _check(events, fake, status, message, expected, advice)


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
@pytest.mark.parametrize(
    ("status", "code", "message", "expected", "advice"),
    SAGEMAKER_CASES,
    ids=[f"{c[1]}-{c[0]}" for c in SAGEMAKER_CASES],
)
def test_sagemaker_error_matrix(fake, monkeypatch, stream, status, code, message, expected, advice):
    from tests.support.aws_fake import fast_retries

    fast_retries(monkeypatch)
    route = "invocations-response-stream" if stream else "invocations"
    fake.push(route, *[error_reply(status, code, message, key="Message")] * 3)
    events = collect(make_aws_provider(conn(fake, Kind.SAGEMAKER)), ask(stream, model="gpt-oss-ep"))
    _check(events, fake, status, message, expected, advice)


def test_sagemaker_model_error_shows_the_container_message(fake):
    reply = error_reply(
        424,
        "ModelError",
        'Received client error (400) from primary with message "{"error":"bad input"}".',
        key="Message",
        OriginalStatusCode=400,
        OriginalMessage='{"error":"bad input"}',
        LogStreamArn="arn:aws:logs:us-west-2:1:log-group:/aws/sagemaker/Endpoints/gpt-oss-ep",
    )
    fake.push("invocations", reply)
    (failure,) = collect(make_aws_provider(conn(fake, Kind.SAGEMAKER)), ask(False, model="gpt-oss-ep"))
    assert failure.kind == K.SERVER_ERROR and failure.status == 424
    assert "container failed (HTTP 400)" in failure.message and '{"error":"bad input"}' in failure.message
    assert "/aws/sagemaker/Endpoints/gpt-oss-ep" in failure.message


def test_throttling_notice_comes_before_the_wait_and_the_retry(fake, monkeypatch):
    from botocore.retries import standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0.3)
    throttle = error_reply(429, "ThrottlingException", "Too many requests")
    fake.push("converse-stream", throttle, throttle)
    events, requests_at_notice = [], []
    for event in make_aws_provider(conn(fake, Kind.BEDROCK_CONVERSE)).stream(ask()):
        if isinstance(event, Notice):
            requests_at_notice.append((len(fake.requests), time.perf_counter()))
        events.append(event)
    assert [type(e) for e in events[:2]] == [Notice, Notice]
    assert events[0].text == "Throttled (ThrottlingException): retrying in 0.3 s (attempt 2 of 3)."
    assert events[1].text.endswith("(attempt 3 of 3).")
    # Shown when botocore starts waiting (0.3 s here), not once the retry goes out.
    assert [n for n, _ in requests_at_notice] == [1, 2]
    assert fake.requests[1].at - requests_at_notice[0][1] > 0.2
    assert isinstance(events[-1], Finish) and len(fake.requests) == 3


def test_read_timeout_is_not_retried(fake):
    fake.push("converse", Reply(delay_s=1.0), Reply(delay_s=1.0), Reply(delay_s=1.0))
    provider = make_aws_provider(conn(fake, Kind.BEDROCK_CONVERSE), ClientSettings(read_timeout_s=0.3))
    started = time.perf_counter()
    events = collect(provider, ask(stream=False))
    assert time.perf_counter() - started < 0.9
    assert [e.kind for e in events] == [K.TIMEOUT]
    assert "0.3 s read timeout" in events[0].message
    assert len(fake.requests) == 1  # a retry would run (and bill) the model again


def test_read_timeout_mid_stream_keeps_text(fake):
    fake.push("converse-stream", stream_reply(converse_events(text=["Slow", " answer"]), stall_after=3, stall_s=1.5))
    provider = make_aws_provider(conn(fake, Kind.BEDROCK_CONVERSE), ClientSettings(read_timeout_s=0.3))
    events = collect(provider, ask())
    assert [e.text for e in of_type(events, TextDelta)] == ["Slow", " answer"]
    assert events[-1].kind == K.TIMEOUT and "text so far is kept" in events[-1].message


def test_connection_refused(fake, monkeypatch):
    from tests.support.aws_fake import fast_retries

    fast_retries(monkeypatch)
    url = f"http://127.0.0.1:{closed_port()}"
    events = collect(make_aws_provider(conn(fake, Kind.BEDROCK_INVOKE, endpoint_url=url)), ask())
    assert events[-1].kind == K.CONNECTION and url in events[-1].message


def test_no_credentials(fake, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    events = collect(make_aws_provider(conn(fake, Kind.BEDROCK_CONVERSE)), ask())
    assert [e.kind for e in events] == [K.AUTH]
    assert "No AWS credentials" in events[0].message and not fake.requests


def test_unknown_profile(fake):
    events = collect(make_aws_provider(conn(fake, Kind.SAGEMAKER, auth=Auth.PROFILE, profile="nope")), ask(model="ep"))
    assert [e.kind for e in events] == [K.AUTH] and "`nope`" in events[0].message


def test_keys_auth_without_secret(fake):
    events = collect(
        make_aws_provider(conn(fake, Kind.BEDROCK_CONVERSE, auth=Auth.KEYS, access_key_id="AKIAFAKE")), ask()
    )
    assert [e.kind for e in events] == [K.BAD_REQUEST] and "secret key" in events[0].message


def test_no_region(fake):
    events = collect(make_aws_provider(conn(fake, Kind.BEDROCK_CONVERSE, region=None, endpoint_url=None)), ask())
    assert [e.kind for e in events] == [K.BAD_REQUEST] and "region" in events[0].message


def test_host_hanging_up_mid_stream_keeps_text(fake):
    fake.push("invoke-with-response-stream", stream_reply([chunk_event(completion_chunk("Half"))] * 2, stall_after=1))
    events = collect(make_aws_provider(conn(fake, Kind.BEDROCK_INVOKE)), ask())
    assert [type(e) for e in events] == [TextDelta, Failure]
    assert events[-1].kind == K.INTERRUPTED and "connection broke" in events[-1].message
