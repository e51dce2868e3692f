"""One assistant answer: reasoning panel, answer, status line and metrics strip.

`RunView` renders a RunRecord live (fed events) and from history (finish only), through the same
code, so the two never drift.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from components.text_view import TextView
from playground.events import Notice, ReasoningDelta, TextDelta, ToolCallDelta
from playground.metrics import Metrics
from playground.runs import RunRecord, Status


def thought_label(record: RunRecord, show_reasoning: bool) -> str:
    if not record.request.params.stream and record.ended is not None:
        return "Reasoning (streaming off: not timed)" if show_reasoning else "Reasoning hidden"
    end = record.first_answer or record.ended
    if record.first_token is None or end is None:
        return "Thinking…"
    label = f"Thought for {end - record.first_token:.1f} s"
    return label if show_reasoning else f"{label} (reasoning hidden)"


def metrics_line(m: Metrics) -> str:
    def s(v: float | None) -> str:
        return "—" if v is None else f"{v:.2f} s"

    est_split = " (est.)" if m.split_estimated or m.output_estimated else ""
    parts = [
        f"first token {s(m.time_to_first_token_s)}",
        f"first answer token {s(m.time_to_first_answer_token_s)}",
        f"latency {s(m.latency_s)}",
        f"in {m.input_tokens:,}{' (est.)' if m.input_estimated else ''} tok",
        f"reasoning {m.reasoning_tokens:,}{est_split} tok",
        f"answer {m.answer_tokens:,}{est_split} tok",
        f"{m.tokens_per_s:.1f} tok/s" if m.tokens_per_s else "— tok/s",
        "cost —" if m.cost_usd is None else f"${m.cost_usd:.6f}",
    ]
    return " · ".join(parts)


class RunView:
    def __init__(self, record: RunRecord, show_reasoning: bool, blind: bool = False) -> None:
        """`blind` hides everything but the answer (reasoning time and figures give models away)."""
        self.record = record
        self.show_reasoning = show_reasoning and not blind
        self.blind = blind
        self._reasoning_box = st.container()
        self._answer = TextView(st.container())
        self._notices = st.empty()
        self._status_box = st.container()
        self._metrics = st.empty()
        self._panel = None
        self._reasoning_view: TextView | None = None
        self._collapsed = False

    # -- live -------------------------------------------------------------------------------------
    def on_event(self, event) -> None:
        if isinstance(event, ReasoningDelta):
            self._ensure_panel()
            if self._reasoning_view:
                self._reasoning_view.update(self.record.reasoning)
        elif isinstance(event, TextDelta):
            self._collapse()
            self._answer.update(self.record.answer)
        elif isinstance(event, ToolCallDelta):
            self._ensure_panel()
        elif isinstance(event, Notice):
            self._notices.caption("⏳ " + event.text)

    def _ensure_panel(self) -> None:
        if self._panel is None and not self.blind:
            self._panel = self._reasoning_box.status("Thinking…", expanded=self.show_reasoning, state="running")
            if self.show_reasoning:
                self._reasoning_view = TextView(self._panel)

    def _collapse(self) -> None:
        if self._panel is not None and not self._collapsed:
            if self._reasoning_view:
                self._reasoning_view.update(self.record.reasoning, final=True)
            self._panel.update(label=thought_label(self.record, self.show_reasoning), state="complete", expanded=False)
        self._collapsed = True

    # -- end (live and history) -------------------------------------------------------------------
    def finish(self, on_rerun: Callable[[RunRecord, int], None] | None = None) -> None:
        r = self.record
        if r.reasoning or r.tool_calls:
            self._ensure_panel()
            self._collapse()
        self._answer.update(r.answer, final=True)
        if r.notices and not self.blind:
            self._notices.caption("ℹ️ " + " · ".join(r.notices[-3:]))
        else:
            self._notices.empty()
        with self._status_box:
            render_status(r, on_rerun)
        if self.blind:
            return
        if r.status == Status.ERROR:  # nothing arrived: figures would read like a billed answer
            self._metrics.caption(f"no output · failed after {r.metrics.latency_s or 0:.2f} s")
        else:
            self._metrics.caption(metrics_line(r.metrics))


def _what_is_kept(record: RunRecord) -> str:
    if record.answer:
        return "The partial answer above is kept."
    if record.reasoning:
        return "The reasoning so far is kept (no answer had started)."
    return ""


def render_status(record: RunRecord, on_rerun: Callable[[RunRecord, int], None] | None) -> None:
    status, failure = record.status, record.failure
    kept = _what_is_kept(record)
    if status in (Status.STOPPED, Status.STREAMING):  # streaming in history: its script run was stopped
        st.info(f"Stopped. {kept}" if kept else "Stopped before anything arrived.", icon="⏹️")
    elif status == Status.ERROR and failure:
        st.error(f"**{failure.title}.** {failure.message}", icon="🚫")
    elif status == Status.INTERRUPTED and failure:
        message = failure.message.rstrip()
        message += "" if message.endswith((".", "!", "?")) else "."
        st.warning(f"**{failure.title}.** {message} {kept}", icon="⚠️")
    elif status == Status.INCOMPLETE:
        budget = record.request.params.max_tokens
        if record.budget_exhausted:
            st.warning(
                f"Reasoning used the whole output budget ({budget:,} tokens) and no answer came. "
                "Re-run with a larger budget.",
                icon="🧠",
            )
        else:
            st.warning(f"Cut short: the host stopped at `{record.finish_reason}` (budget {budget:,} tokens).", icon="✂️")
        if on_rerun:
            bigger = min(budget * 4, 131_072)
            st.button(
                f"Re-run with {bigger:,} max tokens",
                key=f"rerun-{record.id}",
                on_click=on_rerun,
                args=(record, bigger),
            )
