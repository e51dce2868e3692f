"""The results table and its charts, from records with known timestamps (no network)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from playground.charts import (
    FONT_SIZE,
    colour_map,
    comparison_figures,
    cost_per_thousand,
    latency_breakdown,
    token_split,
)
from playground.compare import PaneConfig, RunKey, effort_sweep, model_sweep
from playground.connections import Connection, Kind
from playground.events import Failure, FailureKind, Finish, ReasoningDelta, TextDelta, Usage
from playground.pricing import price_for
from playground.projection import monthly_requests, project_costs
from playground.results import COLUMNS, display_table, is_effort_sweep, results_frame
from playground.runs import RunRecord

CONN = Connection("Bedrock", Kind.OPENAI, base_url="https://bedrock-runtime.us-west-2.amazonaws.com/openai/v1")
T0 = 1000.0


def record(
    pane: PaneConfig,
    *,
    ttft: float = 0.5,
    ttfa: float | None = 1.5,
    latency: float = 3.0,
    reasoning: str = "think " * 40,
    answer: str = "answer " * 20,
    usage: Usage | None = None,
    finish: str | None = "stop",
    failure: Failure | None = None,
) -> RunRecord:
    rec = RunRecord(request=pane.request("Q?"), connection_name=pane.connection.name, price=price_for(pane.model))
    rec.started = T0
    if reasoning:
        rec.apply(ReasoningDelta(reasoning, t=T0 + ttft))
    if answer and ttfa is not None:
        rec.apply(TextDelta(answer, t=T0 + ttfa))
    if usage:
        rec.apply(usage)
    if finish:
        rec.apply(Finish(finish))
    if failure:
        rec.apply(failure)
    rec.close()
    rec.ended = T0 + latency  # close() stamps the real clock; these tests want known times
    return rec


def sweep_frame(order=("high", "low", "medium"), repeats: int = 1) -> tuple[list[PaneConfig], pd.DataFrame]:
    panes = [p for e in order for p in effort_sweep(CONN, "openai.gpt-oss-20b-1:0", efforts=[e])]
    lat = {"low": 2.0, "medium": 4.0, "high": 8.0}
    records = {
        RunKey(i, r): record(p, latency=lat[p.effort] + r, usage=Usage(100, 80, 50))
        for i, p in enumerate(panes)
        for r in range(repeats)
    }
    return panes, results_frame(panes, records)


# -- the table ------------------------------------------------------------------------------------
def test_one_row_per_pane_per_repeat_with_phase_times_that_add_up():
    _, df = sweep_frame(repeats=2)
    assert list(df.columns) == list(COLUMNS)
    assert list(zip(df["pane"], df["repeat"], strict=True)) == [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1)]
    first = df.iloc[0]
    assert first["configuration"] == "gpt-oss-20b · high" and first["effort"] == "high"
    assert first["time_to_first_token_s"] == pytest.approx(0.5)
    assert first["time_to_first_answer_token_s"] == pytest.approx(1.5)
    assert first["reasoning_time_s"] == pytest.approx(1.0)
    assert first["answer_time_s"] == pytest.approx(6.5)
    assert first["latency_s"] == pytest.approx(8.0)
    parts = df["time_to_first_token_s"] + df["reasoning_time_s"] + df["answer_time_s"]
    assert parts.to_list() == pytest.approx(df["latency_s"].to_list())
    # Reported split: nothing estimated; cost from the reported counts and the 20b price.
    assert (first["reasoning_tokens"], first["answer_tokens"], first["input_tokens"]) == (50, 30, 100)
    assert not first["reasoning_estimated"] and not first["input_estimated"]
    assert first["cost_usd"] == pytest.approx((100 * 0.07 + 80 * 0.30) / 1e6)
    assert first["tokens_per_s"] == pytest.approx(80 / 7.5)
    assert first["status"] == "complete" and first["finish_reason"] == "stop"


def test_estimated_flags_follow_what_the_host_reported():
    pane = PaneConfig("p", CONN, "openai.gpt-oss-120b-1:0")
    recs = {
        RunKey(0, 0): record(pane, usage=Usage(100, 80, None)),  # total only (Bedrock): split is ours
        RunKey(0, 1): record(pane, usage=None),  # nothing reported: every count is ours
    }
    df = results_frame([pane], recs)
    total_only, nothing = df.iloc[0], df.iloc[1]
    assert total_only["reasoning_estimated"] and total_only["answer_estimated"]
    assert not total_only["input_estimated"]
    assert total_only["reasoning_tokens"] + total_only["answer_tokens"] == 80
    assert nothing["reasoning_estimated"] and nothing["input_estimated"]
    shown = display_table(df)
    assert shown.loc[0, "Reasoning tokens"].endswith("est.")
    assert not shown.loc[0, "Input tokens"].endswith("est.")
    assert shown.loc[1, "Input tokens"].endswith("est.")
    assert "Time to first answer token (s)" in shown.columns


def test_failed_run_row_and_display():
    pane = PaneConfig("p", CONN, "some-unpriced-model")
    failure = Failure(FailureKind.THROTTLED, "Too many requests", status=429)
    df = results_frame([pane], {RunKey(0, 0): record(pane, reasoning="", answer="", finish=None, failure=failure)})
    row = df.iloc[0]
    assert row["status"] == "error" and row["error"] == "Throttled: Too many requests"
    assert math.isnan(row["time_to_first_token_s"]) and math.isnan(row["cost_usd"])
    shown = display_table(df).iloc[0]
    assert shown["Time to first token (s)"] == "—" and shown["Cost (USD)"] == "—"


def test_effort_sweep_is_recognised_and_model_sweeps_are_not():
    _, df = sweep_frame()
    assert is_effort_sweep(df)
    panes = model_sweep(CONN, ["openai.gpt-oss-20b-1:0", "openai.gpt-oss-120b-1:0"], "high")
    df2 = results_frame(panes, {RunKey(i, 0): record(p) for i, p in enumerate(panes)})
    assert not is_effort_sweep(df2)
    assert not is_effort_sweep(df2.iloc[0:0])


# -- the charts -----------------------------------------------------------------------------------
def colour_by_x(fig) -> dict[str, str]:
    """x category → bar colour, from every real (non-legend) bar trace."""
    out: dict[str, str] = {}
    for trace in fig.data:
        if trace.type != "bar" or trace.x is None or trace.x[0] is None:
            continue
        colours = trace.marker.color
        colours = [colours] * len(trace.x) if isinstance(colours, str) else list(colours)
        for x, c in zip(trace.x, colours, strict=True):
            assert out.setdefault(x, c) == c, f"{x} drawn in two colours"
    return out


def test_effort_on_the_x_axis_in_order_and_one_colour_per_configuration_everywhere():
    _, df = sweep_frame(order=("high", "low", "medium"), repeats=2)
    colours = colour_map(df["configuration"])
    figs = comparison_figures(df, colours)
    assert set(figs) == {"latency", "tokens", "speed", "cost", "latency_spread", "tokens_spread"}
    expected = {"high": colours["gpt-oss-20b · high"], "low": colours["gpt-oss-20b · low"]}
    expected["medium"] = colours["gpt-oss-20b · medium"]
    assert len(set(expected.values())) == 3
    for name, fig in figs.items():
        assert list(fig.layout.xaxis.categoryarray) == ["low", "medium", "high"], name
        assert fig.layout.xaxis.title.text == "Reasoning effort"
        if name.endswith("spread"):
            box_colours = {t.x[0]: t.marker.color for t in fig.data}
            assert box_colours == expected
        else:
            assert colour_by_x(fig) == expected, name


def test_titles_carry_units_and_fonts_are_projector_sized():
    _, df = sweep_frame(repeats=2)
    units = ("seconds", "tokens", "tokens/s", "USD")
    for name, fig in comparison_figures(df).items():
        assert any(u in fig.layout.title.text for u in units), (name, fig.layout.title.text)
        assert fig.layout.font.size == FONT_SIZE >= 18
        assert fig.layout.title.font.size >= 24
        assert fig.layout.yaxis.title.text


def test_latency_stack_is_the_mean_of_finished_runs_only():
    pane = PaneConfig("only", CONN, "openai.gpt-oss-20b-1:0")
    recs = {
        RunKey(0, 0): record(pane, latency=3.0),
        RunKey(0, 1): record(pane, latency=5.0),
        # A throttled run must not pull the mean down.
        RunKey(0, 2): record(pane, reasoning="", answer="", finish=None, failure=Failure(FailureKind.THROTTLED, "x")),
    }
    fig = latency_breakdown(results_frame([pane], recs))
    stacked = {t.name: t.y[0] for t in fig.data if t.x[0] is not None}
    assert stacked == pytest.approx({"Waiting for first token": 0.5, "Reasoning": 1.0, "Answer": 2.5})
    assert sum(stacked.values()) == pytest.approx(4.0)
    assert fig.layout.barmode == "stack"
    assert fig.layout.xaxis.title.text == "Configuration"
    assert [t.name for t in fig.data if t.showlegend] == ["Waiting for first token", "Reasoning", "Answer"]


def test_estimated_token_split_is_marked_on_the_bar_hover_and_title():
    reported = PaneConfig("reported", CONN, "openai.gpt-oss-20b-1:0")
    estimated = PaneConfig("estimated", CONN, "openai.gpt-oss-20b-1:0")
    recs = {
        RunKey(0, 0): record(reported, usage=Usage(10, 80, 50)),
        RunKey(1, 0): record(estimated, usage=Usage(10, 80)),
    }
    fig = token_split(results_frame([reported, estimated], recs))
    bars = {(t.name, t.x[0]): t for t in fig.data if t.x[0] is not None}
    assert bars[("Reasoning tokens", "estimated")].text[0] == "est."
    assert bars[("Reasoning tokens", "reported")].text[0] == ""
    assert bars[("Reasoning tokens", "estimated")].customdata[0][0] == "estimated"
    assert bars[("Reasoning tokens", "reported")].y[0] == 50
    assert "est. = estimated" in fig.layout.title.text
    all_reported = token_split(results_frame([reported], {RunKey(0, 0): recs[RunKey(0, 0)]}))
    assert "est." not in all_reported.layout.title.text


def test_cost_chart_says_price_unknown_and_no_spread_without_repeats():
    priced, unpriced = PaneConfig("20b", CONN, "openai.gpt-oss-20b-1:0"), PaneConfig("mystery", CONN, "mystery-model")
    recs = {RunKey(0, 0): record(priced, usage=Usage(1000, 1000, 0)), RunKey(1, 0): record(unpriced)}
    df = results_frame([priced, unpriced], recs)
    fig = cost_per_thousand(df)
    assert list(fig.data[0].text) == [f"${(1000 * 0.07 + 1000 * 0.30) / 1e6 * 1000:.4f}", "price unknown"]
    assert "latency_spread" not in comparison_figures(df)


def test_figures_of_an_empty_comparison_do_not_crash():
    _, df = sweep_frame()
    figs = comparison_figures(df.iloc[0:0])
    assert set(figs) == {"latency", "tokens", "speed", "cost"}


# -- cost projection ------------------------------------------------------------------------------
def test_projection_uses_mean_tokens_of_finished_runs_and_the_volume():
    pane = PaneConfig("20b", CONN, "openai.gpt-oss-20b-1:0")
    recs = {
        RunKey(0, 0): record(pane, usage=Usage(100, 1000, 800)),
        RunKey(0, 1): record(pane, usage=Usage(300, 3000, 2000)),
        RunKey(0, 2): record(pane, reasoning="", answer="", finish=None, failure=Failure(FailureKind.THROTTLED, "x")),
    }
    df = results_frame([pane], recs)
    proj = project_costs(df, requests_per_month=monthly_requests(1000)).iloc[0]
    per_request = (200 * 0.07 + 2000 * 0.30) / 1e6
    assert proj["runs_measured"] == 2
    assert proj["mean_input_tokens"] == 200 and proj["mean_output_tokens"] == 2000
    assert proj["cost_per_1000_usd"] == pytest.approx(per_request * 1000)
    assert proj["cost_per_month_usd"] == pytest.approx(per_request * 30_000)
    assert not proj["tokens_estimated"]

    from playground.pricing import Price

    cheaper = project_costs(df, 30_000, prices={"20b": Price(0.0, 0.15)}).iloc[0]
    assert cheaper["cost_per_month_usd"] == pytest.approx(2000 * 0.15 / 1e6 * 30_000)
    unknown = project_costs(df, 30_000, prices={"20b": None}).iloc[0]
    assert math.isnan(unknown["cost_per_month_usd"])
    with pytest.raises(ValueError):
        project_costs(df, -1)
    assert list(project_costs(df.iloc[0:0], 10).columns)  # empty but shaped
