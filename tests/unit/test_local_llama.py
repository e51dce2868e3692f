"""The real llama.cpp server with the shipped Gemma 3 270M GGUF, answering through the engine."""

from __future__ import annotations

import pytest

from playground.local_server import SHIPPED_MODEL_ID, ensure_server, local_provider, stop_all
from playground.request import Params, RunRequest
from playground.runs import RunRecord, Status, execute

pytestmark = pytest.mark.llama


@pytest.fixture(scope="module")
def provider():
    yield local_provider()
    stop_all()


def test_shipped_model_answers_through_the_engine(provider):
    request = RunRequest(
        SHIPPED_MODEL_ID,
        ({"role": "user", "content": "Say hello."},),
        params=Params(max_tokens=24, reasoning_effort="high", temperature=0.0),
    )
    record = RunRecord(request)
    events = list(execute(provider, request, record))
    assert record.status in (Status.COMPLETE, Status.INCOMPLETE), record.failure
    assert record.answer.strip(), "the gemma chat format must produce a non-empty answer"
    assert record.metrics.time_to_first_answer_token_s is not None
    assert any(type(e).__name__ == "Finish" for e in events)


def test_listed_model_is_the_alias(provider):
    assert provider.list_models() == [SHIPPED_MODEL_ID]


def test_server_is_reused_and_stopped():
    first = ensure_server()
    assert ensure_server() is first and first.alive()
    stop_all()
    assert not first.alive()


def test_server_ignores_the_apps_own_port_and_key_variables(monkeypatch):
    """`make run PORT=…` (or a platform's PORT/API_KEY) must not steer the embedded server."""
    import socket

    stop_all()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        monkeypatch.setenv("PORT", str(taken.getsockname()[1]))
        monkeypatch.setenv("API_KEY", "not-for-the-local-server")
        server = ensure_server()
        try:
            assert server.port != taken.getsockname()[1]
            assert local_provider().list_models() == [SHIPPED_MODEL_ID]  # answered, without a key
        finally:
            stop_all()
