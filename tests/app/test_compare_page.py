"""The Compare page's wiring under AppTest: presets, a run, results, blind vote and leaderboard."""

from __future__ import annotations

from tests.support.openai_fake import Reply


def _run(at, prompt: str = "How should they split $5,000?"):
    at.text_area(key="compare_prompt").set_value(prompt)
    next(b for b in at.button if b.label == "Run all panes").click().run()
    return at


def test_two_panes_run_and_show_results(app_at, openai_fake, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", openai_fake.url)
    openai_fake.default = Reply(
        reasoning="4000 at 4% plus 1000 at 2%.", answer="Total interest: **$180**.", dialect="bedrock"
    )
    at = app_at("pages/1_Compare.py").run()
    assert not at.exception
    _run(at)
    assert not at.exception
    posts = [r for r in openai_fake.requests if r["method"] == "POST"]
    assert {p["body"]["model"] for p in posts} == {"openai.gpt-oss-120b-1:0", "openai.gpt-oss-20b-1:0"}
    assert len(at.get("plotly_chart")) >= 4
    assert any("Agree" in m.value for m in at.markdown)
    assert [b.label for b in at.get("download_button")] == ["JSON", "CSV (runs)", "CSV (votes)", "HTML report"]
    comparison = at.session_state["app"].compare_runs[-1].comparison
    assert all(r.status.value == "complete" for r in comparison.records.values())


def test_effort_sweep_preset_sends_three_efforts(app_at, openai_fake, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", openai_fake.url)
    at = app_at("pages/1_Compare.py").run()
    next(b for b in at.button if b.label == "Effort sweep").click().run()
    assert at.number_input(key="n_panes").value == 3
    _run(at)
    efforts = sorted(r["body"]["reasoning_effort"] for r in openai_fake.requests if r["method"] == "POST")
    assert efforts == ["high", "low", "medium"]
    assert len({r["body"]["model"] for r in openai_fake.requests if r["method"] == "POST"}) == 1


def test_one_failing_pane_does_not_spoil_the_other(app_at, openai_fake, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", openai_fake.url)
    openai_fake.default = Reply(answer="Fine.", reasoning="")
    openai_fake.queue(Reply(status=400, body='{"error": {"message": "boom"}}'))
    at = app_at("pages/1_Compare.py").run()
    _run(at)
    statuses = sorted(r.status.value for r in at.session_state["app"].compare_runs[-1].comparison.records.values())
    assert statuses == ["complete", "error"]
    assert any("boom" in e.value for e in at.error)


def test_blind_vote_hides_names_then_reveals_and_counts(app_at, openai_fake, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", openai_fake.url)
    at = app_at("pages/1_Compare.py").run()
    at.toggle(key="blind").set_value(True).run()
    _run(at)
    headings = [m.value for m in at.markdown if m.value.startswith("#### ")]
    assert headings == ["#### Answer A", "#### Answer B"]
    assert not any("gpt-oss-20b" in h for h in headings)
    next(b for b in at.button if "A is better" in b.label).click().run()
    assert any("Revealed" in s.value for s in at.success)
    assert len(at.session_state["app"].votes) == 1
    board = at.dataframe[-1].value
    assert set(board["configuration"]) == {"gpt-oss-120b · medium", "gpt-oss-20b · medium"} or len(board) == 2
    assert board["votes"].sum() == 2


def test_empty_prompt_sends_nothing(app_at, openai_fake, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", openai_fake.url)
    at = app_at("pages/1_Compare.py").run()
    _run(at, "   ")
    assert not [r for r in openai_fake.requests if r["method"] == "POST"]
    assert any("empty" in w.value for w in at.warning)


def test_blind_votes_credit_the_answer_that_was_shown_under_the_chosen_label(app_at, openai_fake, monkeypatch):
    """Repeated blind comparisons in one session: the configuration credited for "A is better"
    must be the one whose answer was drawn under "Answer A" (shuffles differ run to run)."""
    monkeypatch.setenv("OPENAI_BASE_URL", openai_fake.url)
    for effort in ("low", "medium"):
        openai_fake.by_effort[effort] = Reply(reasoning="", answer=f"{effort.upper()} answer.", dialect="plain")
    at = app_at("pages/1_Compare.py").run()
    at.toggle(key="blind").set_value(True).run()
    for round_ in range(6):
        _run(at, f"Question {round_}")
        shown_a = next(c for c in at.columns if any(getattr(m, "value", "") == "#### Answer A" for m in c.markdown))
        text_a = " ".join(m.value for m in shown_a.markdown)
        next(b for b in at.button if "A is better" in b.label).click().run()
        vote = at.session_state["app"].votes[-1]
        winner = vote.ranking[0][0]
        assert f"{winner.rsplit(' · ', 1)[1].upper()} answer." in text_a, (winner, text_a)
