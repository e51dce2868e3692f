"""A Bedrock API key typed in the browser stays server-side: not in os.environ, logs or the page."""

from __future__ import annotations

import logging
import os

import pytest

from playground.connections import Auth, Kind
from tests.support.aws_fake import AwsFake, converse_stream_reply

KEY = "bedrock-api-key-QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo="


@pytest.fixture
def aws_fake(monkeypatch):
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    fake = AwsFake()
    yield fake
    fake.close()


def test_browser_typed_bedrock_key_never_leaves_the_server_side(app_at, aws_fake, caplog):
    caplog.set_level(logging.INFO)
    aws_fake.push("converse-stream", converse_stream_reply(reasoning=["Think."], text=["Hello ", "there."]))
    at = app_at("pages/2_Connections.py").run()
    at.selectbox(key="new-kind").set_value(Kind.BEDROCK_CONVERSE).run()
    at.text_input(key="new-name").set_value("Bedrock key")
    at.text_input(key="new-endpoint-url").set_value(aws_fake.url).run()
    at.radio(key="new-auth").set_value(Auth.API_KEY).run()
    at.text_input(key="new-apikey").set_value(KEY).run()
    next(b for b in at.button if b.label == "Add connection").click().run()
    added = next(c for c in at.session_state["app"].connections if c.name == "Bedrock key")
    assert added.auth == Auth.API_KEY and added.api_key.reveal() == KEY

    at.switch_page("app.py").run()
    at.selectbox(key="conn").set_value(added.id).run()
    at.chat_input(key="prompt").set_value("hi").run()
    assert not at.exception
    assert any("Hello there." in m.value for m in at.markdown)

    sent = aws_fake.routed("converse-stream")[-1]
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert all(KEY not in value for value in os.environ.values())
    assert "AWS_BEARER_TOKEN_BEDROCK" not in os.environ
    assert KEY not in caplog.text
    assert KEY not in str(at._tree)
