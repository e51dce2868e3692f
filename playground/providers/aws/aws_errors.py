"""botocore exceptions → typed Failures with a message a user can act on (keys redacted)."""

from __future__ import annotations

from dataclasses import dataclass

import urllib3.exceptions
from botocore import exceptions as bx

from playground.connections import Auth, Connection
from playground.events import Failure, FailureKind
from playground.providers.aws.clients import ConfigError, resolve_region
from playground.providers.aws.retries import THROTTLE_CODES
from playground.secrets import redact

CONTEXT_MARKERS = (
    "too long",
    "context length",
    "context limit",
    "context window",
    "maximum context",
    "exceeds the context",
)
AUTH_CODES = {
    "unrecognizedclientexception",
    "invalidsignatureexception",
    "incompletesignatureexception",
    "expiredtokenexception",
    "invalidclienttokenid",
    "missingauthenticationtokenexception",
    "unauthorizedexception",
}
SERVER_CODES = {
    "internalserverexception",
    "serviceunavailableexception",
    "internalfailure",
    "serviceunavailable",
    "internalstreamfailure",
    "internaldependencyexception",
}


class HostStreamError(Exception):
    """The host put an error, or something that is not JSON, inside an otherwise healthy stream."""


@dataclass
class ErrorContext:
    connection: Connection
    service: str  # "bedrock-runtime", "sagemaker-runtime", ...
    model: str = ""  # model id, or the SageMaker endpoint name
    retries: int = 0  # botocore retries seen by the hooks
    read_timeout_s: float = 300.0
    endpoint_url: str | None = None

    @property
    def region(self) -> str:
        return resolve_region(self.connection) or "the default region"


def failure_from_error(exc: BaseException, ctx: ErrorContext, mid_stream: bool = False) -> Failure:
    kind, text, status = _classify(exc, ctx, mid_stream)
    if mid_stream:
        text = f"The answer broke off mid-stream; the text so far is kept. {text}"
    secrets = (*ctx.connection.secrets(), ctx.connection.access_key_id)
    return Failure(kind, redact(text, *secrets), status=status)


def _classify(exc: BaseException, ctx: ErrorContext, mid_stream: bool) -> tuple[FailureKind, str, int | None]:
    if isinstance(exc, bx.ClientError):  # EventStreamError (mid-stream) is a ClientError too
        return _client_error(exc, ctx, mid_stream)
    where = ctx.endpoint_url or f"AWS {ctx.service} in {ctx.region}"
    if isinstance(exc, bx.ConnectTimeoutError | bx.EndpointConnectionError):
        return FailureKind.CONNECTION, f"Cannot reach {where}: {exc}. Check the region, network and endpoint URL.", None
    # Reading an event stream raises urllib3's own errors: botocore wraps only the initial response.
    if isinstance(exc, bx.ReadTimeoutError | urllib3.exceptions.ReadTimeoutError | TimeoutError):
        if mid_stream:
            return FailureKind.TIMEOUT, f"No data arrived for {ctx.read_timeout_s:g} s (read timeout).", None
        return (
            FailureKind.TIMEOUT,
            f"No answer from {where} within the {ctx.read_timeout_s:g} s read timeout (not retried: a retry "
            "would run and bill the model again). For long high-effort answers turn streaming on.",
            None,
        )
    if isinstance(exc, ConfigError):
        return FailureKind.BAD_REQUEST, str(exc), None
    if isinstance(exc, bx.NoRegionError):
        return FailureKind.BAD_REQUEST, "No AWS region: set one on the connection, or AWS_REGION.", None
    if isinstance(exc, bx.ProfileNotFound):
        profile = exc.kwargs.get("profile") or ctx.connection.profile
        return FailureKind.AUTH, f"The AWS profile `{profile}` is not in ~/.aws/config.", None
    if isinstance(exc, bx.NoCredentialsError):
        return (
            FailureKind.AUTH,
            "No AWS credentials found (environment, ~/.aws, SSO, instance role): set access keys, a profile "
            "or a Bedrock API key on this connection.",
            None,
        )
    if isinstance(exc, bx.TokenRetrievalError | bx.SSOError):
        return FailureKind.AUTH, f"The SSO session has expired or is missing: run `aws sso login`. ({exc})", None
    if isinstance(exc, bx.PartialCredentialsError | bx.CredentialRetrievalError):
        return FailureKind.AUTH, f"The AWS credentials are incomplete or could not be loaded: {exc}", None
    if isinstance(exc, bx.ParamValidationError):
        return FailureKind.BAD_REQUEST, f"boto3 refused the request before sending it: {exc}", None
    if isinstance(exc, HostStreamError):
        kind = FailureKind.CONTEXT_TOO_LONG if _is_context(str(exc)) else FailureKind.INTERRUPTED
        return kind, f"The host reported: {exc}", None
    what = "The connection broke" if mid_stream else "Unexpected error talking to AWS"
    return FailureKind.INTERRUPTED, f"{what}: {type(exc).__name__}: {exc}", None


