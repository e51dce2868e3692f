"""The Chat page's wiring, run by AppTest against the loopback OpenAI-compatible server."""

from __future__ import annotations

from tests.support.openai_fake import Reply


def _texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [w.value for w in at.warning] + [i.value for i in at.info]
    return "\n".join(str(p) for p in parts)


def test_env_base_url_is_the_default_connection(app_at, openai_fake, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", openai_fake.url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-SECRETKEY1234567890")
    at = app_at().run()
    assert not at.exception
    conn = at.selectbox(key="conn")
    assert conn.value == "env-openai"
    assert "OpenAI-compatible" in conn.format_func(conn.value)
    assert at.selectbox(key="model").options == ["openai.gpt-oss-120b-1:0", "openai.gpt-oss-20b-1:0"]
    assert "sk-test-SECRETKEY1234567890" not in str(at._tree)


def test_bedrock_url_is_named_bedrock(app_at, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "https://bedrock-runtime.us-west-2.amazonaws.com/openai/v1")
    at = app_at()
    at.run(timeout=30)
    conn = at.selectbox(key="conn")
    assert conn.format_func(conn.value).startswith("Bedrock (OpenAI-compatible)")


def test_chat_answers_with_reasoning_and_metrics(app_at, openai_fake, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", openai_fake.url)
    openai_fake.queue(
        Reply(reasoning="Compute 42^3 = 74088, then its square root.", answer="About **272.2**.", dialect="bedrock")
    )
    at = app_at().run()
    at.chat_input(key="prompt").set_value("Tell me the square root of 42 ^ 3").run()
    assert not at.exception
    assert len(at.chat_message) == 2
    body = _texts(at)
    assert "About **272.2**." in body
    assert "<reasoning>" not in body
    assert "Compute 42^3" in body  # the reasoning panel holds the chain of thought
    assert "first answer token" in body and "tok/s" in body
    sent = openai_fake.requests[-1]["body"]
    assert sent["reasoning_effort"] == "medium"
    assert sent["messages"][-1] == {"role": "user", "content": "Tell me the square root of 42 ^ 3"}


def test_history_is_sent_back_without_reasoning(app_at, openai_fake, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", openai_fake.url)
    openai_fake.queue(Reply(reasoning="secret thoughts", answer="First answer."), Reply(answer="Second."))
    at = app_at().run()
    at.chat_input(key="prompt").set_value("one").run()
    at.chat_input(key="prompt").set_value("two").run()
    messages = openai_fake.requests[-1]["body"]["messages"]
    assert messages == [
        {"role": "user", "content": "one"},
        {"role": "assistant", "content": "First answer."},
        {"role": "user", "content": "two"},
    ]


def test_empty_prompt_makes_no_call(app_at, openai_fake, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", openai_fake.url)
    at = app_at().run()
    before = len([r for r in openai_fake.requests if r["method"] == "POST"])
    at.chat_input(key="prompt").set_value("   ").run()
    assert len([r for r in openai_fake.requests if r["method"] == "POST"]) == before
    assert len(at.chat_message) == 0


def test_host_error_is_shown_with_host_text_and_page_stays_usable(app_at, openai_fake, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", openai_fake.url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-SECRETKEY1234567890")
    body = '{"Message":"Authentication failed: Please make sure your API Key is valid."}'
    openai_fake.queue(Reply(status=403, body=body), Reply(answer="Recovered."))
    at = app_at().run()
    at.chat_input(key="prompt").set_value("hi").run()
    assert "Authentication failed: Please make sure your API Key is valid." in _texts(at)
    assert "sk-test-SECRETKEY1234567890" not in str(at._tree)
    at.chat_input(key="prompt").set_value("again").run()
    assert "Recovered." in _texts(at)


def test_budget_exhausted_offers_rerun_with_bigger_budget(app_at, openai_fake, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", openai_fake.url)
    openai_fake.queue(Reply(reasoning="thinking " * 30, answer="", finish_reason="length"), Reply(answer="Done now."))
    at = app_at().run()
    at.chat_input(key="prompt").set_value("hard question").run()
    assert "Reasoning used the whole output budget" in _texts(at)
    rerun = next(b for b in at.button if b.label.startswith("Re-run with"))
    assert "16,384" in rerun.label
    rerun.click().run()
    assert openai_fake.requests[-1]["body"]["max_tokens"] == 16384
    assert "Done now." in _texts(at)
    assert len(at.chat_message) == 2  # the cut answer was replaced, not duplicated


def test_effort_disabled_for_models_that_do_not_take_it(app_at, openai_fake, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", openai_fake.url)
    openai_fake.models = ["llama-3.1-8b"]
    at = app_at().run()
    effort = at.get("button_group")[0]
    assert effort.disabled
    at.chat_input(key="prompt").set_value("hi").run()
    assert "reasoning_effort" not in openai_fake.requests[-1]["body"]


def test_small_budget_warns_before_sending(app_at, openai_fake, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", openai_fake.url)
    at = app_at().run()
    at.number_input(key="max_tokens").set_value(1024).run()
    assert any("is small for medium effort" in w.value for w in at.warning)


def test_view_code_uses_env_variable_not_key(app_at, openai_fake, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", openai_fake.url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-SECRETKEY1234567890")
    at = app_at().run()
    code = "\n".join(c.value for c in at.code)
    assert 'os.environ["OPENAI_API_KEY"]' in code and "$OPENAI_API_KEY" in code
    assert "sk-test-SECRETKEY1234567890" not in code
    assert '"reasoning_effort": "medium"' in code or "reasoning_effort=" in code


def test_cost_comes_from_the_session_price_table(app_at, openai_fake, monkeypatch):
    from playground.pricing import Price

    monkeypatch.setenv("OPENAI_BASE_URL", openai_fake.url)
    at = app_at().run()
    at.session_state["app"].prices = {"gpt-oss-120b": Price(1000.0, 1000.0)}
    at.chat_input(key="prompt").set_value("hi").run()
    # The fake reports 12 input and 20 output tokens: (12 + 20) * 1000 / 1M = $0.032.
    assert "$0.032000" in _texts(at)


def test_prompt_over_the_context_warns_and_maps_the_host_error(app_at, openai_fake, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", openai_fake.url)
    body = '{"error": {"message": "This model\'s maximum context length is 131072 tokens."}}'
    openai_fake.queue(Reply(status=400, body=body))
    at = app_at().run()
    at.chat_input(key="prompt").set_value("word " * 110_000).run()  # ~137K estimated tokens
    assert any("context window" in w.value for w in at.warning)
    assert any("Context too long" in e.value for e in at.error)


def test_sample_prompt_sends_the_bedrock_blog_question(app_at, openai_fake, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", openai_fake.url)
    at = app_at().run()
    at.button(key="sample-√(42³)").click().run()
    assert openai_fake.requests[-1]["body"]["messages"][-1]["content"] == "Tell me the square root of 42 ^ 3"
    assert not [b for b in at.button if b.key and b.key.startswith("sample-")]  # samples make way


def test_switching_connection_resets_a_model_the_new_host_lacks(app_at, openai_fake, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", openai_fake.url)
    at = app_at().run()
    assert at.selectbox(key="model").value == "openai.gpt-oss-120b-1:0"
    at.selectbox(key="conn").set_value("local").run()
    assert at.selectbox(key="model").value == "gemma-3-270m (local)"
    at.selectbox(key="conn").set_value("env-openai").run()
    assert at.selectbox(key="model").value == "openai.gpt-oss-120b-1:0"


def test_shared_link_selects_connection_model_and_effort_but_sends_nothing(app_at, openai_fake, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", openai_fake.url)
    at = app_at()
    at.query_params.update({"conn": "env-openai", "model": "openai.gpt-oss-20b-1:0", "effort": "high", "q": "hi"})
    at.run()
    assert at.selectbox(key="model").value == "openai.gpt-oss-20b-1:0"
    assert at.get("button_group")[0].value == "high"
    assert not [r for r in openai_fake.requests if r["method"] == "POST"]


def test_streaming_off_sends_one_request_and_shows_the_whole_answer(app_at, openai_fake, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", openai_fake.url)
    openai_fake.queue(Reply(reasoning="Whole thoughts.", answer="Whole answer.", dialect="bedrock"))
    at = app_at().run()
    at.toggle(key="stream").set_value(False).run()
    at.chat_input(key="prompt").set_value("hi").run()
    assert "stream" not in openai_fake.requests[-1]["body"]
    body = _texts(at)
    assert "Whole answer." in body and "Whole thoughts." in body and "<reasoning>" not in body
