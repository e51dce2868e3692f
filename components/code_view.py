"""The "View code" panel: the call for the current settings, for the connection's own API."""

from __future__ import annotations

import streamlit as st

from components.chat_settings import ChatSettings
from playground import code_snippets
from playground.request import RunRequest


def render_code(settings: ChatSettings, prompt: str = "Hello!") -> None:
    message = ({"role": "user", "content": prompt},)
    request = RunRequest(settings.model, message, settings.system_prompt, settings.params)
    with st.expander("View code", icon="🧑‍💻"):
        st.caption("Keys come from the environment or the AWS credential chain; they are never shown here.")
        snippets = code_snippets.snippets(settings.connection, request)
        for tab, (language, code) in zip(st.tabs(list(snippets)), snippets.values(), strict=True):
            tab.code(code, language=language)
