"""A comparison's runs as one pandas table: one row per pane per repeat.

The numbers come from each RunRecord's `metrics` (computed once, in the collector); this module
only lays them out and adds what a table needs: the configuration label, the time spent on the
answer after reasoning, and which token counts are estimates. Build it from settled records
(after a run's `RunEnded`, or after `Comparison.stop()`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from playground.compare import PaneConfig, RunKey
from playground.runs import RunRecord

COLUMNS = (
    "pane",
    "repeat",
    "configuration",
    "connection",
    "model",
    "effort",
    "status",
    "finish_reason",
    "time_to_first_token_s",
    "time_to_first_answer_token_s",
    "reasoning_time_s",
    "answer_time_s",
    "latency_s",
    "input_tokens",
    "reasoning_tokens",
    "answer_tokens",
    "output_tokens",
    "input_estimated",
    "reasoning_estimated",
    "answer_estimated",
    "tokens_per_s",
    "cost_usd",
    "price_input_per_m",
    "price_output_per_m",
    "answer_words",
    "error",
)
FLOAT_COLUMNS = (
    "time_to_first_token_s",
    "time_to_first_answer_token_s",
    "reasoning_time_s",
    "answer_time_s",
    "latency_s",
    "tokens_per_s",
    "cost_usd",
    "price_input_per_m",
    "price_output_per_m",
)
INT_COLUMNS = ("pane", "repeat", "input_tokens", "reasoning_tokens", "answer_tokens", "output_tokens", "answer_words")
BOOL_COLUMNS = ("input_estimated", "reasoning_estimated", "answer_estimated")

# Human headers with units, for the page's table and the HTML report.
HEADERS = {
    "configuration": "Configuration",
    "repeat": "Run",
    "connection": "Connection",
    "model": "Model",
    "effort": "Effort",
    "status": "Status",
    "finish_reason": "Finish reason",
    "time_to_first_token_s": "Time to first token (s)",
    "time_to_first_answer_token_s": "Time to first answer token (s)",
    "reasoning_time_s": "Reasoning time (s)",
    "answer_time_s": "Answer time (s)",
    "latency_s": "Latency (s)",
    "input_tokens": "Input tokens",
    "reasoning_tokens": "Reasoning tokens",
    "answer_tokens": "Answer tokens",
    "tokens_per_s": "Tokens/s",
    "cost_usd": "Cost (USD)",
    "error": "Error",
}


def row(pane_index: int, repeat: int, pane: PaneConfig, record: RunRecord) -> dict:
    m = record.metrics
    answer_time = None
    if m.latency_s is not None and m.time_to_first_answer_token_s is not None:
        answer_time = max(0.0, m.latency_s - m.time_to_first_answer_token_s)
    failure = record.failure
    return {
        "pane": pane_index,
        "repeat": repeat,
        "configuration": pane.label,
        "connection": pane.connection.name,
        "model": record.model,
        "effort": record.request.params.reasoning_effort,
        "status": record.status.value,
        "finish_reason": record.finish_reason,
        "time_to_first_token_s": m.time_to_first_token_s,
        "time_to_first_answer_token_s": m.time_to_first_answer_token_s,
        "reasoning_time_s": m.reasoning_time_s,
        "answer_time_s": answer_time,
        "latency_s": m.latency_s,
        "input_tokens": m.input_tokens,
        "reasoning_tokens": m.reasoning_tokens,
        "answer_tokens": m.answer_tokens,
        "output_tokens": m.output_tokens,
        "input_estimated": m.input_estimated,
        # A share of a reported total is still an estimate: either flag makes the split ours.
        "reasoning_estimated": m.output_estimated or m.split_estimated,
        "answer_estimated": m.output_estimated or m.split_estimated,
        "tokens_per_s": m.tokens_per_s,
        "cost_usd": m.cost_usd,
        "price_input_per_m": record.price.input_per_m if record.price else None,
        "price_output_per_m": record.price.output_per_m if record.price else None,
        "answer_words": len(record.answer.split()),
        "error": None if failure is None else f"{failure.title}: {failure.message}",
    }


def results_frame(panes: Sequence[PaneConfig], records: Mapping[RunKey, RunRecord]) -> pd.DataFrame:
    """One row per (pane, repeat), in pane order then repeat order."""
    rows = [row(key.pane, key.repeat, panes[key.pane], rec) for key, rec in sorted(records.items())]
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    for col in FLOAT_COLUMNS:
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    for col in INT_COLUMNS:
        df[col] = df[col].astype("Int64")
    for col in BOOL_COLUMNS:
        df[col] = df[col].astype("boolean")
    return df


def display_table(df: pd.DataFrame) -> pd.DataFrame:
    """The same rows as text a person reads: rounded, "est." beside estimated counts, "—" for
    nothing, human headers. For `st.dataframe` and the report, not for further maths."""

    def seconds(v: float) -> str:
        return "—" if pd.isna(v) else f"{v:.2f}"

    def tokens(v, estimated) -> str:
        if pd.isna(v):
            return "—"
        return f"{int(v):,} est." if (not pd.isna(estimated) and bool(estimated)) else f"{int(v):,}"

    def money(v: float) -> str:
        return "—" if pd.isna(v) else f"${v:.6f}"

    out = pd.DataFrame(
        {
            "configuration": df["configuration"],
            "repeat": df["repeat"].astype("Int64") + 1,
            "status": df["status"],
            "finish_reason": df["finish_reason"].fillna("—"),
            **{
                c: df[c].map(seconds)
                for c in (
                    "time_to_first_token_s",
                    "time_to_first_answer_token_s",
                    "reasoning_time_s",
                    "answer_time_s",
                    "latency_s",
                )
            },
            "input_tokens": [tokens(v, e) for v, e in zip(df["input_tokens"], df["input_estimated"], strict=True)],
            "reasoning_tokens": [
                tokens(v, e) for v, e in zip(df["reasoning_tokens"], df["reasoning_estimated"], strict=True)
            ],
            "answer_tokens": [tokens(v, e) for v, e in zip(df["answer_tokens"], df["answer_estimated"], strict=True)],
            "tokens_per_s": df["tokens_per_s"].map(lambda v: "—" if pd.isna(v) else f"{v:.1f}"),
            "cost_usd": df["cost_usd"].map(money),
        }
    )
    return out.rename(columns=HEADERS)


def is_effort_sweep(df: pd.DataFrame) -> bool:
    """One connection and one model at two or more distinct efforts, one effort per configuration:
    then effort, not the configuration label, belongs on the x-axis."""
    if df.empty:
        return False
    configs = df.drop_duplicates("configuration")
    return (
        configs["connection"].nunique() == 1
        and configs["model"].nunique() == 1
        and configs["effort"].notna().all()
        and configs["effort"].nunique() == len(configs) >= 2
    )
