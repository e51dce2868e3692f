"""Compare page set-up: panes (connection, model, effort, parameters), presets and options."""

from __future__ import annotations

import re
from dataclasses import dataclass

import streamlit as st

from components.chat_settings import models_for
from components.state import AppState
from playground.compare import PaneConfig, short_model_name
from playground.connections import Connection
from playground.models import takes_reasoning_effort
from playground.request import EFFORTS, Params

MAX_PANES = 6


@dataclass
class CompareOptions:
    repeats: int
    blind: bool
    show_reasoning: bool
    same_settings: bool
    params: Params
    system_prompt: str


def _params_widgets(prefix: str, effort: str | None) -> tuple[Params, str]:
    temperature = st.slider("Temperature", 0.0, 2.0, 1.0, 0.05, key=f"{prefix}temperature")
    top_p = st.slider("Top P", 0.0, 1.0, 1.0, 0.01, key=f"{prefix}top_p")
    max_tokens = st.number_input("Max output tokens", 16, 131_072, 4096, 256, key=f"{prefix}max_tokens")
    system = st.text_area("System prompt", key=f"{prefix}system", height=70)
    return Params(temperature, top_p, int(max_tokens), effort, True), system.strip()


# -- presets (button callbacks: they set pane widgets' state before the widgets are drawn) ---------
def _first_pane(state: AppState) -> tuple[Connection, list[str], str]:
    conn = state.connection(st.session_state.get("pane0-conn", "")) or state.connections[0]
    ids, _ = models_for(conn)
    model = st.session_state.get("pane0-model") or ids[0]
    return conn, ids, model


def _set_panes(rows: list[tuple[str, str, str]]) -> None:
    st.session_state.n_panes = len(rows)
    for i, (conn_id, model, effort) in enumerate(rows):
        st.session_state[f"pane{i}-conn"] = conn_id
        st.session_state[f"pane{i}-model"] = model
        st.session_state[f"pane{i}-effort"] = effort


def effort_preset(state: AppState) -> None:
    conn, _, model = _first_pane(state)
    _set_panes([(conn.id, model, e) for e in EFFORTS])


def model_preset(state: AppState) -> None:
    conn, ids, _ = _first_pane(state)
    picks = [next((m for m in ids if re.search(rf"gpt-oss\W{size}", m)), None) for size in ("20b", "120b")]
    models = [m for m in picks if m] if all(picks) else ids[:2]
    if len(models) < 2:
        st.toast("This connection offers only one model: a model sweep needs two.")
        return
    effort = st.session_state.get("pane0-effort") or "medium"
    _set_panes([(conn.id, m, effort) for m in models])


def host_preset(state: AppState) -> None:
    conn, _, model = _first_pane(state)
    others = [c for c in state.connections if c.id != conn.id]
    if not others:
        st.toast("Add a second connection on the Connections page for a host sweep.")
        return
    other = others[0]
    other_ids, _ = models_for(other)
    other_model = model if model in other_ids else other_ids[0]
    effort = st.session_state.get("pane0-effort") or "medium"
    _set_panes([(conn.id, model, effort), (other.id, other_model, effort)])


PRESETS = (
    ("Effort sweep", effort_preset, "One model at low / medium / high"),
    ("Model sweep", model_preset, "gpt-oss-20b vs gpt-oss-120b"),
    ("Host sweep", host_preset, "The same model on two connections"),
)


# -- widgets ----------------------------------------------------------------------------------------
def compare_sidebar(state: AppState) -> CompareOptions:
    with st.sidebar:
        st.header("Panes")
        st.caption("One-click presets use the first pane's connection and model.")
        for label, preset, help in PRESETS:
            st.button(label, on_click=preset, args=(state,), width="stretch", help=help)
        st.session_state.setdefault("n_panes", 2)
        st.number_input("Number of panes", 2, MAX_PANES, key="n_panes")
        repeats = st.number_input(
            "Repeats per pane", 1, 10, 1, key="repeats", help="Run each configuration N times to see the spread."
        )
        same = st.toggle("Same settings in every pane", value=True, key="same_settings")
        params, system = Params(), ""
        if same:
            with st.expander("Shared parameters", expanded=False):
                params, system = _params_widgets("shared-", None)
        blind = st.toggle(
            "Blind mode", key="blind", help="Hide names, reasoning and figures and shuffle the answers until you vote."
        )
        show_reasoning = st.toggle("Show reasoning", value=True, key="compare_show_reasoning", disabled=blind)
    return CompareOptions(int(repeats), blind, show_reasoning and not blind, same, params, system)


def pane_label(conn: Connection, model: str, effort: str | None, many_hosts: bool) -> str:
    label = short_model_name(model) + (f" · {effort}" if effort else "")
    return f"{conn.name} · {label}" if many_hosts else label


def pane_editor(state: AppState, options: CompareOptions) -> list[PaneConfig]:
    n = int(st.session_state.n_panes)
    drafts = []
    for i, column in enumerate(st.columns(n)):
        with column.container(border=True):
            ids = [c.id for c in state.connections]
            if st.session_state.get(f"pane{i}-conn") not in ids:
                st.session_state[f"pane{i}-conn"] = ids[0]
            conn_id = st.selectbox(
                "Connection", ids, key=f"pane{i}-conn", format_func=lambda c: state.connection(c).name
            )
            conn = state.connection(conn_id)
            model_ids, _ = models_for(conn)
            if st.session_state.get(f"pane{i}-model") not in model_ids:
                st.session_state[f"pane{i}-model"] = model_ids[min(i, len(model_ids) - 1)] if model_ids else None
            model = st.selectbox("Model", model_ids, key=f"pane{i}-model")
            takes = takes_reasoning_effort(model or "")
            st.session_state.setdefault(f"pane{i}-effort", EFFORTS[min(i, 2)])
            effort = st.segmented_control("Effort", EFFORTS, key=f"pane{i}-effort", disabled=not takes)
            effort = (effort or "medium") if takes else None
            if options.same_settings:
                params, system = options.params.with_(reasoning_effort=effort), options.system_prompt
            else:
                with st.expander("Parameters"):
                    params, system = _params_widgets(f"pane{i}-", effort)
            drafts.append((conn, model, params, system))
    many_hosts = len({c.id for c, *_ in drafts}) > 1
    return [
        PaneConfig(pane_label(conn, model, params.reasoning_effort, many_hosts), conn, model, params, system)
        for conn, model, params, system in drafts
        if model
    ]
