"""Compare: one prompt in 2–6 panes at once, with charts, agreement, blind votes and export."""

from __future__ import annotations

import streamlit as st

from components.blind_vote import render_leaderboard, render_reveal, render_vote
from components.chat_view import conversation
from components.compare_results import render_results
from components.compare_setup import compare_sidebar, pane_editor
from components.compare_view import CompareRun, new_run, render_panes
from components.frame import frame
from playground.compare import Comparison, ProviderCache
from playground.safe_markdown import safe_markdown

state = frame("Compare", "⚖️")
options = compare_sidebar(state)
st.title("Compare")
st.caption("Run one prompt in every pane at the same time and compare answers, speed, tokens and cost.")

if options.blind:  # viewers must not read the models off the set-up
    with st.expander("Pane set-up (folded in blind mode so viewers cannot see the models)", icon="🙈"):
        panes = pane_editor(state, options)
else:
    panes = pane_editor(state, options)
providers: ProviderCache = st.session_state.setdefault("providers", ProviderCache())

with st.form("compare-prompt", border=False):
    prompt = st.text_area("Prompt", key="compare_prompt", height=100, placeholder="Ask every pane the same question…")
    with_history = st.checkbox(
        "Send the Chat page's conversation as shared history", key="compare_history", disabled=not state.chat
    )
    submitted = st.form_submit_button("Run all panes", type="primary", icon="▶️")

runs: list[CompareRun] = state.compare_runs
live = False
if submitted and not prompt.strip():
    st.warning("The prompt is empty: nothing was sent.")
elif submitted and len(panes) < 2:
    st.warning("Pick a model in at least two panes.")
elif submitted:
    history = conversation(state.chat) if with_history else ()
    comp = Comparison(
        panes,
        prompt.strip(),
        history,
        options.repeats,
        provider_factory=providers,
        pricing=lambda pane: state.price(pane.model, pane.connection),
    ).start()
    runs.append(new_run(comp, options.blind))
    st.session_state.compare_current = len(runs) - 1
    live = True

if runs:
    if len(runs) > 1:
        st.selectbox(
            "Comparison",
            range(len(runs)),
            index=len(runs) - 1,
            key="compare_current",
            format_func=lambda i: f"#{i + 1}: {runs[i].title}",
        )
    run = runs[st.session_state.get("compare_current", len(runs) - 1)]
    st.divider()
    st.markdown(f"**Prompt:** {safe_markdown(run.comparison.prompt[:300])}")
    # The live pass and the finished one draw the panes at the same place on the page, so nothing
    # stale from an earlier comparison lingers beside them while the page redraws.
    stop_slot = st.empty()
    if live:
        stop_slot.button("Stop all", icon="⏹️", help="Cancels every pane and keeps what has arrived.")
        render_panes(run, options.show_reasoning, live=True)
        st.rerun()  # draw the finished comparison with its results below
    render_panes(run, options.show_reasoning, live=False)
    if not run.revealed:
        render_vote(run, state.votes)
    else:
        if run.order is not None:
            render_reveal(run)
        render_results(run)
render_leaderboard(state.votes)
