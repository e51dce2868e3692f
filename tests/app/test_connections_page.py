"""The Connections page: add, test, edit and remove, with keys kept out of the page."""

from __future__ import annotations

from tests.support.openai_fake import Reply

KEY = "sk-test-SECRETKEY1234567890"


def _add_openai(at, url: str, key: str = KEY, name: str = "My vLLM"):
    at.text_input(key="new-name").set_value(name)
    url_input = next(t for t in at.text_input if t.key.startswith("new-url"))
    url_input.set_value(url)
    at.text_input(key="new-key").set_value(key)
    at.run()
    next(b for b in at.button if b.label == "Add connection").click().run()
    return at


def test_add_test_and_remove_an_openai_compatible_connection(app_at, openai_fake):
    at = app_at("pages/2_Connections.py").run()
    assert not at.exception
    _add_openai(at, openai_fake.url)
    state = at.session_state["app"]
    added = next(c for c in state.connections if c.name == "My vLLM")
    assert added.api_key.reveal() == KEY
    assert KEY not in str(at._tree)  # the form was cleared and the key is never shown back
    openai_fake.queue(Reply(reasoning="", answer="OK", dialect="plain"))
    at.button(key=f"test-{added.id}").click().run()
    assert any("answered" in s.value for s in at.success)
    sent = openai_fake.requests[-1]
    assert {k.lower(): v for k, v in sent["headers"].items()}["authorization"] == f"Bearer {KEY}"
    assert sent["body"]["max_tokens"] == 1
    at.button(key=f"rm-{added.id}").click().run()
    assert all(c.name != "My vLLM" for c in at.session_state["app"].connections)


def test_failed_test_shows_mapped_error(app_at, openai_fake):
    at = app_at("pages/2_Connections.py").run()
    _add_openai(at, openai_fake.url)
    added = next(c for c in at.session_state["app"].connections if c.name == "My vLLM")
    openai_fake.queue(Reply(status=401, body='{"error": {"message": "Incorrect API key provided"}}'))
    at.button(key=f"test-{added.id}").click().run()
    message = " ".join(e.value for e in at.error)
    assert "Authentication failed" in message and "Incorrect API key provided" in message
    assert KEY not in message


def test_bad_base_url_cannot_be_added(app_at):
    at = app_at("pages/2_Connections.py").run()
    next(t for t in at.text_input if t.key.startswith("new-url")).set_value("ftp://example")
    at.run()
    assert next(b for b in at.button if b.label == "Add connection").disabled
    assert any("http://" in c.value for c in at.caption)


def test_added_connection_is_offered_on_the_chat_page(app_at, openai_fake):
    at = app_at("pages/2_Connections.py").run()
    _add_openai(at, openai_fake.url)
    at.switch_page("app.py").run()
    labels = [at.selectbox(key="conn").format_func(o) for o in at.selectbox(key="conn").options]
    assert any(label.startswith("My vLLM") for label in labels)
