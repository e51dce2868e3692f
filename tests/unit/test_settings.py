"""Connections come from the environment, then secrets, then the embedded default."""

from __future__ import annotations

from playground.connections import Auth, Kind
from playground.settings import connections_from_secrets, default_connections, default_region, preset_url


def test_openai_base_url_is_first_and_named_for_bedrock():
    env = {
        "OPENAI_BASE_URL": "https://bedrock-runtime.us-west-2.amazonaws.com/openai/v1",
        "OPENAI_API_KEY": "bedrock-api-key-abc",
    }
    conns = default_connections(env)
    assert conns[0].name == "Bedrock (OpenAI-compatible)"
    assert conns[0].api_key.reveal() == "bedrock-api-key-abc"
    assert "bedrock-api-key-abc" not in repr(conns[0]) and "bedrock-api-key-abc" not in str(conns[0].describe())
    assert conns[-1].kind == Kind.LOCAL


def test_no_environment_means_local_only():
    conns = default_connections({})
    assert [c.kind for c in conns] == [Kind.LOCAL]


def test_generic_base_url_name():
    assert default_connections({"OPENAI_BASE_URL": "http://localhost:8000/v1"})[0].name == "OpenAI-compatible"


def test_region_prefers_aws_region():
    assert default_region({"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-east-1"}) == "eu-west-1"
    assert default_region({"AWS_DEFAULT_REGION": "us-east-1"}) == "us-east-1"
    assert preset_url("Bedrock mantle", "us-east-2") == "https://bedrock-mantle.us-east-2.api.aws/v1"


def test_secrets_tables_become_connections():
    secrets = {
        "connections": {
            "vllm": {"kind": "openai", "base_url": "http://gpu:8000/v1", "api_key": "sk-abcdefabcdef"},
            "conv": {"kind": "bedrock-converse", "region": "us-west-2", "auth": "profile", "profile": "p"},
            "bad": {"kind": "nonsense"},
        }
    }
    conns = connections_from_secrets(secrets)
    assert [c.name for c in conns] == ["vllm", "conv"]
    assert conns[1].auth == Auth.PROFILE and conns[1].kind == Kind.BEDROCK_CONVERSE
