"""gpt-oss on AWS: Bedrock Converse, Bedrock InvokeModel and SageMaker endpoints through boto3.

make_aws_provider(connection) -> Provider     # stream(request, cancel), list_models()
discover_models(connection) -> ModelList      # ids + why they are a fallback
list_models(connection) -> list[str]
probe(connection, model=None) -> (ok, message, latency_s)   # a real one-token call
"""

from __future__ import annotations

from playground.connections import Connection, Kind
from playground.providers import Provider
from playground.providers.aws.clients import ClientSettings
from playground.providers.aws.discovery import (
    ModelList,
    discover_models,
    list_bedrock_models,
    list_models,
    list_sagemaker_endpoints,
    probe,
)


def make_aws_provider(connection: Connection, settings: ClientSettings | None = None) -> Provider:
    """The provider for an AWS connection; `settings` tune timeouts and retries (tests, probes)."""
    if connection.kind == Kind.BEDROCK_CONVERSE:
        from playground.providers.aws.converse import ConverseProvider

        return ConverseProvider(connection, settings)
    if connection.kind == Kind.BEDROCK_INVOKE:
        from playground.providers.aws.invoke import InvokeProvider

        return InvokeProvider(connection, settings)
    if connection.kind == Kind.SAGEMAKER:
        from playground.providers.aws.sagemaker import SageMakerProvider

        return SageMakerProvider(connection, settings)
    raise ValueError(f"not an AWS connection kind: {connection.kind!r}")


__all__ = [
    "ClientSettings",
    "ModelList",
    "discover_models",
    "list_bedrock_models",
    "list_models",
    "list_sagemaker_endpoints",
    "make_aws_provider",
    "probe",
]
