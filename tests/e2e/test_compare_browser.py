"""The Compare page in a real browser: an effort sweep streaming in parallel, charts, exports, blind vote."""

from __future__ import annotations

import json
import time

import pytest

from tests.e2e.conftest import App, wait_idle
from tests.support.openai_fake import FakeOpenAIServer, Reply

pytestmark = pytest.mark.e2e

SPEEDS = {"low": 0.05, "medium": 0.08, "high": 0.12}  # seconds between deltas: high is slowest


@pytest.fixture(scope="module")
def fake():
    with FakeOpenAIServer() as server:
        for effort, delay in SPEEDS.items():
            server.by_effort[effort] = Reply(
                reasoning=" ".join(f"step{i}" for i in range(30)),
                answer=f"Answer at {effort} effort: **$180** in total. " + " ".join(f"w{i}" for i in range(20)),
                dialect="reasoning",
                delay_s=delay,
            )
        yield server


@pytest.fixture(scope="module")
def app(fake, tmp_path_factory):
    app = App({"OPENAI_BASE_URL": fake.url}, tmp_path_factory.mktemp("compare"))
    yield app
    app.stop()


def _pane(page, heading: str):
    return page.get_by_test_id("stColumn").filter(has=page.get_by_role("heading", name=heading, exact=True))


def _start(page, app, prompt: str) -> None:
    page.get_by_label("Prompt", exact=True).fill(prompt)
    page.get_by_role("button", name="Run all panes").click()


def test_effort_sweep_streams_all_panes_at_once_then_charts_and_exports(app, page, tmp_path):
    page.goto(app.url + "/Compare")
    wait_idle(page)
    page.get_by_role("button", name="Effort sweep").click()
    wait_idle(page)
    _start(page, app, "How should a family split $5,000 between savings and a CD?")
    headings = [f"gpt-oss-120b · {e}" for e in SPEEDS]
    panes = {h: _pane(page, h) for h in headings}
    # Every pane shows text before any pane has finished: the runs overlap, not queue.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        texts = {h: p.inner_text() if p.count() else "" for h, p in panes.items()}
        if all("step" in t for t in texts.values()):
            break
        time.sleep(0.05)
    assert all("step" in t for t in texts.values()), texts
    assert not any("first answer token" in t for t in texts.values()), "a pane finished before all had started"
    page.get_by_role("heading", name="Results").wait_for(timeout=60_000)
    wait_idle(page)
    for h in headings:
        assert "$180" in panes[h].inner_text()
    page.get_by_test_id("stPlotlyChart").first.wait_for()
    assert page.get_by_test_id("stPlotlyChart").count() >= 4
    page.get_by_text("Reasoning effort").first.wait_for()  # effort on the x-axis of a sweep
    with page.expect_download() as download:
        page.get_by_role("button", name="HTML report").click()
    report = tmp_path / "report.html"
    download.value.save_as(report)
    html = report.read_text()
    assert "gpt-oss-120b · high" in html and "plotly" in html.lower()
    with page.expect_download() as download:
        page.get_by_role("button", name="JSON").click()
    exported = json.loads(download.value.path().read_text())
    assert len(exported["runs"]) == 3 if "runs" in exported else exported
    page.set_viewport_size({"width": 1500, "height": 4200})
    page.screenshot(path=str(tmp_path / "effort-sweep.png"))


def test_blind_vote_reveals_names_after_the_vote(app, page):
    page.goto(app.url + "/Compare")
    wait_idle(page)
    page.get_by_text("Blind mode").click()
    wait_idle(page)
    _start(page, app, "Which is better?")
    page.get_by_role("heading", name="Your verdict").wait_for(timeout=60_000)
    wait_idle(page)
    assert page.get_by_role("heading", name="Answer A").is_visible()
    assert page.get_by_role("heading", name="Answer B").is_visible()
    assert page.get_by_role("heading", name="gpt-oss-20b · medium").count() == 0
    assert page.get_by_text("first answer token").count() == 0  # figures would give models away
    page.get_by_role("button", name="A is better").click()
    page.get_by_text("Revealed:").wait_for()
    wait_idle(page)
    assert page.get_by_text("Revealed:").is_visible()
    assert page.get_by_role("heading", name="gpt-oss-20b · medium").is_visible()
    assert page.get_by_role("heading", name="Leaderboard").is_visible()


def test_stop_all_cancels_every_pane_and_keeps_partial_answers(page, tmp_path):
    with FakeOpenAIServer() as slow:
        slow.default = Reply(
            reasoning="", answer=" ".join(f"tok{i}" for i in range(300)), dialect="plain", delay_s=0.05
        )
        app = App({"OPENAI_BASE_URL": slow.url}, tmp_path)
        try:
            page.goto(app.url + "/Compare")
            wait_idle(page)
            _start(page, app, "Count slowly")
            headings = ("gpt-oss-120b · low", "gpt-oss-20b · medium")  # the default two panes
            for heading in headings:
                _pane(page, heading).get_by_text("tok3", exact=False).wait_for()
            page.get_by_role("button", name="Stop all").click()
            page.get_by_text("Stopped. The partial answer above is kept.").first.wait_for()
            wait_idle(page)
            assert page.get_by_text("Stopped. The partial answer above is kept.").count() == 2
            for heading in headings:
                text = _pane(page, heading).inner_text()
                assert "tok3" in text and "tok299" not in text
            assert slow.streams_closed(10)
        finally:
            app.stop()
