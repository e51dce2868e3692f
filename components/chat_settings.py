"""The Chat page's sidebar: connection, model, effort, system prompt and parameters."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from components.state import AppState
from playground.connections import Connection, Kind, local_connection
from playground.local_server import SHIPPED_MODEL_ID
from playground.models import effort_reason, takes_reasoning_effort
from playground.providers import make_provider
from playground.request import EFFORTS, Params

LOCAL_NOTE = (
    "The embedded model is **Gemma 3 270M**, a small *base* model shipped on PyPI so the playground "
    "works offline. It is a smoke test, not a gpt-oss stand-in: it does not reason and its answers "
    "are weak. Point the playground at gpt-oss with `OPENAI_BASE_URL` / `OPENAI_API_KEY`, a GGUF "
    "file below, or the Connections page."
)


AWS_KINDS = (Kind.BEDROCK_CONVERSE, Kind.BEDROCK_INVOKE, Kind.SAGEMAKER)
LOCAL_MAX_TOKENS = 256  # the small base model rambles to the limit; keep smoke tests short


def max_tokens_key(connection: Connection) -> str:
    """Separate budgets for the local smoke-test model and real hosts."""
    return "max_tokens_local" if connection.kind == Kind.LOCAL else "max_tokens"


@dataclass
class ChatSettings:
    connection: Connection
    model: str
    params: Params
    system_prompt: str
    show_reasoning: bool


@st.cache_data(ttl=300, show_spinner=False)
def _models(
    connection_id: str, base_url: str | None, region: str | None, _connection: Connection
) -> tuple[list[str], str]:
    """Model ids of a connection and a note when they are a fallback; cached per connection
    (ids are model names, never keys)."""
    if _connection.kind in AWS_KINDS:
        from playground.providers.aws import discover_models

        found = discover_models(_connection)
        return list(found.ids), found.message or ""
    return make_provider(_connection).list_models(), ""


def models_for(connection: Connection) -> tuple[list[str], str]:
    if connection.kind == Kind.LOCAL:  # do not start the server just to fill the picker
        return [Path(connection.model_path).stem if connection.model_path else SHIPPED_MODEL_ID], ""
    return _models(connection.id, connection.base_url, connection.region, connection)


def _local_model_path(state: AppState, connection: Connection) -> Connection:
    path = st.text_input(
        "GGUF file (optional)",
        value=connection.model_path or "",
        placeholder="/path/to/gpt-oss-20b.gguf",
        help="Serve another GGUF from disk with the embedded llama.cpp server, e.g. a gpt-oss-20b GGUF.",
    ).strip()
    if not path or path == (connection.model_path or ""):
        return connection
    if not path.endswith(".gguf") or not Path(path).expanduser().is_file():
        st.error("That is not a readable .gguf file on this server.")
        return connection
    updated = local_connection(path)
    state.connections = [updated if c.id == connection.id else c for c in state.connections]
    return updated


def chat_sidebar(state: AppState) -> ChatSettings:
    with st.sidebar:
        st.header("Model")
        ids = [c.id for c in state.connections]
        conn_id = st.selectbox(
            "Connection",
            ids,
            format_func=lambda i: state.connection(i).label if state.connection(i) else i,
            key="conn",
            bind="query-params",
        )
        connection = state.connection(conn_id) or state.connections[0]
        if connection.kind == Kind.LOCAL:
            st.info(LOCAL_NOTE)
            connection = _local_model_path(state, connection)
        with st.spinner("Listing models…"):
            model_ids, note = models_for(connection)
        if note:
            st.caption(f"ℹ️ {note}")
        if not model_ids:
            st.error("This connection offers no model to pick.")
            st.stop()
        # A model picked (or typed) for one connection means nothing on another: reset on a switch.
        if st.session_state.get("model_connection") != connection.id:
            if st.session_state.get("model") not in model_ids:
                st.session_state.model = model_ids[0]
            st.session_state.model_connection = connection.id
        model = st.selectbox("Model", model_ids, key="model", bind="query-params", accept_new_options=True)
        model = model or model_ids[0]
        if model not in model_ids:
            st.caption(f"ℹ️ `{model}` is not in this connection's model list; it is sent as typed.")
        takes_effort = takes_reasoning_effort(model)
        effort = st.segmented_control(
            "Reasoning effort",
            EFFORTS,
            default="medium",
            key="effort",
            bind="query-params",
            disabled=not takes_effort,
            help="How long gpt-oss thinks before answering." if takes_effort else effort_reason(model),
        )
        system_prompt = st.text_area(
            "System prompt", key="system_prompt", height=90, placeholder="You are a helpful assistant."
        )
        with st.expander("Parameters", expanded=False):
            temperature = st.slider("Temperature", 0.0, 2.0, 1.0, 0.05, key="temperature")
            top_p = st.slider("Top P", 0.0, 1.0, 1.0, 0.01, key="top_p")
            budget_key = max_tokens_key(connection)
            # Seeded through session state (not `value=`) so the re-run button can raise it.
            st.session_state.setdefault(budget_key, LOCAL_MAX_TOKENS if connection.kind == Kind.LOCAL else 4096)
            max_tokens = st.number_input(
                "Max output tokens",
                min_value=16,
                max_value=131_072,
                step=256,
                key=budget_key,
                help="Reasoning tokens count against this budget.",
            )
            stream = st.toggle("Stream the answer", value=True, key="stream")
        show_reasoning = st.toggle(
            "Show reasoning",
            value=True,
            key="show_reasoning",
            help="OpenAI advises against showing raw chain of thought to end users: hide it when presenting.",
        )
    params = Params(
        temperature=temperature,
        top_p=top_p,
        max_tokens=int(max_tokens),
        reasoning_effort=(effort or "medium") if takes_effort else None,
        stream=stream,
    )
    return ChatSettings(connection, model, params, system_prompt.strip(), show_reasoning)
