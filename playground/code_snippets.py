"""The "View code" panel: the exact call for the current settings, key replaced by a variable."""

from __future__ import annotations

import json
import pprint
import shlex

from playground.connections import Connection, Kind
from playground.providers.openai_compat import build_kwargs
from playground.request import RunRequest

KEY_VARIABLE = "OPENAI_API_KEY"


def _py_literal(value) -> str:
    return pprint.pformat(value, indent=1, width=88, sort_dicts=False)


def _call_args(kwargs: dict) -> list[str]:
    """`    name=<literal>,` lines for a call, continuation lines indented with it."""
    return [f"    {key}={_py_literal(value).replace(chr(10), chr(10) + '    ')}," for key, value in kwargs.items()]


def openai_python(connection: Connection, request: RunRequest) -> str:
    kwargs = build_kwargs(request)
    base_url = connection.base_url or "http://127.0.0.1:8080/v1"
    key = f'os.environ["{KEY_VARIABLE}"]'
    lines = ["import os", "from openai import OpenAI", ""]
    if connection.kind == Kind.LOCAL:
        lines.append("# The embedded llama.cpp server listens on a loopback port chosen when the app starts.")
        key = '"not-needed"'
    lines += [
        f'client = OpenAI(base_url="{base_url}", api_key={key})',
        "response = client.chat.completions.create(",
    ]
    lines += [*_call_args(kwargs), ")"]
    if kwargs.get("stream"):
        lines += [
            "for chunk in response:",
            "    delta = chunk.choices[0].delta if chunk.choices else None",
            "    if delta:",
            "        # gpt-oss reasoning arrives as delta.reasoning, delta.reasoning_content or <reasoning> tags",
            '        print(delta.content or "", end="", flush=True)',
        ]
    else:
        lines.append("print(response.choices[0].message.content)")
    return "\n".join(lines)


def curl(connection: Connection, request: RunRequest) -> str:
    base_url = (connection.base_url or "http://127.0.0.1:8080/v1").rstrip("/")
    body = json.dumps(build_kwargs(request), ensure_ascii=False, indent=2)
    return (
        f"curl {shlex.quote(base_url + '/chat/completions')} \\\n"
        f'  -H "Authorization: Bearer ${KEY_VARIABLE}" \\\n'
        '  -H "Content-Type: application/json" \\\n'
        f"  -d {shlex.quote(body)}"
    )


def boto3_converse(connection: Connection, request: RunRequest) -> str:
    from playground.providers.aws.converse import converse_kwargs

    kwargs = converse_kwargs(request)
    call = "converse_stream" if request.params.stream else "converse"
    lines = [
        "import boto3",
        "",
        f'client = boto3.client("bedrock-runtime", region_name="{connection.region or "us-west-2"}")',
        f"response = client.{call}(",
        *_call_args(kwargs),
        ")",
    ]
    if request.params.stream:
        lines += [
            'for event in response["stream"]:',
            '    delta = event.get("contentBlockDelta", {}).get("delta", {})',
            '    if "reasoningContent" in delta:',
            '        print(delta["reasoningContent"].get("text", ""), end="")  # chain of thought',
            '    elif "text" in delta:',
            '        print(delta["text"], end="", flush=True)',
        ]
    else:
        lines.append('print(response["output"]["message"]["content"])')
    return "\n".join(lines)


def boto3_invoke(connection: Connection, request: RunRequest) -> str:
    from playground.providers.aws.invoke import invoke_body

    body = _py_literal(invoke_body(request)).replace("\n", "\n    ")
    return "\n".join(
        [
            "import json",
            "import boto3",
            "",
            f'client = boto3.client("bedrock-runtime", region_name="{connection.region or "us-west-2"}")',
            "response = client.invoke_model(",
            f'    modelId="{request.model}",',
            f"    body=json.dumps({body}),",
            ")",
            'print(json.loads(response["body"].read())["choices"][0]["message"]["content"])',
        ]
    )


def boto3_sagemaker(connection: Connection, request: RunRequest) -> str:
    from playground.providers.aws.completions import chat_body

    body = chat_body(request, stream=False)  # what the SageMaker provider sends when not streaming
    return "\n".join(
        [
            "import json",
            "import boto3",
            "",
            f'client = boto3.client("sagemaker-runtime", region_name="{connection.region or "us-west-2"}")',
            "response = client.invoke_endpoint(",
            f'    EndpointName="{request.model or connection.endpoint_name}",',
            '    ContentType="application/json",',
            f"    Body=json.dumps({_py_literal(body)}),".replace("\n", "\n    "),
            ")",
            'print(json.loads(response["Body"].read())["choices"][0]["message"]["content"])',
        ]
    )


def strands(connection: Connection, request: RunRequest) -> str:
    effort = request.params.reasoning_effort or "medium"
    prompt = request.messages[-1]["content"] if request.messages else "Hello!"
    return "\n".join(
        [
            "from strands import Agent",
            "from strands.models import BedrockModel",
            "",
            "model = BedrockModel(",
            f'    model_id="{request.model}",',
            f'    region_name="{connection.region or "us-west-2"}",',
            f'    additional_request_fields={{"reasoning_effort": "{effort}"}},',
            ")",
            f"agent = Agent(model=model, system_prompt={json.dumps(request.system_prompt or None)})".replace(
                "null", "None"
            ),
            f"agent({json.dumps(prompt, ensure_ascii=False)})",
        ]
    )


def snippets(connection: Connection, request: RunRequest) -> dict[str, tuple[str, str]]:
    """Tab title → (language, code) for the connection's kind."""
    if connection.kind == Kind.BEDROCK_CONVERSE:
        return {
            "Python (boto3 Converse)": ("python", boto3_converse(connection, request)),
            "Strands Agents": ("python", strands(connection, request)),
        }
    if connection.kind == Kind.BEDROCK_INVOKE:
        return {"Python (boto3 InvokeModel)": ("python", boto3_invoke(connection, request))}
    if connection.kind == Kind.SAGEMAKER:
        return {"Python (boto3 SageMaker)": ("python", boto3_sagemaker(connection, request))}
    return {
        "Python (openai SDK)": ("python", openai_python(connection, request)),
        "curl": ("bash", curl(connection, request)),
    }