def _is_context(text: str) -> bool:
    lowered = text.lower()
    return any(m in lowered for m in CONTEXT_MARKERS)


def _client_error(exc: bx.ClientError, ctx: ErrorContext, mid_stream: bool) -> tuple[FailureKind, str, int | None]:
    response = exc.response or {}
    error = response.get("Error") or {}
    code = error.get("Code") or ""
    message = error.get("Message") or response.get("message") or response.get("Message") or ""
    meta = response.get("ResponseMetadata") or {}
    status = meta.get("HTTPStatusCode")
    retried = max(ctx.retries, meta.get("RetryAttempts") or 0)
    said = f"AWS said ({code}{f', HTTP {status}' if status else ''}): {message}"
    kind, advice = _advice(code.lower(), message, status, ctx, retried, mid_stream, response)
    return kind, f"{advice} {said}", status


def _advice(code, message, status, ctx, retried, mid_stream, response) -> tuple[FailureKind, str]:
    low = message.lower()
    bare = code if code.endswith("exception") or code in THROTTLE_CODES else code + "exception"
    if "authentication failed" in low or bare in AUTH_CODES or code in AUTH_CODES or status == 401:
        if ctx.connection.auth == Auth.API_KEY:
            return FailureKind.AUTH, (
                f"The Bedrock API key is invalid, expired, or for another region (short-term keys work only "
                f"in the region that issued them; this connection calls {ctx.region})."
            )
        return (
            FailureKind.AUTH,
            "The AWS credentials were rejected: invalid or expired (refresh the session), or the wrong region.",
        )
    if "access to the model" in low:
        return FailureKind.PERMISSION, (
            "Model access is being set up (the first call to a marketplace model subscribes the account and "
            "can take a few minutes), or the IAM identity lacks aws-marketplace permissions: retry in a few minutes."
        )
    if bare == "accessdeniedexception" or status == 403:
        action = (
            "sagemaker:InvokeEndpoint"
            if "sagemaker" in ctx.service
            else "bedrock:InvokeModel / InvokeModelWithResponseStream"
        )
        return (
            FailureKind.PERMISSION,
            f"These credentials are not allowed to do this: the IAM policy needs {action} for `{ctx.model}`.",
        )
    if _is_context(message):
        return (
            FailureKind.CONTEXT_TOO_LONG,
            "The conversation is longer than the model's context: clear it or shorten the prompt.",
        )
    if "could not find endpoint" in low or ("endpoint" in low and "not found" in low):
        return FailureKind.NOT_FOUND, (
            f"The SageMaker endpoint `{ctx.model}` was not found or is not InService in {ctx.region}: check the name, "
            "the region and the endpoint's status."
        )
    if bare == "resourcenotfoundexception" or "model identifier is invalid" in low or status == 404:
        return (
            FailureKind.NOT_FOUND,
            f"Bedrock does not offer `{ctx.model}` in {ctx.region}: check the model id and the region.",
        )
    if "on-demand throughput" in low:
        return (
            FailureKind.BAD_REQUEST,
            "This model must be called through an inference profile: use the profile id or ARN.",
        )
    if code in THROTTLE_CODES or bare in THROTTLE_CODES or status == 429:
        what = {
            "modelnotreadyexception": "The model is not ready yet (loading or scaling).",
            "servicequotaexceededexception": "An account quota for this model is used up.",
        }.get(bare, "AWS is throttling requests to this model.")
        tried = (
            "not retried: the answer had started"
            if mid_stream
            else f"botocore retried {retried} time{'s' * (retried != 1)}"
        )
        return FailureKind.THROTTLED, f"{what} (throttled; {tried}.) Wait a moment and send again."
    if bare == "modeltimeoutexception" or status == 408:
        return FailureKind.TIMEOUT, (
            "The model took too long (not retried: a retry would be billed again). Turn streaming on, or lower "
            "the effort or max tokens."
        )
    if bare == "modelerrorexception":  # Bedrock ModelErrorException and SageMaker ModelError
        original = response.get("OriginalStatusCode")
        detail = response.get("OriginalMessage") or message
        logs = f" Logs: {response['LogStreamArn']}." if response.get("LogStreamArn") else ""
        head = f"The model container failed (HTTP {original})" if original else "The model failed while answering"
        return FailureKind.SERVER_ERROR, f"{head}: {detail}.{logs}"
    if bare == "modelstreamerrorexception":
        return FailureKind.SERVER_ERROR, "The model failed mid-stream."
    if bare in SERVER_CODES or code in SERVER_CODES or (status or 0) >= 500:
        return FailureKind.SERVER_ERROR, "AWS had an internal error or is unavailable: retry in a moment."
    if "reasoning_effort" in low:
        return (
            FailureKind.BAD_REQUEST,
            "The model rejected `reasoning_effort`: turn the effort setting off and send again.",
        )
    return FailureKind.BAD_REQUEST, "AWS rejected the request."
