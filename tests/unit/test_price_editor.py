"""The price table's change sets: edit, delete and add rows."""

from __future__ import annotations

from components.price_editor import apply_edits
from playground.pricing import DEFAULT_PRICES, Price, price_for


def test_edit_delete_and_add():
    changes = {
        "edited_rows": {0: {"output": 0.9}},
        "deleted_rows": [1],
        "added_rows": [{"model id contains": "llama-3", "input": 0.2, "output": 0.4}, {"model id contains": ""}],
    }
    prices = apply_edits(dict(DEFAULT_PRICES), changes)
    assert prices == {"gpt-oss-120b": Price(0.15, 0.9), "llama-3": Price(0.2, 0.4)}
    assert price_for("openai.gpt-oss-120b-1:0", prices) == Price(0.15, 0.9)
    assert price_for("openai.gpt-oss-20b-1:0", prices) is None
    assert price_for("anything", prices, local=True) == Price(0.0, 0.0)
