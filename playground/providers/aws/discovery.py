"""What an AWS connection can call (Bedrock models, SageMaker endpoints), and a live probe."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from playground.connections import Connection, Kind
from playground.events import Failure, Finish
from playground.models import BEDROCK_IDS
from playground.providers.aws.aws_errors import ErrorContext, failure_from_error
from playground.providers.aws.clients import ClientSettings, make_client, resolve_region
from playground.request import Params, RunRequest

LIST_SETTINGS = ClientSettings(read_timeout_s=20.0, connect_timeout_s=5.0, max_attempts=2)
PROBE_SETTINGS = ClientSettings(read_timeout_s=60.0, connect_timeout_s=5.0, max_attempts=1)
PROBE_MODEL = "openai.gpt-oss-20b-1:0"  # the cheaper of the two


@dataclass(frozen=True)
class ModelList:
    """Ids to offer, and when they are not a live listing, why (shown next to the picker)."""

    ids: list[str] = field(default_factory=list)
    message: str = ""
    discovered: bool = True


def list_bedrock_models(connection: Connection, client=None) -> ModelList:
    """OpenAI text models from the Bedrock control plane; the known gpt-oss ids when listing fails."""
    ctx = ErrorContext(connection, "bedrock", read_timeout_s=LIST_SETTINGS.read_timeout_s)
    try:
        client = client or make_client(connection, "bedrock", LIST_SETTINGS)
        summaries = client.list_foundation_models(byProvider="openai", byOutputModality="TEXT")["modelSummaries"]
    except Exception as exc:  # no permission to list is common when invoking is allowed
        failure = failure_from_error(exc, ctx)
        return ModelList(
            list(BEDROCK_IDS),
            f"Could not list Bedrock models ({failure.title}: {failure.message}) Showing the known gpt-oss ids; "
            "listing needs bedrock:ListFoundationModels, calling a model does not.",
            discovered=False,
        )
    ids = sorted(
        s["modelId"]
        for s in summaries
        if (s.get("modelLifecycle") or {}).get("status", "ACTIVE") == "ACTIVE"
        and "ON_DEMAND" in (s.get("inferenceTypesSupported") or ["ON_DEMAND"])
    )
    if not ids:
        region = resolve_region(connection) or "this region"
        return ModelList(
            list(BEDROCK_IDS), f"Bedrock lists no OpenAI models in {region}: showing the known ids.", False
        )
    return ModelList(ids)


def list_sagemaker_endpoints(connection: Connection, client=None) -> ModelList:
    """InService endpoints; a connection that names its endpoint offers just that one."""
    if connection.endpoint_name:
        return ModelList([connection.endpoint_name])
    ctx = ErrorContext(connection, "sagemaker", read_timeout_s=LIST_SETTINGS.read_timeout_s)
    try:
        client = client or make_client(connection, "sagemaker", LIST_SETTINGS)
        names: list[str] = []
        kwargs = {"StatusEquals": "InService", "MaxResults": 100}
        while True:
            page = client.list_endpoints(**kwargs)
            names += [e["EndpointName"] for e in page.get("Endpoints", [])]
            if not page.get("NextToken"):
                break
            kwargs["NextToken"] = page["NextToken"]
    except Exception as exc:
        failure = failure_from_error(exc, ctx)
        return ModelList([], f"Could not list SageMaker endpoints ({failure.title}: {failure.message})", False)
    if not names:
        return ModelList([], "No SageMaker endpoint is InService in this region.", False)
    return ModelList(sorted(names))


def discover_models(connection: Connection) -> ModelList:
    if connection.kind == Kind.SAGEMAKER:
        return list_sagemaker_endpoints(connection)
    return list_bedrock_models(connection)


def list_models(connection: Connection) -> list[str]:
    return discover_models(connection).ids


def probe(connection: Connection, model: str | None = None) -> tuple[bool, str, float]:
    """Make a real one-token call: (ok, message for the page, seconds it took)."""
    from playground.providers.aws import make_aws_provider

    target = model or (connection.endpoint_name if connection.kind == Kind.SAGEMAKER else PROBE_MODEL) or ""
    params = Params(temperature=None, top_p=None, max_tokens=1, reasoning_effort="low", stream=False)
    request = RunRequest(model=target, messages=({"role": "user", "content": "Reply with OK."},), params=params)
    provider = make_aws_provider(connection, PROBE_SETTINGS)
    started = time.perf_counter()
    failure: Failure | None = None
    finish: Finish | None = None
    for event in provider.stream(request):
        if isinstance(event, Failure):
            failure = event
        elif isinstance(event, Finish):
            finish = event
    latency = time.perf_counter() - started
    if failure is not None:
        return False, f"{failure.title}: {failure.message}", latency
    if finish is None:
        return False, "The host answered without finishing the reply.", latency
    where = resolve_region(connection) or "the default region"
    return True, f"Connected: `{target}` in {where} answered in {latency:.2f} s.", latency
