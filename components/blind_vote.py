"""Blind A/B voting: the viewer judges neutral labels, then names are revealed."""

from __future__ import annotations

import streamlit as st

from components.compare_view import CompareRun
from playground.compare import RunKey
from playground.votes import Verdict, leaderboard, length_note, pair_vote, ranking_vote

VERDICTS = {
    Verdict.A_BETTER: "👈 A is better",
    Verdict.B_BETTER: "👉 B is better",
    Verdict.TIE: "🤝 Tie",
    Verdict.BOTH_BAD: "👎 Both are bad",
}


def _answers(run: CompareRun) -> dict[str, str]:
    comp = run.comparison
    return {pane.label: comp.records[RunKey(i, 0)].answer for i, pane in enumerate(comp.panes)}


def render_vote(run: CompareRun, all_votes: list) -> None:
    """The vote controls; a cast vote is kept on the run and in the session's vote list."""
    comp, order = run.comparison, run.order
    st.subheader("Your verdict")
    st.caption("Names, reasoning and figures are hidden until you vote.")

    def cast(vote) -> None:
        run.votes.append(vote)
        all_votes.append(vote)

    if len(order.labels) == 2:
        for column, (verdict, text) in zip(st.columns(4), VERDICTS.items(), strict=True):
            vote = None
            if column.button(text, key=f"vote-{comp.id}-{verdict}", width="stretch"):
                vote = pair_vote(order, verdict, _answers(run), comp.id, comp.prompt)
            if vote:
                cast(vote)
                st.rerun()
        return
    ranks = {}
    for column, label in zip(st.columns(len(order.labels)), order.labels, strict=True):
        ranks[label] = column.number_input(
            f"Rank of {label}", 1, len(order.labels), 1, key=f"rank-{comp.id}-{label}", help="1 = best; equal ranks tie"
        )
    if st.button("Submit ranking", type="primary", key=f"rank-submit-{comp.id}"):
        groups = [[label for label, r in ranks.items() if r == rank] for rank in sorted(set(ranks.values()))]
        cast(ranking_vote(order, groups, _answers(run), comp.id, comp.prompt))
        st.rerun()


def render_reveal(run: CompareRun) -> None:
    vote = run.votes[-1]
    mapping = ", ".join(f"**{label}** was `{run.order.reveal(label)}`" for label in run.order.labels)
    best = " = ".join(vote.ranking[0])
    st.success(f"Revealed: {mapping}. You preferred: **{best}**.", icon="🎭")


def render_leaderboard(votes: list) -> None:
    if not votes:
        return
    st.subheader("Leaderboard")
    board = leaderboard(votes)
    st.dataframe(board, hide_index=True, width="stretch")
    note = length_note(board)
    st.caption(note or "Average answer length is shown because longer answers tend to win votes.")
