"""Connections from the environment, then `.streamlit/secrets.toml`, then built-in defaults.

The first connection returned is the default on first load: an `OPENAI_BASE_URL` in the
environment wins (the Bedrock blog's set-up), otherwise the embedded local model.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from playground.connections import Auth, Connection, Kind, local_connection
from playground.secrets import Secret

# Base URL templates for the OpenAI-compatible presets; {region} is filled in for Bedrock.
PRESETS: dict[str, str] = {
    "Bedrock runtime (/openai/v1)": "https://bedrock-runtime.{region}.amazonaws.com/openai/v1",
    "Bedrock mantle": "https://bedrock-mantle.{region}.api.aws/v1",
    "vLLM": "http://localhost:8000/v1",
    "Ollama": "http://localhost:11434/v1",
    "llama.cpp": "http://localhost:8080/v1",
    "LM Studio": "http://localhost:1234/v1",
}
BEDROCK_REGIONS = ("us-west-2", "us-east-1", "us-east-2", "eu-west-1", "eu-central-1", "ap-northeast-1", "ap-south-1")


def default_region(environ: Mapping[str, str] = os.environ) -> str:
    """AWS_REGION first (boto3 itself reads only AWS_DEFAULT_REGION), then us-west-2."""
    return environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or "us-west-2"


def preset_url(preset: str, region: str) -> str:
    return PRESETS[preset].format(region=region)


def openai_connection_name(base_url: str) -> str:
    url = base_url.lower()
    if "bedrock-runtime" in url or "bedrock-mantle" in url:
        return "Bedrock (OpenAI-compatible)"
    return "OpenAI-compatible"


def connections_from_env(environ: Mapping[str, str] = os.environ) -> list[Connection]:
    found: list[Connection] = []
    base_url = environ.get("OPENAI_BASE_URL", "").strip()
    if base_url:
        key = environ.get("OPENAI_API_KEY", "")
        found.append(
            Connection(
                name=openai_connection_name(base_url),
                kind=Kind.OPENAI,
                base_url=base_url,
                api_key=Secret(key) if key else None,
                source="env",
                id="env-openai",
            )
        )
    aws_hints = ("AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_BEARER_TOKEN_BEDROCK", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME")
    if any(environ.get(k) for k in aws_hints):
        found.append(
            Connection(
                name="Bedrock Converse (AWS environment)",
                kind=Kind.BEDROCK_CONVERSE,
                region=default_region(environ),
                auth=Auth.DEFAULT_CHAIN,
                source="env",
                id="env-bedrock-converse",
            )
        )
    return found


def connections_from_secrets(secrets: Mapping) -> list[Connection]:
    """`[connections.NAME]` tables of `.streamlit/secrets.toml` (see secrets.toml.example)."""
    found: list[Connection] = []
    tables = secrets.get("connections", {}) if secrets else {}
    for name, table in dict(tables).items():
        table = dict(table)
        try:
            kind = Kind(table.get("kind", "openai"))
            auth = Auth(table.get("auth", "api_key" if table.get("api_key") else "default"))
        except ValueError:
            continue  # an unknown kind is reported on the Connections page, not fatal here
        found.append(
            Connection(
                name=str(table.get("name", name)),
                kind=kind,
                base_url=table.get("base_url"),
                api_key=Secret(table["api_key"]) if table.get("api_key") else None,
                region=table.get("region"),
                auth=auth,
                profile=table.get("profile"),
                access_key_id=table.get("aws_access_key_id"),
                secret_access_key=Secret(table["aws_secret_access_key"])
                if table.get("aws_secret_access_key")
                else None,
                session_token=Secret(table["aws_session_token"]) if table.get("aws_session_token") else None,
                endpoint_url=table.get("endpoint_url"),
                endpoint_name=table.get("endpoint_name"),
                model_path=table.get("model_path"),
                source="secrets",
                id=f"secrets-{name}",
            )
        )
    return found


def default_connections(environ: Mapping[str, str] = os.environ, secrets: Mapping | None = None) -> list[Connection]:
    local_path = environ.get("PLAYGROUND_LOCAL_GGUF") or None
    return [*connections_from_env(environ), *connections_from_secrets(secrets or {}), local_connection(local_path)]
