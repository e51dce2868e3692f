"""The frame every page calls first: page config, session state and the navigation."""

from __future__ import annotations

import streamlit as st

from components.state import AppState, app_state

PAGES = (
    ("app.py", "Chat", "💬"),
    ("pages/1_Compare.py", "Compare", "⚖️"),
    ("pages/2_Connections.py", "Connections", "🔌"),
)


def frame(title: str, icon: str = "💬") -> AppState:
    st.set_page_config(page_title=f"{title} · gpt-oss Playground", page_icon=icon, layout="wide")
    with st.sidebar:
        st.markdown("### gpt-oss Playground")
        for path, label, page_icon in PAGES:
            st.page_link(path, label=label, icon=page_icon)
        st.divider()
    return app_state()
