"""botocore clients (what boto3 wraps) for a Connection: credentials, region, endpoint, timeouts.

Auth, and why it is done this way:
- IAM (default chain, profile, keys): SigV4 is forced with `signature_version="v4"`. Otherwise
  botocore signs every bedrock / bedrock-runtime request with `AWS_BEARER_TOKEN_BEDROCK` from the
  process environment whenever it is set, even when this connection carries its own keys.
- Bedrock API key: the client is UNSIGNED (so botocore neither looks for credentials nor picks up
  the environment token) and a `before-sign` hook on this one client adds
  `Authorization: Bearer <key>`. The key never goes into `os.environ`, which every browser
  session of the server shares.

Endpoints: `connection.endpoint_url` when set, else botocore's own `AWS_ENDPOINT_URL_<SERVICE>`
variables, else the regional AWS endpoint.
"""

from __future__ import annotations

import ipaddress
import os
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import botocore
import botocore.loaders
import botocore.session
from botocore.config import Config

from playground.connections import Auth, Connection
from playground.providers.aws import retries
from playground.secrets import Secret

BEARER_SERVICES = {"bedrock", "bedrock-runtime"}  # SageMaker takes SigV4 only
CLIENT_TTL_S = 600.0  # then rebuilt, so rotated profiles and files are picked up
MAX_CLIENTS = 32
CONTROL_PLANES = {"bedrock", "sagemaker"}
USER_AGENT = "gpt-oss-playground"


@dataclass(frozen=True, slots=True)
class ClientSettings:
    read_timeout_s: float = 300.0  # high-effort non-streaming answers take minutes
    connect_timeout_s: float = 10.0
    max_attempts: int = 3  # in all, first try included (standard mode's own default)


class ConfigError(Exception):
    """The connection cannot make a client as configured; the message says what to fix."""


def resolve_region(connection: Connection) -> str | None:
    """The connection's region, else AWS_REGION / AWS_DEFAULT_REGION; None lets a profile decide."""
    return connection.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or None


_loader_lock = threading.Lock()
_loader: botocore.loaders.Loader | None = None


def _shared_loader() -> botocore.loaders.Loader:
    """One data loader for every session: it memoises the parsed service models, which makes a
    new client ~10x cheaper (each session would otherwise re-read and parse the JSON)."""
    global _loader
    with _loader_lock:
        if _loader is None:
            _loader = botocore.loaders.create_loader(os.environ.get("AWS_DATA_PATH"))
        return _loader


def make_session(connection: Connection) -> botocore.session.Session:
    """A botocore session for the connection's credentials (boto3.Session would add nothing we use,
    and appends to the shared loader's search path on every construction)."""
    if connection.auth == Auth.PROFILE and not connection.profile:
        raise ConfigError("This connection uses a named AWS profile but names none.")
    if connection.auth == Auth.KEYS and not (connection.access_key_id and connection.secret_access_key):
        raise ConfigError("This connection uses access keys: both the key id and the secret key are needed.")
    profile = connection.profile if connection.auth == Auth.PROFILE else None
    session = botocore.session.Session(profile=profile)
    session.register_component("data_loader", _shared_loader())
    if profile:
        session.get_scoped_config()  # raises ProfileNotFound now, not mid-call
    return session


def _credential_kwargs(connection: Connection) -> dict:
    if connection.auth != Auth.KEYS:
        return {}  # default chain or profile: the session resolves them; API keys need none
    token = connection.session_token.reveal() if connection.session_token else None
    return {
        "aws_access_key_id": connection.access_key_id,
        "aws_secret_access_key": connection.secret_access_key.reveal(),
        "aws_session_token": token or None,
    }


def endpoint_for(connection: Connection, service: str) -> str | None:
    """The endpoint override for `service`, or None to let botocore resolve it (env vars included).

    A connection's endpoint_url is meant for the runtime it calls; a control plane only shares it
    when it is not a runtime-specific host (a loopback test server or proxy serving both)."""
    url = connection.endpoint_url
    if not url:
        return None
    if service in CONTROL_PLANES and "runtime" in (urlsplit(url).hostname or ""):
        return None
    return url


def make_client(connection: Connection, service: str, settings: ClientSettings | None = None):
    """A botocore client for `service` ("bedrock-runtime", "sagemaker-runtime", "bedrock", "sagemaker")."""
    settings = settings or ClientSettings()
    bearer = connection.auth == Auth.API_KEY
    if bearer and service not in BEARER_SERVICES:
        raise ConfigError("SageMaker accepts AWS credentials (SigV4) only, not a Bedrock API key.")
    if bearer and not connection.api_key:
        raise ConfigError("This connection uses a Bedrock API key but none is set.")
    config = Config(
        # total_max_attempts counts the first try; botocore's `max_attempts` key counts retries only
        # (it would make 3 into 4 calls).
        retries={"mode": "standard", "total_max_attempts": settings.max_attempts},
        read_timeout=settings.read_timeout_s,
        connect_timeout=settings.connect_timeout_s,
        signature_version=botocore.UNSIGNED if bearer else "v4",
        user_agent_extra=USER_AGENT,
    )
    client = make_session(connection).create_client(
        service,
        region_name=resolve_region(connection),
        endpoint_url=endpoint_for(connection, service),
        config=config,
        **_credential_kwargs(connection),
    )
    retries.install(client, settings.max_attempts)
    if bearer:
        hook = _bearer_hook(connection.api_key)
        client.meta.events.register(f"before-sign.{_event_name(client)}", hook, unique_id="playground-bearer")
    return client


def _event_name(client) -> str:
    return client.meta.service_model.service_id.hyphenize()


def _bearer_hook(key: Secret):
    def add_bearer(request=None, **_) -> None:
        refuse_plain_http(request.url)
        request.headers["Authorization"] = f"Bearer {key.reveal()}"

    return add_bearer


def refuse_plain_http(url: str) -> None:
    """A bearer key is a password in clear: only HTTPS, or HTTP to this machine (tests, local proxies).
    botocore's own bearer signer refuses non-HTTPS outright; loopback is the one safe exception."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return
    host = (parts.hostname or "").lower()
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ConfigError(
            f"Refusing to send a Bedrock API key over plain HTTP to {parts.hostname}: use an https:// endpoint."
        )


_cache_lock = threading.Lock()
_cache: dict[tuple, tuple[float, object]] = {}


def get_client(connection: Connection, service: str, settings: ClientSettings | None = None):
    """`make_client`, memoised: building a client costs tens of milliseconds and a fresh one also
    pays a new TLS handshake, which would show up in every run's time to first token. The key
    holds the AWS_* environment too, because botocore reads endpoints and credentials from it."""
    settings = settings or ClientSettings()
    env = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("AWS_")))
    key = (connection, service, settings, env)
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None and now - hit[0] < CLIENT_TTL_S:
            return hit[1]
    client = make_client(connection, service, settings)
    with _cache_lock:
        if len(_cache) >= MAX_CLIENTS:
            del _cache[min(_cache, key=lambda k: _cache[k][0])]
        _cache[key] = (now, client)
    return client
