"""One adapter per wire protocol. Each turns a RunRequest into engine events.

A provider has two methods:

    stream(request, cancel) -> Iterator[Event]   # never raises for host or transport faults:
                                                  # they end the stream as a Failure event
    list_models() -> list[str]

`make_provider(connection)` picks the adapter for a Connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from playground.cancel import CancelToken
from playground.connections import Connection, Kind
from playground.events import Event
from playground.request import RunRequest


class Provider(Protocol):
    def stream(self, request: RunRequest, cancel: CancelToken | None = None) -> Iterator[Event]: ...

    def list_models(self) -> list[str]: ...


def make_provider(connection: Connection) -> Provider:
    if connection.kind == Kind.OPENAI:
        from playground.providers.openai_compat import OpenAICompatProvider

        return OpenAICompatProvider(connection.base_url or "", connection.api_key)
    if connection.kind == Kind.LOCAL:
        from playground.local_server import local_provider

        return local_provider(connection.model_path)
    if connection.kind in (Kind.BEDROCK_CONVERSE, Kind.BEDROCK_INVOKE, Kind.SAGEMAKER):
        from playground.providers.aws import make_aws_provider

        return make_aws_provider(connection)
    raise ValueError(f"unknown connection kind {connection.kind!r}")
