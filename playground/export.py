"""A comparison as JSON, CSV and one self-contained HTML report, with no key in any of them.

Keys: configurations go out through `Connection.describe()` with even the masked key replaced
by "set", base URLs lose user-info, query and fragment (a key can hide in `?api-key=`), and
every string is scrubbed of the connections' secrets before it is written. Text we generated
(failure messages, notices, URLs) is also run through `secrets.redact`'s key patterns; model
and user text is not, since those patterns would mangle ordinary words such as "bearer bonds".

CSV cells that a spreadsheet would run as a formula (= + - @ tab CR) get a leading `'`.
The report inlines plotly.js once, escapes all text, loads nothing from the network, and carries
a Content-Security-Policy that forbids it from trying.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from playground.agreement import agreement
from playground.charts import colour_map, comparison_figures
from playground.compare import Comparison, PaneConfig
from playground.projection import project_costs
from playground.results import display_table, results_frame
from playground.secrets import Secret, redact
from playground.votes import Vote, leaderboard, length_note

FORMAT = "gpt-oss-playground/comparison"
VERSION = 1
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")  # full-width forms too
CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:"


# -- key safety -----------------------------------------------------------------------------------
def safe_url(url: str | None) -> str | None:
    """The URL without user-info, query or fragment: the places a key can ride along."""
    if not url:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _secrets(comp: Comparison) -> list[str]:
    values = []
    for pane in comp.panes:
        for s in pane.connection.secrets():
            if isinstance(s, Secret) and s and len(s.reveal()) >= 4:
                values.append(s.reveal())
    return values


def _scrub(value: Any, secrets: Sequence[str]) -> Any:
    """Every string in a JSON-ready tree with the exact secrets replaced."""
    if isinstance(value, str):
        for s in secrets:
            value = value.replace(s, "[redacted]")
        return value
    if isinstance(value, dict):
        return {_scrub(k, secrets): _scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v, secrets) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no NaN
    return value


def configuration(pane: PaneConfig) -> dict:
    d = pane.describe()
    conn = d["connection"]
    conn["key"] = "set" if pane.connection.api_key else None
    conn["base_url"] = safe_url(conn.get("base_url"))
    return d


# -- JSON -----------------------------------------------------------------------------------------
def comparison_dict(comp: Comparison, votes: Sequence[Vote] = (), include_reasoning: bool = True) -> dict:
    """Everything about a comparison, key-free and JSON-ready."""
    secrets = _secrets(comp)
    runs = []
    for key, record in sorted(comp.records.items()):
        r = record.to_dict(include_reasoning=include_reasoning)
        if r["failure"]:
            r["failure"]["message"] = redact(r["failure"]["message"], *secrets)
        r["notices"] = [redact(n, *secrets) for n in r["notices"]]
        runs.append({"pane": key.pane, "repeat": key.repeat, "configuration": comp.panes[key.pane].label, **r})
    data = {
        "format": FORMAT,
        "version": VERSION,
        "id": comp.id,
        "created_at": comp.created_at,
        "exported_at": time.time(),
        "prompt": comp.prompt,
        "history": list(comp.history),
        "repeats": comp.repeats,
        "include_reasoning": include_reasoning,
        "configurations": [configuration(p) for p in comp.panes],
        "runs": runs,
        "votes": [v.to_dict() for v in votes],
    }
    return _scrub(data, secrets)


def to_json(comp: Comparison, votes: Sequence[Vote] = (), include_reasoning: bool = True) -> str:
    """Readable UTF-8 JSON; falls back to \\u escapes when the text holds a lone surrogate (which
    UTF-8 cannot encode), so the round trip is exact either way."""
    data = comparison_dict(comp, votes, include_reasoning)
    text = json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(data, ensure_ascii=True, indent=2, allow_nan=False)
    return text


# -- CSV ------------------------------------------------------------------------------------------
def escape_formula(value: Any) -> Any:
    """A string a spreadsheet would evaluate gets a leading `'` (CVE-2022-24770 class)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], secrets: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        cells = []
        for col in columns:
            v = _scrub(row.get(col), secrets)
            if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
                v = ""
            cells.append(escape_formula(v if isinstance(v, str) else str(v) if not isinstance(v, int | float) else v))
        writer.writerow(cells)
    return out.getvalue()


