"""Bedrock InvokeModel / InvokeModelWithResponseStream with a Chat Completions JSON body.

The body carries no `model` (the URL names it) and no `stream` (Bedrock takes `stream` false or
absent here; streaming is chosen by the operation). Reasoning comes back inside the content as
`<reasoning>` tags, every streamed delta wrapped on its own, which the ContentNormaliser undoes.
Usage: the stream's last chunk carries `amazon-bedrock-invocationMetrics`; the non-streamed answer
has `usage` and the `x-amzn-bedrock-*-token-count` headers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from playground.events import Event
from playground.providers.aws.aws_errors import HostStreamError
from playground.providers.aws.base import AwsProvider, Reader
from playground.providers.aws.completions import ChunkReader, chat_body, usage_from_headers, whole_body, whole_events
from playground.request import RunRequest


def invoke_body(request: RunRequest) -> dict:
    return chat_body(request, stream=False)


def _headers(response: dict) -> dict:
    return (response.get("ResponseMetadata") or {}).get("HTTPHeaders") or {}


def _json(data: bytes) -> object:
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise HostStreamError(f"a chunk that is not JSON: {data[:120]!r}") from exc


class InvokeStreamReader(Reader):
    def __init__(self) -> None:
        self.chunks = ChunkReader()

    def read(self, response: dict) -> Iterator[Event]:
        for item in response["body"]:
            if "chunk" in item:
                yield from self.chunks.feed(_json(item["chunk"].get("bytes") or b""))
        yield from self.chunks.end(fallback_usage=usage_from_headers(_headers(response)))

    def flush(self) -> list[Event]:
        return self.chunks.flush()


class InvokeReader(Reader):
    def read(self, response: dict) -> Iterator[Event]:
        obj = whole_body(response["body"].read())
        yield from whole_events(obj, fallback_usage=usage_from_headers(_headers(response)))


class InvokeProvider(AwsProvider):
    service = "bedrock-runtime"

    def call(self, request: RunRequest) -> dict:
        kwargs = {
            "modelId": request.model,
            "body": json.dumps(invoke_body(request)).encode(),
            "contentType": "application/json",
            "accept": "application/json",
        }
        if request.params.stream:
            return self.client.invoke_model_with_response_stream(**kwargs)
        return self.client.invoke_model(**kwargs)

    def reader(self, request: RunRequest) -> Reader:
        return InvokeStreamReader() if request.params.stream else InvokeReader()
