"""The editable price table (USD per 1M tokens), kept per browser session."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.state import AppState
from playground.pricing import PRICES_AS_OF, Price

COLUMNS = ["model id contains", "input", "output"]


def _table(prices: dict[str, Price]) -> pd.DataFrame:
    return pd.DataFrame([[k, v.input_per_m, v.output_per_m] for k, v in prices.items()], columns=COLUMNS)


def _prices(table: pd.DataFrame) -> dict[str, Price]:
    return {
        str(row[COLUMNS[0]]).strip(): Price(float(row["input"]), float(row["output"]))
        for _, row in table.iterrows()
        if str(row[COLUMNS[0]] or "").strip() and pd.notna(row["input"]) and pd.notna(row["output"])
    }


def apply_edits(prices: dict[str, Price], changes: dict) -> dict[str, Price]:
    """Prices after a data editor's change set (edited, deleted and added rows)."""
    table = _table(prices)
    for index, values in changes.get("edited_rows", {}).items():
        for column, value in values.items():
            table.loc[int(index), column] = value
    table = table.drop(index=[int(i) for i in changes.get("deleted_rows", [])])
    added = pd.DataFrame([{c: row.get(c) for c in COLUMNS} for row in changes.get("added_rows", [])], columns=COLUMNS)
    return _prices(pd.concat([table, added], ignore_index=True) if len(added) else table)


def _commit(state: AppState, key: str) -> None:
    """Fold the editor's changes into the session's prices, then start a fresh editor on them
    (an editor whose base data changes under it would apply its edits twice)."""
    state.prices = apply_edits(state.prices, st.session_state[key])
    st.session_state.price_editor_version = st.session_state.get("price_editor_version", 0) + 1


def render_price_editor(state: AppState) -> None:
    st.subheader("Prices")
    st.caption(
        f"USD per 1M tokens, matched by a fragment of the model id. Defaults: {PRICES_AS_OF}. "
        "Edit them for negotiated rates; the embedded local model is always free."
    )
    key = f"price_table_{st.session_state.get('price_editor_version', 0)}"
    st.data_editor(
        _table(state.prices),
        num_rows="dynamic",
        hide_index=True,
        key=key,
        on_change=_commit,
        args=(state, key),
        column_config={
            "input": st.column_config.NumberColumn("input USD / 1M", min_value=0.0, format="%.4f"),
            "output": st.column_config.NumberColumn("output USD / 1M", min_value=0.0, format="%.4f"),
        },
    )
