"""Add a Bedrock Converse connection in the browser, then chat through it (loopback AWS fake)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import App, send, wait_idle
from tests.support.aws_fake import FAKE_ACCESS_KEY, FAKE_SECRET_KEY, AwsFake, converse_stream_reply

pytestmark = pytest.mark.e2e


def _pick(page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).last.click()
    page.get_by_role("option", name=option, exact=True).click()


def _type(page, label: str, text: str) -> None:
    """Type into a text input and commit it (Streamlit sends the value on Enter or blur)."""
    box = page.get_by_label(label, exact=True).last
    box.fill(text)
    box.press("Enter")
    wait_idle(page)


def test_converse_connection_added_on_connections_page_answers_on_chat(page, tmp_path):
    fake = AwsFake()
    app = App({"AWS_EC2_METADATA_DISABLED": "true"}, tmp_path)
    try:
        fake.push(
            "converse-stream",
            converse_stream_reply(reasoning=["Add ", "the numbers."], text=["The sum ", "is 42."], usage=(12, 30)),
        )
        page.goto(app.url + "/Connections")
        wait_idle(page)
        _pick(page, "Kind", "Bedrock Converse")
        wait_idle(page)
        _type(page, "Name", "Loopback Converse")
        _type(page, "Endpoint URL override (optional)", fake.url)
        page.get_by_text("Access keys", exact=True).last.click()
        wait_idle(page)
        _type(page, "Access key ID", FAKE_ACCESS_KEY)
        _type(page, "Secret access key", FAKE_SECRET_KEY)
        page.get_by_role("button", name="Add connection").click()
        wait_idle(page)
        assert page.get_by_text("Loopback Converse").first.is_visible()
        assert FAKE_SECRET_KEY not in page.content()

        page.get_by_test_id("stSidebar").get_by_text("Chat", exact=True).click()
        wait_idle(page)
        _pick(page, "Connection", "Loopback Converse · Bedrock Converse")
        wait_idle(page)
        send(page, "What is 20 + 22?")
        wait_idle(page)
        answer = page.get_by_test_id("stChatMessage").last
        assert "The sum is 42." in answer.inner_text()
        assert "Thought for" in answer.get_by_test_id("stExpander").locator("summary").inner_text()
        metrics = answer.get_by_text("first answer token", exact=False)
        assert "in 12 tok" in metrics.inner_text()
        sent = fake.routed("converse-stream")[-1]
        assert sent.headers["authorization"].startswith("AWS4-HMAC-SHA256")
        assert sent.json()["additionalModelRequestFields"] == {"reasoning_effort": "medium"}
        assert FAKE_SECRET_KEY not in page.content()
    finally:
        app.stop()
        fake.close()
