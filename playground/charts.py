"""Plotly figures of a comparison, readable on a projector.

Every figure takes the frame from `results.results_frame` and one shared colour map, so a
configuration keeps its colour in every chart. Where a bar is split into phases (waiting,
reasoning, answer) the phase is a pattern, not a colour, for the same reason. Large fonts,
titles with units, colour-blind-safe palette (Okabe-Ito).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd
import plotly.graph_objects as go

from playground.request import EFFORTS
from playground.results import is_effort_sweep

# Okabe-Ito, reordered so the first six (the page's maximum) all read well on white.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999", "#F0E442", "#000000")
FONT_SIZE = 20
TITLE_SIZE = 26
HEIGHT = 560
FINISHED = ("complete", "incomplete")  # runs whose numbers describe a whole answer
NEUTRAL_SWATCH = "#9A9A9A"


def colour_map(labels: Iterable[str]) -> dict[str, str]:
    """A colour per configuration label, in the order given (pane order)."""
    return {label: PALETTE[i % len(PALETTE)] for i, label in enumerate(dict.fromkeys(labels))}


def comparison_figures(df: pd.DataFrame, colours: Mapping[str, str] | None = None) -> dict[str, go.Figure]:
    """Every chart that applies: the four summaries always, spreads when a configuration ran more
    than once. Keys are stable names the page and the report use."""
    colours = colours or colour_map(df["configuration"])
    figures = {
        "latency": latency_breakdown(df, colours),
        "tokens": token_split(df, colours),
        "speed": tokens_per_second(df, colours),
        "cost": cost_per_thousand(df, colours),
    }
    if not df.empty and df.groupby("configuration")["repeat"].nunique().max() > 1:
        figures["latency_spread"] = spread(df, "latency_s", "Latency spread across runs", "seconds", colours)
        figures["tokens_spread"] = spread(df, "output_tokens", "Output tokens spread across runs", "tokens", colours)
    return figures


# -- the charts -----------------------------------------------------------------------------------
def latency_breakdown(df: pd.DataFrame, colours: Mapping[str, str] | None = None) -> go.Figure:
    """Mean latency per configuration as waiting (to first token) + reasoning + answer seconds."""
    colours = colours or colour_map(df["configuration"])
    means = _means(df, ["time_to_first_token_s", "reasoning_time_s", "answer_time_s", "latency_s"])
    phases = [
        ("Waiting for first token", "time_to_first_token_s", "."),
        ("Reasoning", "reasoning_time_s", "/"),
        ("Answer", "answer_time_s", ""),
    ]
    fig = go.Figure()
    for name, col, shape in phases:
        fig.add_traces(
            _phase_bars(
                means,
                name,
                means[col].fillna(0.0),
                shape,
                colours,
                customdata=means[["latency_s"]].to_numpy().tolist(),
                hover=f"<b>%{{x}}</b><br>{name}: %{{y:.2f}} s<br>Total latency: %{{customdata[0]:.2f}} s<extra></extra>",
            )
        )
        fig.add_trace(_legend_swatch(name, shape))
    fig.update_layout(barmode="stack")
    return _style(fig, df, "Latency (seconds): waiting, reasoning, answer", "Seconds (mean per configuration)")


def token_split(df: pd.DataFrame, colours: Mapping[str, str] | None = None) -> go.Figure:
    """Mean reasoning vs answer tokens, stacked. "est." on a bar where we estimated the split."""
    colours = colours or colour_map(df["configuration"])
    means = _means(df, ["reasoning_tokens", "answer_tokens"], flags=["reasoning_estimated", "answer_estimated"])
    any_estimated = bool(means["reasoning_estimated"].any() or means["answer_estimated"].any())
    fig = go.Figure()
    for name, col, flag, shape in (
        ("Reasoning tokens", "reasoning_tokens", "reasoning_estimated", "/"),
        ("Answer tokens", "answer_tokens", "answer_estimated", ""),
    ):
        estimated = means[flag].to_list()
        fig.add_traces(
            _phase_bars(
                means,
                name,
                means[col].fillna(0.0),
                shape,
                colours,
                text=["est." if e else "" for e in estimated],
                customdata=[["estimated" if e else "reported by the host"] for e in estimated],
                hover=f"<b>%{{x}}</b><br>{name}: %{{y:,.0f}} (%{{customdata[0]}})<extra></extra>",
            )
        )
        fig.add_trace(_legend_swatch(name, shape))
    fig.update_layout(barmode="stack", uniformtext_minsize=14, uniformtext_mode="hide")  # no "est." piled on thin bars
    title = "Reasoning vs answer tokens" + (" (est. = estimated)" if any_estimated else "")
    return _style(fig, df, title, "Tokens (mean per configuration)")


def tokens_per_second(df: pd.DataFrame, colours: Mapping[str, str] | None = None) -> go.Figure:
    colours = colours or colour_map(df["configuration"])
    means = _means(df, ["tokens_per_s"])
    fig = go.Figure(
        _plain_bar(means, means["tokens_per_s"], colours, "<b>%{x}</b><br>%{y:.1f} tokens/s<extra></extra>", "%{y:.0f}")
    )
    return _style(fig, df, "Output speed (tokens/s)", "Tokens/s (mean, higher is faster)")


def cost_per_thousand(df: pd.DataFrame, colours: Mapping[str, str] | None = None) -> go.Figure:
    """Mean cost of one request × 1,000: per-request costs are fractions of a cent, unreadable."""
    colours = colours or colour_map(df["configuration"])
    means = _means(df, ["cost_usd"])
    per_thousand = means["cost_usd"] * 1000
    fig = go.Figure(
        _plain_bar(
            means,
            per_thousand.fillna(0.0),
            colours,
            "<b>%{x}</b><br>$%{y:.4f} per 1,000 requests<extra></extra>",
            None,
        )
    )
    fig.data[0].text = ["price unknown" if pd.isna(v) else f"${v:.4f}" for v in per_thousand]
    fig.data[0].textposition = "outside"
    return _style(fig, df, "Cost per 1,000 requests (USD)", "US dollars per 1,000 requests")


def spread(df: pd.DataFrame, column: str, title: str, unit: str, colours: Mapping[str, str] | None = None) -> go.Figure:
    """Box plot per configuration, every run shown as a point (repeats are few)."""
    colours = colours or colour_map(df["configuration"])
    x_col, order = _x_axis(df)
    fig = go.Figure()
    for label, group in _finished(df).groupby("configuration", sort=False):
        fig.add_trace(
            go.Box(
                x=group[x_col].astype(str),
                y=_float(group[column]),
                name=str(label),
                marker_color=colours.get(str(label), NEUTRAL_SWATCH),
                boxpoints="all",
                jitter=0.3,
                pointpos=0,
                hovertemplate=f"<b>%{{fullData.name}}</b><br>%{{y:.2f}} {unit}<extra></extra>",
            )
        )
    fig.update_layout(showlegend=False)
    return _style(fig, df, f"{title} ({unit})", f"{unit.capitalize()} per run", order=order)


# -- helpers --------------------------------------------------------------------------------------
def _finished(df: pd.DataFrame) -> pd.DataFrame:
    # Failed or stopped runs would drag means towards zero; they are in the table, not the charts.
    return df[df["status"].isin(FINISHED)]


def _x_axis(df: pd.DataFrame) -> tuple[str, list[str]]:
    """("effort", low→high) for an effort sweep, else ("configuration", pane order)."""
    if is_effort_sweep(df):
        present = [str(e) for e in df["effort"].dropna().unique()]
        order = [e for e in EFFORTS if e in present] + sorted(e for e in present if e not in EFFORTS)
        return "effort", order
    return "configuration", [str(c) for c in dict.fromkeys(df["configuration"])]


def _means(df: pd.DataFrame, columns: list[str], flags: list[str] | None = None) -> pd.DataFrame:
    """One row per configuration (all of them, in pane order, NaN where no run finished)."""
    x_col, _ = _x_axis(df)
    configs = df.drop_duplicates("configuration")
    finished = _finished(df)
    out = pd.DataFrame({"configuration": configs["configuration"].astype(str).to_list()})
    out["x"] = configs[x_col].astype(str).to_list()
    for col in columns:
        means = _float(finished[col]).groupby(finished["configuration"]).mean()
        out[col] = _float(out["configuration"].map(means))
    for flag in flags or []:
        anys = finished.groupby("configuration")[flag].apply(lambda s: bool(s.fillna(False).any()))
        out[flag] = out["configuration"].map(anys).fillna(False).astype(bool)
    return out


def _float(series: pd.Series) -> pd.Series:
    """Plain float64 with NaN: nullable Int64/Float64 and pd.NA trip plotly and numpy."""
    values = pd.to_numeric(series, errors="coerce").astype("Float64").to_numpy(dtype=float, na_value=float("nan"))
    return pd.Series(values, index=series.index, dtype="float64")


def _phase_bars(means, name, values, shape, colours, *, hover, customdata=None, text=None) -> list[go.Bar]:
    """One trace per configuration, so each gets a single colour (plotly mishandles patterns over
    per-point colour arrays), all in the phase's legend group."""
    traces = []
    for i, label in enumerate(means["configuration"]):
        colour = colours.get(label, NEUTRAL_SWATCH)
        traces.append(
            go.Bar(
                x=[means["x"].iloc[i]],
                y=[values.iloc[i]],
                name=name,
                legendgroup=name,
                showlegend=False,
                marker={
                    "color": colour,
                    "opacity": 0.45 if shape == "." else 1.0,
                    "pattern": {
                        "shape": shape,
                        "fillmode": "overlay",
                        "fgcolor": "white",
                        "fgopacity": 0.8,
                        "size": 12,
                    },
                    "line": {"color": "white", "width": 1},
                },
                text=None if text is None else [text[i]],
                textposition="inside" if text is not None else None,
                customdata=None if customdata is None else [customdata[i]],
                hovertemplate=hover,
            )
        )
    return traces


