"""Listing models and endpoints, the live probe, and request shapes checked by botocore's Stubber
(which validates parameters and responses against AWS's own service model)."""

from __future__ import annotations

from botocore.stub import Stubber

from playground.connections import Auth, Connection, Kind
from playground.events import Finish, ReasoningDelta, TextDelta, Usage
from playground.models import BEDROCK_IDS
from playground.providers.aws import (
    discover_models,
    list_bedrock_models,
    list_sagemaker_endpoints,
    make_aws_provider,
    probe,
)
from playground.providers.aws.clients import endpoint_for, make_client
from playground.providers.aws.converse import ConverseProvider
from playground.request import Params, RunRequest
from playground.secrets import Secret
from tests.support.aws_fake import collect, error_reply, json_reply

CONN = Connection("b", Kind.BEDROCK_CONVERSE, region="us-west-2")
SM_CONN = Connection("s", Kind.SAGEMAKER, region="us-west-2")


def summary(model_id: str, status="ACTIVE", inference=("ON_DEMAND",)) -> dict:
    return {
        "modelArn": f"arn:aws:bedrock:us-west-2::foundation-model/{model_id}",
        "modelId": model_id,
        "providerName": "OpenAI",
        "outputModalities": ["TEXT"],
        "responseStreamingSupported": True,
        "inferenceTypesSupported": list(inference),
        "modelLifecycle": {"status": status},
    }


def test_list_foundation_models_request_and_filtering(fake):
    client = make_client(CONN, "bedrock")
    response = {
        "modelSummaries": [
            summary("openai.gpt-oss-20b-1:0"),
            summary("openai.gpt-oss-120b-1:0"),
            summary("openai.gpt-oss-old-v0", status="LEGACY"),
            summary("openai.gpt-oss-reserved", inference=("PROVISIONED",)),
        ]
    }
    with Stubber(client) as stub:
        stub.add_response("list_foundation_models", response, {"byProvider": "openai", "byOutputModality": "TEXT"})
        listing = list_bedrock_models(CONN, client)
        stub.assert_no_pending_responses()
    assert listing.discovered and listing.ids == ["openai.gpt-oss-120b-1:0", "openai.gpt-oss-20b-1:0"]


def test_access_denied_falls_back_to_known_ids_with_a_reason(fake):
    client = make_client(CONN, "bedrock")
    with Stubber(client) as stub:
        stub.add_client_error(
            "list_foundation_models",
            "AccessDeniedException",
            "not authorized to perform: bedrock:ListFoundationModels",
            403,
        )
        listing = list_bedrock_models(CONN, client)
    assert not listing.discovered and listing.ids == list(BEDROCK_IDS)
    assert "bedrock:ListFoundationModels" in listing.message and "Permission denied" in listing.message


def test_list_endpoints_in_service_across_pages(fake):
    client = make_client(SM_CONN, "sagemaker")
    page = {
        "EndpointName": "",
        "EndpointArn": "arn:aws:sagemaker:us-west-2:1:endpoint/x",
        "CreationTime": "2026-01-01",
        "LastModifiedTime": "2026-01-01",
        "EndpointStatus": "InService",
    }
    with Stubber(client) as stub:
        stub.add_response(
            "list_endpoints",
            {"Endpoints": [{**page, "EndpointName": "b-ep"}], "NextToken": "t1"},
            {"StatusEquals": "InService", "MaxResults": 100},
        )
        stub.add_response(
            "list_endpoints",
            {"Endpoints": [{**page, "EndpointName": "a-ep"}]},
            {"StatusEquals": "InService", "MaxResults": 100, "NextToken": "t1"},
        )
        listing = list_sagemaker_endpoints(SM_CONN, client)
        stub.assert_no_pending_responses()
    assert listing.ids == ["a-ep", "b-ep"] and listing.discovered


def test_sagemaker_connection_with_a_named_endpoint_offers_just_that():
    assert discover_models(SM_CONN.with_(endpoint_name="mine")).ids == ["mine"]


