"""Per-browser-session state, set up once through one typed helper (never module globals)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import streamlit as st

from playground.connections import Connection, Kind
from playground.pricing import DEFAULT_PRICES, Price, price_for
from playground.runs import RunRecord
from playground.settings import default_connections


@dataclass
class ChatTurn:
    role: str  # "user" or "assistant"
    content: str = ""
    record: RunRecord | None = None  # assistant turns: the run that produced them


@dataclass
class AppState:
    connections: list[Connection]
    chat: list[ChatTurn] = field(default_factory=list)
    pending_rerun: str | None = None  # id of a run to re-send with a larger budget
    compare_runs: list = field(default_factory=list)
    prices: dict[str, Price] = field(default_factory=lambda: dict(DEFAULT_PRICES))  # editable per session
    votes: list = field(default_factory=list)

    def pop_rerun(self) -> RunRecord | None:
        """Take out the assistant turn a re-run replaces, and return its record."""
        run_id, self.pending_rerun = self.pending_rerun, None
        for i, turn in enumerate(self.chat):
            if turn.record is not None and turn.record.id == run_id:
                return self.chat.pop(i).record
        return None

    def price(self, model: str, connection: Connection) -> Price | None:
        return price_for(model, self.prices, local=connection.kind == Kind.LOCAL)

    def connection(self, connection_id: str) -> Connection | None:
        return next((c for c in self.connections if c.id == connection_id), None)


def _secrets() -> dict:
    try:
        return st.secrets.to_dict()
    except Exception:  # no secrets.toml: that is the normal local case
        return {}


def app_state() -> AppState:
    if "app" not in st.session_state:
        st.session_state.app = AppState(connections=default_connections(os.environ, _secrets()))
    return st.session_state.app
