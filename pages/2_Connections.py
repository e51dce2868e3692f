"""Connections: add, edit, test and remove the hosts the other pages talk to."""

from __future__ import annotations

import streamlit as st

from components.connection_form import connection_form
from components.frame import frame
from components.price_editor import render_price_editor
from playground.connections import KIND_LABELS
from playground.probe import probe

state = frame("Connections", "🔌")
st.title("Connections")
st.caption(
    "Where gpt-oss is served. Keys are kept on the server for this browser session only, masked, and never "
    "shown back in full. Connections from the environment and `.streamlit/secrets.toml` are listed too."
)
results: dict = st.session_state.setdefault("probe_results", {})


def add_connection(new) -> None:
    """Add, then clear the form so a typed key does not linger in the browser's fields."""
    state.connections.insert(len(state.connections) - 1, new)
    for key in [k for k in st.session_state if str(k).startswith("new-")]:
        del st.session_state[key]
    st.toast(f"Added {new.name}. Pick it in the Chat sidebar.")


for conn in list(state.connections):
    with st.container(border=True):
        info, actions = st.columns([4, 1.4])
        details = conn.describe()
        info.markdown(f"**{conn.name}** · {KIND_LABELS[conn.kind]} · _{conn.source}_")
        shown = {k: v for k, v in details.items() if v and k not in ("name", "kind")}
        info.caption(" · ".join(f"{k}: `{v}`" for k, v in shown.items()) or "no settings needed")
        if actions.button("Test", key=f"test-{conn.id}", icon="🩺", width="stretch"):
            with st.spinner(f"Testing {conn.name}…"):
                results[conn.id] = probe(conn)
        if conn.source != "builtin" and actions.button("Remove", key=f"rm-{conn.id}", icon="🗑️", width="stretch"):
            state.connections = [c for c in state.connections if c.id != conn.id]
            results.pop(conn.id, None)
            st.rerun()
        if conn.id in results:
            result = results[conn.id]
            (st.success if result.ok else st.error)(result.message, icon="✅" if result.ok else "🚫")
        with st.expander("Edit"):
            edited = connection_form(f"edit-{conn.id}", conn)
            if st.button("Save", key=f"save-{conn.id}", disabled=edited is None):
                state.connections = [edited if c.id == conn.id else c for c in state.connections]
                results.pop(conn.id, None)
                st.rerun()

st.subheader("Add a connection")
with st.container(border=True):
    new = connection_form("new")
    st.button("Add connection", type="primary", disabled=new is None, icon="➕", on_click=add_connection, args=(new,))

st.divider()
render_price_editor(state)