def runs_csv(comp: Comparison, include_reasoning: bool = False) -> str:
    """One row per run: the results table plus prompt, answer and (optionally) reasoning."""
    secrets = _secrets(comp)
    df = results_frame(comp.panes, comp.records)
    df["error"] = df["error"].map(lambda e: None if e is None or pd.isna(e) else redact(e, *secrets))
    rows = df.astype(object).where(df.notna(), None).to_dict("records")
    for row, (_, record) in zip(rows, sorted(comp.records.items()), strict=True):
        row["system_prompt"] = record.request.system_prompt
        row["prompt"] = comp.prompt
        row["answer"] = record.answer
        if include_reasoning:
            row["reasoning"] = record.reasoning
    columns = [*df.columns, "system_prompt", "prompt", "answer"] + (["reasoning"] if include_reasoning else [])
    return _csv(rows, columns, secrets)


def votes_csv(votes: Sequence[Vote]) -> str:
    rows = [
        {
            "cast_at": datetime.fromtimestamp(v.cast_at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
            "comparison_id": v.comparison_id,
            "shown": " | ".join(v.shown),
            "ranking": " > ".join(" = ".join(g) for g in v.ranking),
            "verdict": v.verdict.value if v.verdict else "",
            "prompt": v.prompt,
        }
        for v in votes
    ]
    return _csv(rows, ["cast_at", "comparison_id", "shown", "ranking", "verdict", "prompt"], ())


# -- HTML -----------------------------------------------------------------------------------------
_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:18px;line-height:1.5;
max-width:1200px;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
h1{font-size:2rem}h2{font-size:1.5rem;margin-top:2.5rem;border-bottom:2px solid #ddd}
table{border-collapse:collapse;font-size:15px;margin:1rem 0;display:block;overflow-x:auto}
th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}.text{white-space:pre-wrap;overflow-wrap:anywhere;background:#fafafa;
border:1px solid #e3e3e3;padding:.8rem;border-radius:6px}.meta{color:#555}
.swatch{display:inline-block;width:1em;height:1em;border-radius:3px;vertical-align:-.15em;margin-right:.4em}
ins{background:#d4f7d4;text-decoration:none}del{background:#fbd8d8}
"""


def html_report(
    comp: Comparison,
    votes: Sequence[Vote] = (),
    include_reasoning: bool = False,
    requests_per_month: float | None = None,
    title: str = "gpt-oss comparison",
    figures: Mapping[str, go.Figure] | None = None,
) -> str:
    """One HTML file with tables, charts (plotly.js inlined once), answers and votes."""
    secrets = _secrets(comp)
    esc = _escaper(secrets)
    df = results_frame(comp.panes, comp.records)
    df["error"] = df["error"].map(lambda e: None if e is None or pd.isna(e) else redact(e, *secrets))
    colours = colour_map(p.label for p in comp.panes)
    figs = figures if figures is not None else comparison_figures(df, colours)

    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        f'<p class="meta">Comparison {esc(comp.id)} · run {esc(_when(comp.created_at))} · '
        f"{len(comp.panes)} configurations × {comp.repeats} run(s)</p>",
        "<h2>Prompt</h2>",
    ]
    if comp.history:
        parts.append("<h3>Shared history</h3>")
        parts += [f"<p><b>{esc(m['role'])}</b></p><div class='text'>{esc(m['content'])}</div>" for m in comp.history]
    parts.append(f"<div class='text'>{esc(comp.prompt)}</div>")

    parts.append("<h2>Configurations</h2>")
    parts.append(_configurations_table(comp, colours, esc))
    parts.append("<h2>Results</h2>")
    parts.append(_table(display_table(df), esc))

    if figs:
        parts.append("<h2>Charts</h2>")
        for i, (name, fig) in enumerate(figs.items()):
            chart = pio.to_html(
                fig,
                full_html=False,
                include_plotlyjs=(i == 0),  # inlined once; the rest reuse it
                include_mathjax=False,
                config={"displaylogo": False, "responsive": True},
                div_id=f"chart-{name}",
            )
            parts.append(f"<div class='chart'>{_strip_secrets(chart, secrets)}</div>")

    finished = {}
    for key, record in sorted(comp.records.items()):
        label = comp.panes[key.pane].label
        if label not in finished and record.answer.strip():
            finished[label] = record.answer
    verdict = agreement(finished)
    parts.append("<h2>Agreement</h2>")
    parts.append(f"<p>{esc(verdict.verdict.capitalize())}. {esc(verdict.detail)}</p>")

    if requests_per_month is not None:
        parts.append(f"<h2>Cost projection at {requests_per_month:,.0f} requests per month</h2>")
        parts.append(_table(_projection_display(project_costs(df, requests_per_month)), esc))

    parts.append("<h2>Answers</h2>")
    for key, record in sorted(comp.records.items()):
        pane = comp.panes[key.pane]
        heading = pane.label + (f" — run {key.repeat + 1}" if comp.repeats > 1 else "")
        parts.append(
            f"<h3><span class='swatch' style='background:{colours[pane.label]}'></span>{esc(heading)}</h3>"
            f"<p class='meta'>{esc(record.status.value)}"
            + (f" · finish reason {esc(record.finish_reason)}" if record.finish_reason else "")
            + (f" · {esc(redact(record.failure.message, *secrets))}" if record.failure else "")
            + "</p>"
        )
        if include_reasoning and record.reasoning:
            parts.append(
                f"<details><summary>Reasoning</summary><div class='text'>{esc(record.reasoning)}</div></details>"
            )
        parts.append(f"<div class='text'>{esc(record.answer) or '<i>(no answer)</i>'}</div>")

    if votes:
        board = leaderboard(votes)
        parts.append("<h2>Blind votes</h2>")
        parts.append(_table(board, esc))
        note = length_note(board)
        if note:
            parts.append(f"<p>{esc(note)}</p>")

    parts.append("</body></html>")
    return _strip_secrets("\n".join(parts), secrets)


def _escaper(secrets: Sequence[str]):
    def esc(value: Any) -> str:
        text = "" if value is None else str(value)
        for s in secrets:
            text = text.replace(s, "[redacted]")
        return html.escape(text, quote=True)

    return esc


def _strip_secrets(text: str, secrets: Sequence[str]) -> str:
    for s in secrets:
        text = text.replace(s, "[redacted]")
    return text


def _table(df: pd.DataFrame, esc) -> str:
    head = "".join(f"<th>{esc(c)}</th>" for c in df.columns)
    body = []
    for row in df.itertuples(index=False):
        cells = []
        for v in row:
            if v is None or (not isinstance(v, str) and pd.isna(v)):
                cells.append("<td>—</td>")
            elif isinstance(v, float):
                cells.append(f"<td>{esc(f'{v:,.4g}')}</td>")
            else:
                cells.append(f"<td>{esc(v)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _configurations_table(comp: Comparison, colours: Mapping[str, str], esc) -> str:
    rows = []
    for pane in comp.panes:
        c = configuration(pane)
        p = c["params"]
        rows.append(
            "<tr>"
            f"<td><span class='swatch' style='background:{colours[pane.label]}'></span>{esc(pane.label)}</td>"
            f"<td>{esc(c['connection']['name'])} ({esc(c['connection']['kind'])})</td>"
            f"<td>{esc(c['connection']['base_url'] or c['connection']['region'] or '')}</td>"
            f"<td>{esc(pane.model)}</td><td>{esc(p['reasoning_effort'] or '—')}</td>"
            f"<td>{esc(p['temperature'])}</td><td>{esc(p['top_p'])}</td><td>{esc(p['max_tokens'])}</td>"
            f"<td>{esc(pane.system_prompt or '—')}</td>"
            "</tr>"
        )
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "Configuration",
            "Connection",
            "Endpoint",
            "Model",
            "Effort",
            "Temperature",
            "Top p",
            "Max tokens",
            "System prompt",
        )
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _projection_display(proj: pd.DataFrame) -> pd.DataFrame:
    def usd(v: float) -> str:
        return "price unknown" if pd.isna(v) else f"${v:,.4f}"

    return pd.DataFrame(
        {
            "Configuration": proj["configuration"],
            "Mean input tokens": proj["mean_input_tokens"].map(lambda v: "—" if pd.isna(v) else f"{v:,.0f}"),
            "Mean output tokens": proj["mean_output_tokens"].map(lambda v: "—" if pd.isna(v) else f"{v:,.0f}"),
            "Estimated counts": proj["tokens_estimated"].map(lambda v: "yes" if v else "no"),
            "Cost per 1,000 requests": proj["cost_per_1000_usd"].map(usd),
            "Cost per month": proj["cost_per_month_usd"].map(usd),
        }
    )


def _when(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(ts))
