"""The content normaliser over every text-borne reasoning dialect, split at every offset."""

from __future__ import annotations

import itertools

import pytest

from playground.events import ReasoningDelta, TextDelta, ToolCallDelta
from playground.reasoning import ANSWER, MARKERS, REASONING, TOOL, ContentNormaliser, split_text, to_events


def run(chunks: list[str]) -> tuple[str, str, dict[int, tuple[str | None, str]]]:
    """Feed `chunks` in order; (reasoning, answer, {tool index: (name, arguments)})."""
    norm = ContentNormaliser()
    pieces = []
    for chunk in chunks:
        pieces += norm.feed(chunk)
    pieces += norm.flush()
    reasoning = "".join(p.text for p in pieces if p.kind == REASONING)
    answer = "".join(p.text for p in pieces if p.kind == ANSWER)
    tools: dict[int, tuple[str | None, str]] = {}
    for p in pieces:
        if p.kind == TOOL:
            name, args = tools.get(p.tool_index, (p.tool_name, ""))
            tools[p.tool_index] = (name, args + p.text)
    assert {p.kind for p in pieces} <= {REASONING, ANSWER, TOOL}
    for text in (reasoning, answer, *(a for _, a in tools.values())):
        for marker in MARKERS:
            assert marker not in text, f"{marker!r} leaked into {text!r} (chunks {chunks!r})"
    return reasoning, answer, tools


def splits2(text: str):
    for i in range(len(text) + 1):
        yield [text[:i], text[i:]]


# -- samples: (stream text, reasoning, answer, tools) ------------------------------------------
TAGS = ("<reasoning>Think: 2+2 is 4.</reasoning>\n\nThe answer is 4.", "Think: 2+2 is 4.", "The answer is 4.", {})
BEDROCK = (
    "".join(f"<reasoning>{w}</reasoning>" for w in ("The ", "user ", "asks ", "a<b?")) + "Yes, a < b.",
    "The user asks a<b?",
    "Yes, a < b.",
    {},
)
HARMONY = (
    "<|channel|>analysis<|message|>User asks 2+2. Easy.<|end|>"
    "<|start|>assistant<|channel|>final<|message|>It is 4.<|return|>",
    "User asks 2+2. Easy.",
    "It is 4.",
    {},
)
HARMONY_START = (
    "<|start|>assistant<|channel|>analysis<|message|>Think <b>hard</b>.<|end|>\n"
    "<|start|>assistant<|channel|>final<|message|>Done: x < y.<|return|>",
    "Think <b>hard</b>.",
    "Done: x < y.",
    {},
)
HARMONY_TOOL = (
    "<|channel|>analysis<|message|>Need the weather.<|end|>"
    "<|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json"
    '<|message|>{"city": "Paris"}<|call|>',
    "Need the weather.",
    "",
    {0: ("get_weather", '{"city": "Paris"}')},
)
SAMPLES = {"tags": TAGS, "bedrock": BEDROCK, "harmony": HARMONY, "harmony_start": HARMONY_START, "tool": HARMONY_TOOL}


@pytest.mark.parametrize("name", SAMPLES)
def test_whole_sample(name):
    text, reasoning, answer, tools = SAMPLES[name]
    assert run([text]) == (reasoning, answer, tools)


SPLIT_POINTS = [(name, offset) for name, sample in SAMPLES.items() for offset in range(len(sample[0]) + 1)]


@pytest.mark.parametrize("name, offset", SPLIT_POINTS, ids=[f"{n}-{o}" for n, o in SPLIT_POINTS])
def test_every_two_way_split(name, offset):
    text, reasoning, answer, tools = SAMPLES[name]
    assert run([text[:offset], text[offset:]]) == (reasoning, answer, tools)


@pytest.mark.parametrize("name", SAMPLES)
def test_one_character_per_delta(name):
    text, reasoning, answer, tools = SAMPLES[name]
    assert run(list(text)) == (reasoning, answer, tools)


@pytest.mark.parametrize(
    "text, reasoning, answer",
    [
        ("<reasoning>a<b</reasoning>A</b>", "a<b", "A</b>"),
        ("<|channel|>analysis<|message|>R<|end|><|start|>assistant<|channel|>final<|message|>A<|return|>", "R", "A"),
    ],
)
def test_every_three_way_split(text, reasoning, answer):
    for i, j in itertools.combinations_with_replacement(range(len(text) + 1), 2):
        chunks = [text[:i], text[i:j], text[j:]]
        assert run(chunks)[:2] == (reasoning, answer), chunks


