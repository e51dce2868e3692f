"""The frame every page calls first: page config, session state and the navigation."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from components.state import AppState, app_state

ROOT = Path(__file__).resolve().parents[1]
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
            if not (ROOT / path).exists():  # TEMP until Compare lands
                continue
            st.page_link(path, label=label, icon=page_icon)
        st.divider()
    return app_state()
