"""Compare page: the panes of one comparison, live while it runs and again from the session."""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from components.run_view import RunView
from playground.compare import Comparison, RunEnded, RunKey, RunStarted
from playground.votes import BlindOrder, Vote, blind_order


@dataclass
class CompareRun:
    """A comparison kept in the session: re-openable after page switches."""

    comparison: Comparison
    order: BlindOrder[str] | None = None  # set in blind mode: neutral labels until the vote
    votes: list[Vote] = field(default_factory=list)

    @property
    def revealed(self) -> bool:
        return self.order is None or bool(self.votes)

    @property
    def title(self) -> str:
        prompt = self.comparison.prompt.strip().replace("\n", " ")
        return f"{prompt[:60]}{'…' if len(prompt) > 60 else ''} · {len(self.comparison.panes)} panes"


def new_run(comparison: Comparison, blind: bool) -> CompareRun:
    labels = [p.label for p in comparison.panes]
    return CompareRun(comparison, blind_order(labels) if blind else None)


def _columns_in_order(run: CompareRun) -> list[tuple[int, str]]:
    """(pane index, heading) in display order: shuffled under neutral labels while blind."""
    panes = run.comparison.panes
    if run.revealed:
        return [(i, p.label) for i, p in enumerate(panes)]
    index = {p.label: i for i, p in enumerate(panes)}
    return [(index[run.order.reveal(label)], f"Answer {label}") for label in run.order.labels]


def render_panes(run: CompareRun, show_reasoning: bool, live: bool) -> None:
    """Draw every pane; when `live`, stream the comparison into them until it is done or stopped."""
    comp = run.comparison
    blind = not run.revealed
    views: dict[RunKey, RunView] = {}
    ordered = _columns_in_order(run)
    for column, (pane_index, heading) in zip(st.columns(len(ordered)), ordered, strict=True):
        with column:
            st.markdown(f"#### {heading}")
            for repeat in range(comp.repeats):
                with st.container(border=True):
                    if comp.repeats > 1:
                        st.caption(f"Run {repeat + 1} of {comp.repeats}")
                    views[RunKey(pane_index, repeat)] = RunView(
                        comp.records[RunKey(pane_index, repeat)], show_reasoning, blind
                    )
    if not live:
        # Drawn from the session while still running means the run that streamed it was
        # superseded (Stop all, any widget, leaving the page): Streamlit starts the new script
        # run before the old one reaches its next yield point, so stop it here too.
        comp.stop()
        for view in views.values():
            view.finish()
        return
    try:
        while not comp.done:
            for key, event in comp.drain(0.1):
                if isinstance(event, RunEnded):
                    views[key].finish()
                elif not isinstance(event, RunStarted):
                    views[key].on_event(event)
    finally:
        comp.stop()  # Stop, a rerun or leaving the page ends every worker; partial answers stay
