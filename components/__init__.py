"""Reusable Streamlit pieces. One render_* per visual unit, used by the live stream and the
history alike, so the two never drift."""
