"""Compare page results: table, charts, agreement, word diff, cost projection and export."""

from __future__ import annotations

import streamlit as st

from components.compare_view import CompareRun
from playground.agreement import agreement, word_diff
from playground.charts import colour_map, comparison_figures
from playground.compare import RunKey
from playground.export import html_report, runs_csv, to_json, votes_csv
from playground.projection import project_costs
from playground.results import display_table, results_frame
from playground.safe_markdown import escape_markdown

FIGURE_ORDER = ("latency", "tokens", "speed", "cost", "latency_spread", "tokens_spread")
DIFF_STYLE = {"equal": "{}", "delete": ":red-background[~~{}~~]", "insert": ":green-background[{}]"}


def render_results(run: CompareRun) -> None:
    comp = run.comparison
    df = results_frame(comp.panes, comp.records)
    st.subheader("Results")
    st.dataframe(display_table(df), hide_index=True, width="stretch")
    figures = comparison_figures(df, colour_map(p.label for p in comp.panes))
    # One chart per row: full width keeps titles and axes readable on a projector.
    for name in (n for n in FIGURE_ORDER if n in figures):
        st.plotly_chart(figures[name], width="stretch", theme=None, key=f"{comp.id}-{name}")
    _agreement(run)
    _projection(df, comp.id)
    _export(run, figures)


def _answers(run: CompareRun) -> dict[str, str]:
    comp = run.comparison
    return {p.label: comp.records[RunKey(i, 0)].answer for i, p in enumerate(comp.panes)}


def _agreement(run: CompareRun) -> None:
    answers = _answers(run)
    result = agreement(answers)
    st.subheader("Do the answers agree?")
    icon = {"agree": "✅", "partly": "🟡", "differ": "❌"}.get(result.verdict, "ℹ️")
    st.markdown(f"{icon} **{result.verdict.capitalize()}**: {escape_markdown(result.detail)}")
    labels = list(answers)
    if len(labels) < 2:
        return
    with st.expander("Word-level diff of two answers"):
        a_col, b_col = st.columns(2)
        a = a_col.selectbox("From", labels, index=0, key=f"diff-a-{run.comparison.id}")
        b = b_col.selectbox("To", labels, index=1, key=f"diff-b-{run.comparison.id}")
        spans = word_diff(answers[a], answers[b])
        st.caption("Red struck-through words are only in the first answer, green ones only in the second.")
        st.markdown("".join(DIFF_STYLE[s.op].format(escape_markdown(s.text)) for s in spans if s.text))


def _projection(df, comparison_id: str) -> None:
    st.subheader("Cost projection")
    per_day = st.number_input("Requests per day", 0, 100_000_000, 10_000, 1_000, key=f"volume-{comparison_id}")
    projected = project_costs(df, per_day * 30)
    shown = projected[
        ["configuration", "mean_input_tokens", "mean_output_tokens", "cost_per_1000_usd", "cost_per_month_usd"]
    ]
    st.dataframe(
        shown.rename(
            columns={
                "mean_input_tokens": "mean input tokens",
                "mean_output_tokens": "mean output tokens",
                "cost_per_1000_usd": "USD per 1,000 requests",
                "cost_per_month_usd": "USD per month (30 days)",
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "USD per 1,000 requests": st.column_config.NumberColumn(format="$%.4f"),
            "USD per month (30 days)": st.column_config.NumberColumn(format="$%.2f"),
        },
    )
    st.caption("From each configuration's measured mean tokens and its price per 1M tokens (estimates where marked).")


def _export(run: CompareRun, figures: dict) -> None:
    """Files are built when a button is clicked (Streamlit calls the lambdas then), not on every
    rerun of the page; the report reuses the figures already drawn above."""
    comp = run.comparison
    votes = list(run.votes)
    st.subheader("Export")
    reasoning = st.toggle("Include reasoning in exports", value=False, key=f"export-reasoning-{comp.id}")
    c1, c2, c3, c4 = st.columns(4)
    c1.download_button(
        "JSON",
        lambda: to_json(comp, votes, include_reasoning=reasoning),
        f"comparison-{comp.id}.json",
        "application/json",
        width="stretch",
    )
    c2.download_button(
        "CSV (runs)",
        lambda: runs_csv(comp, include_reasoning=reasoning),
        f"comparison-{comp.id}.csv",
        "text/csv",
        width="stretch",
    )
    c3.download_button(
        "CSV (votes)",
        lambda: votes_csv(votes),
        f"votes-{comp.id}.csv",
        "text/csv",
        width="stretch",
        disabled=not run.votes,
    )
    c4.download_button(
        "HTML report",
        lambda: html_report(comp, votes, include_reasoning=reasoning, figures=figures),
        f"comparison-{comp.id}.html",
        "text/html",
        width="stretch",
        type="primary",
    )