def test_bedrock_every_delta_wrapped_separately():
    words = ["Let ", "me ", "think ", "about ", "it."]
    chunks = [f"<reasoning>{w}</reasoning>" for w in words] + ["Hello", " there", "!"]
    assert run(chunks) == ("Let me think about it.", "Hello there!", {})


def test_bedrock_wrapped_deltas_split_at_every_offset():
    stream = "".join(f"<reasoning>{w}</reasoning>" for w in ["ab ", "<c> ", "d"]) + "ans"
    for chunks in splits2(stream):
        assert run(chunks) == ("ab <c> d", "ans", {}), chunks


def test_harmony_tool_call_in_pieces_keeps_arguments_whole():
    text = HARMONY_TOOL[0]
    for size in (1, 2, 3, 5, 7, 11):
        chunks = [text[i : i + size] for i in range(0, len(text), size)]
        assert run(chunks) == HARMONY_TOOL[1:]


def test_harmony_recipient_in_role_header_and_two_calls():
    text = (
        "<|start|>assistant to=functions.lookup<|channel|>commentary json<|message|>{}<|call|>"
        "<|start|>assistant<|channel|>commentary to=functions.add <|constrain|>json<|message|>[1]<|call|>"
    )
    for chunks in splits2(text):
        assert run(chunks) == ("", "", {0: ("lookup", "{}"), 1: ("add", "[1]")}), chunks


def test_harmony_commentary_preamble_is_answer():
    text = "<|channel|>commentary<|message|>Checking now.<|end|>"
    assert run([text]) == ("", "Checking now.", {})


@pytest.mark.parametrize(
    "text",
    [
        "a < b",
        "if x<y and y>z then <b>bold</b> and </div> <br/>",
        "<",
        "ends with <",
        "< reasoning> is not a tag, nor is <reasoning or <|end| or <|endoftext|>",
        "arrows <- and <= and <<< and <|",
        "<html><body>hi</body></html>",
    ],
)
def test_literal_angle_brackets_pass_through(text):
    for chunks in splits2(text):
        assert run(chunks) == ("", text.lstrip(), {}), chunks


def test_plain_text_is_untouched_and_only_leading_space_of_answer_dropped():
    assert run(["  Hello", " world ", "\n\nbye"]) == ("", "Hello world \n\nbye", {})


def test_text_held_back_is_given_back_at_the_end():
    # A fragment that only might have become a marker is text once the stream ends.
    assert run(["<|channel|>final<|message|>Answer<|ret"]) == ("", "Answer<|ret", {})
    assert run(["<reasoning>thinking</reas"]) == ("thinking</reas", "", {})
    assert run(["<reasoning>half"]) == ("half", "", {})


def test_overlong_pseudo_header_is_given_back_as_text():
    text = "x <|start|>" + "y" * 400
    _, answer, _ = run([text])
    assert answer.startswith("x ") and answer.endswith("y" * 100)


def test_feed_returns_pieces_incrementally():
    norm = ContentNormaliser()
    assert norm.feed("<reason") == []  # held: could be a tag
    pieces = norm.feed("ing>why</reasoning>Hi")
    assert [(p.kind, p.text) for p in pieces] == [(REASONING, "why"), (ANSWER, "Hi")]
    assert norm.feed("") == []
    assert [(p.kind, p.text) for p in norm.feed(" <")] == [(ANSWER, " ")]  # "<" held back
    assert [(p.kind, p.text) for p in norm.flush()] == [(ANSWER, "<")]


def test_to_events_maps_kinds():
    norm = ContentNormaliser()
    events = to_events(norm.feed(HARMONY_TOOL[0]) + norm.flush())
    assert [type(e) for e in events] == [ReasoningDelta, ToolCallDelta]
    assert events[1].name == "get_weather" and events[1].index == 0
    assert events[1].arguments == '{"city": "Paris"}'
    answer = to_events(ContentNormaliser().feed("Fine."))
    assert len(answer) == 1 and isinstance(answer[0], TextDelta) and answer[0].text == "Fine."


@pytest.mark.parametrize("name", SAMPLES)
def test_split_text_non_streaming(name):
    text, reasoning, answer, _ = SAMPLES[name]
    assert split_text(text) == (reasoning, answer)


def test_split_text_plain_and_empty():
    assert split_text("") == ("", "")
    assert split_text("Just an answer.") == ("", "Just an answer.")
    assert split_text("<reasoning></reasoning>Only answer") == ("", "Only answer")


def test_long_content_with_many_angle_brackets_is_linear():
    text = "<b>x</b> " * 50_000  # 450 kB of HTML-ish answer: must not go quadratic
    assert split_text(text) == ("", text)
