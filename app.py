"""gpt-oss Playground: the Chat page (home)."""

from __future__ import annotations

import streamlit as st

from components.chat_settings import chat_sidebar
from components.chat_view import conversation, render_history, render_user, stream_answer
from components.code_view import render_code
from components.frame import frame
from components.state import ChatTurn
from playground.models import takes_reasoning_effort
from playground.request import RunRequest, budget_warning, context_warning

SAMPLE_PROMPTS = {
    "Savings or CD?": (
        "A family has $5,000 to save. They can put it in a savings account paying 2% a year or in a "
        "one-year CD paying 4%, but they want to keep $1,000 available for emergencies. "
        "How should they split the money, and how much interest will they earn in a year?"
    ),
    "√(42³)": "Tell me the square root of 42 ^ 3",
    "Explain like I'm 5": "Explain how a rainbow forms to a five-year-old in three sentences.",
    "Write code": "Write a Python function that checks whether a string is a palindrome, with two tests.",
}

state = frame("Chat")
settings = chat_sidebar(state)

st.title("Chat")
st.caption(
    f"{settings.connection.label} · `{settings.model}`"
    + (f" · effort **{settings.params.reasoning_effort}**" if settings.params.reasoning_effort else "")
)

with st.sidebar:
    if st.button("Clear conversation", icon="🧹", width="stretch"):
        state.chat.clear()

render_code(settings)

warning = budget_warning(settings.params, takes_reasoning_effort(settings.model))
if warning:
    st.warning(warning, icon="🧮")

# A "re-run with a larger budget" click replaces the cut answer: take it out before drawing.
rerun_of = state.pop_rerun()
render_history(state, settings.show_reasoning)

prompt = st.chat_input("Ask gpt-oss…", submit_mode="stop", key="prompt")
samples = st.empty()
if state.chat == [] and prompt is None:
    with samples.container():
        st.caption("Try a sample prompt:")
        for column, (title, text) in zip(st.columns(len(SAMPLE_PROMPTS)), SAMPLE_PROMPTS.items(), strict=True):
            if column.button(title, key=f"sample-{title}", width="stretch", help=text):
                prompt = text
if prompt:
    samples.empty()  # the conversation has started: the samples make way for it

if rerun_of is not None:
    old = rerun_of.request
    budget = settings.params.max_tokens
    request = RunRequest(old.model, old.messages, old.system_prompt, old.params.with_(max_tokens=budget))
    stream_answer(state, settings.connection, request, settings.show_reasoning)
elif prompt is not None and prompt.strip():
    state.chat.append(ChatTurn("user", prompt))
    render_user(prompt)
    request = RunRequest(settings.model, conversation(state.chat), settings.system_prompt, settings.params)
    too_long = context_warning(request)
    if too_long:
        st.warning(too_long, icon="📏")
    stream_answer(state, settings.connection, request, settings.show_reasoning)
elif prompt is not None:
    st.toast("The prompt is empty: nothing was sent.")
