"""gpt-oss Playground engine: providers, reasoning normalisation, runs and metrics.

Nothing in this package imports Streamlit; the pages and components are thin layers on top.
"""