def test_non_streaming_converse_shape_validated_by_stubber(fake):
    client = make_client(CONN, "bedrock-runtime")
    request = RunRequest(
        "openai.gpt-oss-120b-1:0",
        (
            {"role": "user", "content": "Q"},
            {"role": "assistant", "content": "<reasoning>old</reasoning>A"},
            {"role": "user", "content": "Q2"},
        ),
        system_prompt="Sys",
        params=Params(stream=False, temperature=0.5, top_p=None, max_tokens=200, reasoning_effort="high"),
    )
    expected = {
        "modelId": "openai.gpt-oss-120b-1:0",
        "messages": [
            {"role": "user", "content": [{"text": "Q"}]},
            {"role": "assistant", "content": [{"text": "A"}]},
            {"role": "user", "content": [{"text": "Q2"}]},
        ],
        "system": [{"text": "Sys"}],
        "inferenceConfig": {"maxTokens": 200, "temperature": 0.5},
        "additionalModelRequestFields": {"reasoning_effort": "high"},
    }
    response = {
        "output": {
            "message": {
                "role": "assistant",
                "content": [{"reasoningContent": {"reasoningText": {"text": "R"}}}, {"text": "T"}],
            }
        },
        "stopReason": "end_turn",
        "usage": {"inputTokens": 1, "outputTokens": 2, "totalTokens": 3},
        "metrics": {"latencyMs": 40},
    }
    with Stubber(client) as stub:
        stub.add_response("converse", response, expected)
        events = collect(ConverseProvider(CONN, client=client), request)
        stub.assert_no_pending_responses()
    assert [type(e) for e in events] == [ReasoningDelta, TextDelta, Usage, Finish]


def test_foundation_models_through_the_env_endpoint(fake, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK", fake.url)
    fake.push("foundation-models", json_reply({"modelSummaries": [summary("openai.gpt-oss-20b-1:0")]}))
    assert list_bedrock_models(CONN).ids == ["openai.gpt-oss-20b-1:0"]
    sent = fake.requests[-1]
    assert sent.method == "GET" and sent.query == {"byProvider": ["openai"], "byOutputModality": ["TEXT"]}
    assert "/us-west-2/bedrock/aws4_request" in sent.headers["authorization"]


def test_list_endpoints_through_a_loopback_endpoint_url(fake):
    fake.push(
        "ListEndpoints",
        json_reply(
            {
                "Endpoints": [
                    {
                        "EndpointName": "gpt-oss-ep",
                        "EndpointArn": "a",
                        "CreationTime": 1,
                        "LastModifiedTime": 1,
                        "EndpointStatus": "InService",
                    }
                ]
            }
        ),
    )
    listing = list_sagemaker_endpoints(SM_CONN.with_(endpoint_url=fake.url))
    assert listing.ids == ["gpt-oss-ep"]
    assert fake.requests[-1].headers["x-amz-target"] == "SageMaker.ListEndpoints"
    assert fake.requests[-1].json() == {"StatusEquals": "InService", "MaxResults": 100}


def test_runtime_endpoint_url_is_not_used_for_the_control_plane():
    vpce = "https://vpce-0abc.bedrock-runtime.us-west-2.vpce.amazonaws.com"
    conn = CONN.with_(endpoint_url=vpce)
    assert endpoint_for(conn, "bedrock-runtime") == vpce and endpoint_for(conn, "bedrock") is None
    assert endpoint_for(CONN.with_(endpoint_url="http://127.0.0.1:9"), "bedrock") == "http://127.0.0.1:9"


def test_provider_list_models_uses_discovery(fake, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK", fake.url)
    fake.push("foundation-models", error_reply(403, "AccessDeniedException", "denied"))
    assert make_aws_provider(CONN).list_models() == list(BEDROCK_IDS)


def test_probe_makes_one_cheap_real_call(fake):
    ok, message, latency = probe(CONN.with_(endpoint_url=fake.url))
    assert ok and "openai.gpt-oss-20b-1:0" in message and 0 < latency < 5
    (sent,) = fake.requests
    assert sent.path == "/model/openai.gpt-oss-20b-1:0/converse"
    assert sent.json()["inferenceConfig"] == {"maxTokens": 1}
    assert sent.json()["additionalModelRequestFields"] == {"reasoning_effort": "low"}


def test_probe_reports_failure(fake):
    fake.push(
        "converse",
        error_reply(403, "AccessDeniedException", "Authentication failed: Please make sure your API Key is valid."),
    )
    conn = CONN.with_(endpoint_url=fake.url, auth=Auth.API_KEY, api_key=Secret("bedrock-api-key-UFJPQkUtS0VZ"))
    ok, message, _latency = probe(conn)
    assert not ok and message.startswith("Authentication failed:") and "UFJPQkUtS0VZ" not in message
    assert len(fake.requests) == 1  # a probe does not retry


def test_probe_sagemaker_endpoint(fake):
    ok, _message, _latency = probe(SM_CONN.with_(endpoint_url=fake.url, endpoint_name="gpt-oss-ep"))
    assert ok and fake.requests[-1].path == "/endpoints/gpt-oss-ep/invocations"
    assert fake.requests[-1].json()["max_tokens"] == 1
