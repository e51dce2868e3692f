"""The "View code" panel: the openai SDK call and curl for the current settings."""

from __future__ import annotations

import streamlit as st

from components.chat_settings import ChatSettings
from playground import code_snippets
from playground.request import RunRequest


def render_code(settings: ChatSettings, prompt: str = "Hello!") -> None:
    request = RunRequest(
        settings.model, ({"role": "user", "content": prompt},), settings.system_prompt, settings.params
    )
    with st.expander("View code", icon="🧑‍💻"):
        st.caption("The key is read from an environment variable; it is never shown here.")
        python_tab, curl_tab = st.tabs(["Python (openai SDK)", "curl"])
        python_tab.code(code_snippets.openai_python(settings.connection, request), language="python")
        curl_tab.code(code_snippets.curl(settings.connection, request), language="bash")
