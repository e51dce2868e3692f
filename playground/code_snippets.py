"""The "View code" panel: the exact call for the current settings, key replaced by a variable."""

from __future__ import annotations

import json
import shlex

from playground.connections import Connection, Kind
from playground.providers.openai_compat import build_kwargs
from playground.request import RunRequest

KEY_VARIABLE = "OPENAI_API_KEY"


def _py_literal(value) -> str:
    return (
        json.dumps(value, indent=4, ensure_ascii=False)
        .replace("true", "True")
        .replace("false", "False")
        .replace("null", "None")
    )


def openai_python(connection: Connection, request: RunRequest) -> str:
    kwargs = build_kwargs(request)
    base_url = connection.base_url or "http://127.0.0.1:8080/v1"
    if connection.kind == Kind.LOCAL:
        base_url = "http://127.0.0.1:<port>/v1  # the embedded llama.cpp server"
    lines = [
        "import os",
        "from openai import OpenAI",
        "",
        f'client = OpenAI(base_url="{base_url}", api_key=os.environ["{KEY_VARIABLE}"])',
        "response = client.chat.completions.create(",
    ]
    for key, value in kwargs.items():
        rendered = _py_literal(value).replace("\n", "\n    ")
        lines.append(f"    {key}={rendered},")
    lines.append(")")
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