def _legend_swatch(name: str, shape: str) -> go.Bar:
    # The bars themselves carry configuration colours; the legend explains only the pattern,
    # in grey, and toggles the whole phase through the shared legend group.
    return go.Bar(
        x=[None],
        y=[None],
        name=name,
        legendgroup=name,
        marker={
            "color": NEUTRAL_SWATCH,
            "opacity": 0.45 if shape == "." else 1.0,
            "pattern": {"shape": shape, "fillmode": "overlay", "fgcolor": "white", "fgopacity": 0.8},
        },
        showlegend=True,
        hoverinfo="skip",
    )


def _plain_bar(means, values, colours, hover: str, texttemplate: str | None) -> go.Bar:
    return go.Bar(
        x=means["x"],
        y=values,
        marker={"color": [colours.get(c, NEUTRAL_SWATCH) for c in means["configuration"]]},
        hovertemplate=hover,
        texttemplate=texttemplate,
        textposition="outside" if texttemplate else None,
        showlegend=False,
    )


def _style(fig: go.Figure, df: pd.DataFrame, title: str, y_title: str, order: list[str] | None = None) -> go.Figure:
    x_col, default_order = _x_axis(df)
    fig.update_layout(
        template="plotly_white",
        title={"text": title, "font": {"size": TITLE_SIZE}, "x": 0.02, "xanchor": "left"},
        font={"size": FONT_SIZE},
        height=HEIGHT,
        margin={"l": 90, "r": 30, "t": 90, "b": 110},
        legend={"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0, "font": {"size": FONT_SIZE}},
        hoverlabel={"font": {"size": FONT_SIZE}},
        uniformtext={"minsize": 14, "mode": "hide"},
    )
    fig.update_xaxes(
        title={"text": "Reasoning effort" if x_col == "effort" else "Configuration"},
        categoryorder="array",
        categoryarray=order or default_order,
        type="category",
    )
    fig.update_yaxes(title={"text": y_title}, rangemode="tozero")
    return fig
