"""Where a model is served: one Connection per host the user can talk to."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field, replace

from playground.secrets import Secret


class Kind(enum.StrEnum):
    OPENAI = "openai"  # any OpenAI-compatible server, Bedrock /openai/v1 included
    LOCAL = "local"  # the embedded llama.cpp server (OpenAI-compatible underneath)
    BEDROCK_CONVERSE = "bedrock-converse"
    BEDROCK_INVOKE = "bedrock-invoke"
    SAGEMAKER = "sagemaker"


KIND_LABELS = {
    Kind.OPENAI: "OpenAI-compatible",
    Kind.LOCAL: "Local (embedded)",
    Kind.BEDROCK_CONVERSE: "Bedrock Converse",
    Kind.BEDROCK_INVOKE: "Bedrock InvokeModel",
    Kind.SAGEMAKER: "SageMaker endpoint",
}


class Auth(enum.StrEnum):
    DEFAULT_CHAIN = "default"  # environment, profile, SSO, instance role
    PROFILE = "profile"
    KEYS = "keys"
    API_KEY = "api_key"  # Bedrock API key (bearer token)


@dataclass(frozen=True)
class Connection:
    name: str
    kind: Kind
    base_url: str | None = None  # OpenAI-compatible hosts
    api_key: Secret | None = None  # OpenAI-compatible key, or Bedrock API key
    region: str | None = None
    auth: Auth = Auth.DEFAULT_CHAIN
    profile: str | None = None
    access_key_id: str | None = None
    secret_access_key: Secret | None = None
    session_token: Secret | None = None
    endpoint_url: str | None = None  # override for AWS service endpoints (tests, VPC endpoints)
    endpoint_name: str | None = None  # SageMaker endpoint
    model_path: str | None = None  # Local: a GGUF file; None = the shipped Gemma 3 270M
    source: str = "user"  # builtin, env, secrets or user
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])

    @property
    def label(self) -> str:
        return f"{self.name} · {KIND_LABELS[self.kind]}" if self.name != KIND_LABELS[self.kind] else self.name

    @property
    def is_bedrock_openai(self) -> bool:
        url = (self.base_url or "").lower()
        return self.kind == Kind.OPENAI and ("bedrock-runtime" in url or "bedrock-mantle" in url)

    def secrets(self) -> tuple[Secret | None, ...]:
        return (self.api_key, self.secret_access_key, self.session_token)

    def with_(self, **changes) -> Connection:
        return replace(self, **changes)

    def describe(self) -> dict:
        """A key-free summary, safe for the page, logs and exports."""
        aws = self.kind in (Kind.BEDROCK_CONVERSE, Kind.BEDROCK_INVOKE, Kind.SAGEMAKER)
        return {
            "name": self.name,
            "kind": KIND_LABELS[self.kind],
            "base_url": self.base_url,
            "region": self.region,
            "auth": self.auth.value if aws else None,
            "profile": self.profile,
            "key": self.api_key.masked() if self.api_key else None,
            "endpoint_name": self.endpoint_name,
            "endpoint_url": self.endpoint_url,
            "model_path": self.model_path,
        }


def local_connection(model_path: str | None = None) -> Connection:
    return Connection(name="Local (embedded)", kind=Kind.LOCAL, model_path=model_path, source="builtin", id="local")
