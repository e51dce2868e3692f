"""Credentials: SigV4 for IAM connections whatever the environment says, per-connection Bearer
keys that never enter os.environ, never travel in clear, and never appear in error text."""

from __future__ import annotations

import os
import threading

import botocore.session
import pytest
from botocore.exceptions import InvalidEndpointConfigurationError

from playground.connections import Auth, Connection, Kind
from playground.events import Failure, FailureKind, Finish
from playground.providers.aws import discover_models, make_aws_provider
from playground.request import Params, RunRequest
from playground.secrets import Secret
from tests.support.aws_fake import FAKE_ACCESS_KEY, AwsFake, collect, error_reply, json_reply

ENV_TOKEN = "bedrock-api-key-RU5WSVJPTk1FTlQtVE9LRU4tU0hBUkVELUJZLUFMTA=="
USER_KEY = "bedrock-api-key-VVNFUi1LRVktRk9SLU9ORS1DT05ORUNUSU9OLU9OTFk="
SIGV4 = "AWS4-HMAC-SHA256"


def ask() -> RunRequest:
    return RunRequest("openai.gpt-oss-20b-1:0", ({"role": "user", "content": "hi"},))


def bedrock(fake: AwsFake, kind=Kind.BEDROCK_CONVERSE, **changes) -> Connection:
    return Connection("b", kind, region="us-west-2", endpoint_url=fake.url).with_(**changes)


def test_botocore_really_prefers_the_environment_token(fake, monkeypatch):
    """The hazard the clients guard against: a plain client picks bearer auth from the environment
    even with keys at hand (and, here over HTTP, refuses to send it)."""
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", ENV_TOKEN)
    client = botocore.session.Session().create_client("bedrock-runtime", region_name="us-west-2", endpoint_url=fake.url)
    with pytest.raises(InvalidEndpointConfigurationError, match="Bearer"):
        client.converse(modelId="m", messages=[{"role": "user", "content": [{"text": "hi"}]}])


@pytest.mark.parametrize("auth", [Auth.DEFAULT_CHAIN, Auth.KEYS])
@pytest.mark.parametrize("kind", [Kind.BEDROCK_CONVERSE, Kind.BEDROCK_INVOKE])
def test_iam_connection_signs_sigv4_despite_env_bearer_token(fake, monkeypatch, auth, kind):
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", ENV_TOKEN)
    keys = (
        {"access_key_id": "AKIAEXPLICITKEYS0000", "secret_access_key": Secret("explicit-secret")}
        if auth == Auth.KEYS
        else {}
    )
    events = collect(make_aws_provider(bedrock(fake, kind, auth=auth, **keys)), ask())
    assert isinstance(events[-1], Finish), events
    header = fake.requests[-1].headers["authorization"]
    assert header.startswith(SIGV4)
    assert ("AKIAEXPLICITKEYS0000" if auth == Auth.KEYS else FAKE_ACCESS_KEY) in header
    assert all(ENV_TOKEN not in v for v in fake.requests[-1].headers.values())


def test_control_plane_listing_signs_sigv4_despite_env_bearer_token(fake, monkeypatch):
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", ENV_TOKEN)
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK", fake.url)
    fake.push(
        "foundation-models",
        json_reply(
            {"modelSummaries": [{"modelId": "openai.gpt-oss-20b-1:0", "modelArn": "a", "providerName": "OpenAI"}]}
        ),
    )
    listing = discover_models(Connection("b", Kind.BEDROCK_CONVERSE, region="us-west-2"))
    assert listing.discovered and listing.ids == ["openai.gpt-oss-20b-1:0"]
    assert fake.requests[-1].headers["authorization"].startswith(SIGV4)


@pytest.mark.parametrize("kind", [Kind.BEDROCK_CONVERSE, Kind.BEDROCK_INVOKE])
def test_api_key_connection_sends_bearer_and_leaves_environ_alone(fake, monkeypatch, kind):
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", ENV_TOKEN)  # a server-wide key must not win either
    before = dict(os.environ)
    seen_during: list[bool] = []
    connection = bedrock(fake, kind, auth=Auth.API_KEY, api_key=Secret(USER_KEY))
    for _event in make_aws_provider(connection).stream(ask()):
        seen_during.append(any(USER_KEY in v for v in os.environ.values()))
    sent = fake.requests[-1].headers
    assert sent["authorization"] == f"Bearer {USER_KEY}"
    assert "x-amz-date" not in sent and "x-amz-security-token" not in sent  # not SigV4-signed as well
    assert dict(os.environ) == before and not any(seen_during)


