"""The frame every page calls first: page config, session state and the shared sidebar header."""

from __future__ import annotations

import streamlit as st

from components.state import AppState, app_state


def frame(title: str, icon: str = "💬") -> AppState:
    st.set_page_config(page_title=f"{title} · gpt-oss Playground", page_icon=icon, layout="wide")
    return app_state()
