"""Chat transcript: history and the live answer, through the same RunView."""

from __future__ import annotations

from contextlib import closing, nullcontext

import streamlit as st

from components.chat_settings import max_tokens_key
from components.run_view import RunView
from components.state import AppState, ChatTurn
from playground.cancel import CancelToken
from playground.connections import Connection, Kind
from playground.local_server import LocalServerError
from playground.providers import make_provider
from playground.request import RunRequest
from playground.runs import RunRecord, execute
from playground.safe_markdown import safe_markdown


def conversation(chat: list[ChatTurn]) -> tuple[dict, ...]:
    """Messages to send: each user turn with the answer it got. Turns whose answer failed are
    left out, so hosts that need strictly alternating roles accept the history; the last user
    turn is always kept. Earlier reasoning is never sent back."""
    messages: list[dict] = []
    for i, turn in enumerate(chat):
        if turn.role != "user":
            continue
        reply = chat[i + 1].record if i + 1 < len(chat) and chat[i + 1].record else None
        if reply is not None and reply.answer:
            messages += [{"role": "user", "content": turn.content}, {"role": "assistant", "content": reply.answer}]
        elif i == len(chat) - 1:
            messages.append({"role": "user", "content": turn.content})
    return tuple(messages)


def render_user(text: str) -> None:
    with st.chat_message("user"):
        st.markdown(safe_markdown(text))


def request_rerun(record: RunRecord, max_tokens: int) -> None:
    """Button callback: re-send the same conversation with a larger output budget."""
    state: AppState = st.session_state.app
    # The re-run goes through the connection picked in the sidebar, whose budget field this is
    # (matching the record's connection by name would miss a renamed or same-named connection).
    current = state.connection(st.session_state.get("conn", "")) or state.connections[0]
    st.session_state[max_tokens_key(current)] = max_tokens
    state.pending_rerun = record.id


def render_history(state: AppState, show_reasoning: bool) -> None:
    for turn in state.chat:
        if turn.role == "user":
            render_user(turn.content)
        elif turn.record is not None:
            with st.chat_message("assistant"):
                RunView(turn.record, show_reasoning).finish(on_rerun=request_rerun)


def stream_answer(state: AppState, connection: Connection, request: RunRequest, show_reasoning: bool) -> RunRecord:
    """Run `request`, rendering it live; the record joins the history before the first byte, so a
    Stop, a rerun or a crash keeps whatever arrived."""
    price = state.price(request.model, connection)
    record = RunRecord(request, connection_name=connection.name, price=price)
    state.chat.append(ChatTurn("assistant", record=record))
    with st.chat_message("assistant"):
        view = RunView(record, show_reasoning)
        try:
            if connection.kind == Kind.LOCAL:
                with st.spinner("Starting the local model (first use only)…"):
                    provider = make_provider(connection)
            else:
                provider = make_provider(connection)
        except LocalServerError as exc:
            from playground.events import Failure, FailureKind

            record.apply(Failure(FailureKind.CONNECTION, f"The local model could not start: {exc}"))
            record.close()
            view.finish()
            return record
        waiting = (
            nullcontext() if request.params.stream else st.spinner("Streaming is off: waiting for the whole answer…")
        )
        with waiting, closing(execute(provider, request, record, CancelToken())) as events:
            for event in events:
                view.on_event(event)
        view.finish(on_rerun=request_rerun)
    return record