def test_concurrent_connections_keep_their_own_auth(fake):
    key_conn = bedrock(fake, auth=Auth.API_KEY, api_key=Secret(USER_KEY), name="key")
    iam_conn = bedrock(fake, name="iam")
    results: dict[str, list] = {}

    def run(conn: Connection) -> None:
        results[conn.name] = collect(make_aws_provider(conn), ask())

    threads = [threading.Thread(target=run, args=(c,)) for c in (key_conn, iam_conn) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    auths = sorted(r.headers["authorization"].split()[0] for r in fake.requests)
    assert auths == [SIGV4] * 3 + ["Bearer"] * 3
    assert all(
        r.headers["authorization"] == f"Bearer {USER_KEY}"
        for r in fake.requests
        if "Bearer" in r.headers["authorization"]
    )


def test_bearer_key_is_never_sent_in_clear_to_a_remote_host(fake):
    conn = bedrock(fake, auth=Auth.API_KEY, api_key=Secret(USER_KEY), endpoint_url="http://bedrock.example.invalid")
    events = collect(make_aws_provider(conn), ask())
    assert [e.kind for e in events] == [FailureKind.BAD_REQUEST]
    assert "plain HTTP" in events[0].message and USER_KEY not in events[0].message


def test_api_key_is_refused_for_sagemaker(fake):
    conn = Connection(
        "s", Kind.SAGEMAKER, region="us-west-2", endpoint_url=fake.url, auth=Auth.API_KEY, api_key=Secret(USER_KEY)
    )
    events = collect(make_aws_provider(conn), RunRequest("ep", ({"role": "user", "content": "hi"},)))
    assert [e.kind for e in events] == [FailureKind.BAD_REQUEST] and not fake.requests


def test_bad_key_403_is_auth_with_region_advice_and_redacted(fake):
    echo = f"Authentication failed: Please make sure your API Key is valid. Key: {USER_KEY}"
    fake.push("converse-stream", error_reply(403, "AccessDeniedException", echo, key="Message"))
    (failure,) = collect(make_aws_provider(bedrock(fake, auth=Auth.API_KEY, api_key=Secret(USER_KEY))), ask())
    assert isinstance(failure, Failure) and failure.kind == FailureKind.AUTH and failure.status == 403
    assert "another region" in failure.message and "us-west-2" in failure.message
    assert USER_KEY not in failure.message and "Authentication failed" in failure.message


def test_secret_keys_never_appear_in_failures(fake):
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    fake.push("converse", error_reply(400, "ValidationException", f"echo {secret} and AKIAEXPLICITKEYS0000"))
    conn = bedrock(fake, auth=Auth.KEYS, access_key_id="AKIAEXPLICITKEYS0000", secret_access_key=Secret(secret))
    request = RunRequest("openai.gpt-oss-20b-1:0", ({"role": "user", "content": "hi"},), params=Params(stream=False))
    (failure,) = collect(make_aws_provider(conn), request)
    assert secret not in failure.message and "AKIAEXPLICITKEYS0000" not in failure.message


def test_session_token_is_sent(fake):
    conn = bedrock(
        fake,
        auth=Auth.KEYS,
        access_key_id="ASIATEMPORARYKEY0000",
        secret_access_key=Secret("s"),
        session_token=Secret("tok-123"),
    )
    collect(make_aws_provider(conn), ask())
    assert fake.requests[-1].headers["x-amz-security-token"] == "tok-123"


def test_named_profile(fake, monkeypatch, tmp_path):
    (tmp_path / "config").write_text("[profile lab]\nregion = eu-central-1\n")
    (tmp_path / "credentials").write_text(
        "[lab]\naws_access_key_id = AKIAPROFILEKEY000000\naws_secret_access_key = x\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    conn = bedrock(fake, auth=Auth.PROFILE, profile="lab", region=None)
    assert isinstance(collect(make_aws_provider(conn), ask())[-1], Finish)
    header = fake.requests[-1].headers["authorization"]
    assert "AKIAPROFILEKEY000000/" in header and "/eu-central-1/bedrock/" in header


@pytest.mark.parametrize(
    ("conn_region", "env", "expected"),
    [
        ("ca-central-1", {"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "sa-east-1"}, "ca-central-1"),
        (None, {"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "sa-east-1"}, "eu-west-1"),
        (None, {"AWS_DEFAULT_REGION": "sa-east-1"}, "sa-east-1"),
    ],
)
def test_region_precedence(fake, monkeypatch, conn_region, env, expected):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    collect(make_aws_provider(bedrock(fake, region=conn_region)), ask())
    assert f"/{expected}/bedrock/aws4_request" in fake.requests[-1].headers["authorization"]
