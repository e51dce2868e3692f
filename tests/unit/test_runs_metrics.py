"""RunRecord and metrics from events with explicit timestamps: no clock, no network."""

from __future__ import annotations

import json

import pytest

from playground.cancel import CancelToken
from playground.events import (
    Failure,
    FailureKind,
    Finish,
    Notice,
    ReasoningDelta,
    TextDelta,
    ToolCallDelta,
    Usage,
)
from playground.metrics import compute, estimate_tokens
from playground.pricing import Price, price_for
from playground.request import Params, RunRequest
from playground.runs import RunRecord, Status, execute

T0 = 1000.0
MODEL = "openai.gpt-oss-120b-1:0"


def make_record(*events, system: str = "", content: object = "Hi", price: Price | None = None) -> RunRecord:
    request = RunRequest(MODEL, ({"role": "user", "content": content},), system, Params())
    record = RunRecord(request, price=price)
    record.started = T0
    for event in events:
        record.apply(event)
    return record


def closed(*events, stopped: bool = False, **kw) -> RunRecord:
    record = make_record(*events, **kw)
    record.close(stopped=stopped)
    return record


# -- timings -----------------------------------------------------------------------------------
def test_time_to_first_token_first_answer_token_and_latency():
    record = closed(
        ReasoningDelta("Let me think.", t=T0 + 0.5),
        ReasoningDelta(" More.", t=T0 + 1.0),
        TextDelta("Four.", t=T0 + 2.25),
        TextDelta(" Done.", t=T0 + 2.5),
        Usage(10, 20, t=T0 + 2.9),
        Finish("stop", t=T0 + 3.0),
    )
    m = record.metrics
    assert m.time_to_first_token_s == pytest.approx(0.5)
    assert m.time_to_first_answer_token_s == pytest.approx(2.25)
    assert m.reasoning_time_s == pytest.approx(1.75)
    assert m.latency_s == pytest.approx(3.0)  # the last event, not when close() ran
    assert m.tokens_per_s == pytest.approx(20 / 2.5)
    assert record.ended == T0 + 3.0


def test_answer_only_run_has_equal_ttft_and_ttfat_and_no_reasoning_time():
    m = closed(TextDelta("Hi", t=T0 + 0.4), Finish("stop", t=T0 + 0.6)).metrics
    assert m.time_to_first_token_s == m.time_to_first_answer_token_s == pytest.approx(0.4)
    assert m.reasoning_time_s is None


def test_reasoning_only_run_reasoning_time_runs_to_the_end():
    m = closed(ReasoningDelta("hmm", t=T0 + 1), Finish("length", t=T0 + 4)).metrics
    assert m.time_to_first_answer_token_s is None
    assert m.reasoning_time_s == pytest.approx(3.0)


def test_tool_call_counts_as_first_token():
    record = closed(
        ToolCallDelta(0, "id1", "get", '{"a"', t=T0 + 0.3), ToolCallDelta(0, None, None, ": 1}", t=T0 + 0.4)
    )
    assert record.first_token == T0 + 0.3 and record.first_answer is None
    assert record.tool_calls == {0: {"id": "id1", "name": "get", "arguments": '{"a": 1}'}}


def test_still_streaming_has_no_latency():
    record = make_record(TextDelta("x", t=T0 + 1))
    assert record.status is Status.STREAMING and record.metrics.latency_s is None


def test_timestamps_before_start_clamp_to_zero():
    assert closed(TextDelta("x", t=T0 - 5), Finish("stop", t=T0 - 4)).metrics.time_to_first_token_s == 0.0


# -- tokens: reported vs estimated -------------------------------------------------------------
def test_everything_reported():
    m = closed(
        ReasoningDelta("r" * 40, t=T0 + 1), TextDelta("a" * 40, t=T0 + 2), Usage(100, 50, 30), Finish("stop")
    ).metrics
    assert (m.input_tokens, m.reasoning_tokens, m.answer_tokens, m.output_tokens) == (100, 30, 20, 50)
    assert not (m.input_estimated or m.split_estimated or m.output_estimated)


def test_nothing_reported_everything_estimated():
    record = closed(
        ReasoningDelta("r" * 40, t=T0 + 1),
        TextDelta("a" * 20, t=T0 + 2),
        Finish("stop"),
        system="s" * 20,
        content="u" * 20,
    )
    m = record.metrics
    assert (m.input_tokens, m.reasoning_tokens, m.answer_tokens) == (10, 10, 5)
    assert m.input_estimated and m.split_estimated and m.output_estimated


def test_bedrock_total_only_usage_is_split_in_proportion_and_flagged():
    # Bedrock: completion_tokens includes reasoning, with no breakdown.
    record = closed(
        ReasoningDelta("r" * 300, t=T0 + 1), TextDelta("a" * 100, t=T0 + 2), Usage(12, 200, None), Finish("stop")
    )
    m = record.metrics
    assert (m.reasoning_tokens, m.answer_tokens, m.output_tokens) == (150, 50, 200)
    assert m.split_estimated and not m.output_estimated and not m.input_estimated


def test_total_only_without_reasoning_is_not_an_estimate():
    m = closed(TextDelta("a" * 100, t=T0 + 1), Usage(12, 30, None), Finish("stop")).metrics
    assert (m.reasoning_tokens, m.answer_tokens) == (0, 30) and not m.split_estimated


def test_zero_reasoning_tokens_beside_reasoning_text_means_not_counted():
    m = closed(
        ReasoningDelta("r" * 100, t=T0 + 1), TextDelta("a" * 100, t=T0 + 2), Usage(5, 40, 0), Finish("stop")
    ).metrics
    assert (m.reasoning_tokens, m.answer_tokens) == (20, 20) and m.split_estimated


def test_reported_reasoning_larger_than_output_is_capped():
    m = closed(ReasoningDelta("r", t=T0 + 1), Usage(1, 10, 15), Finish("stop")).metrics
    assert (m.reasoning_tokens, m.answer_tokens) == (10, 0)


def test_input_only_reported():
    m = closed(TextDelta("a" * 8, t=T0 + 1), Usage(7, None), Finish("stop")).metrics
    assert m.input_tokens == 7 and not m.input_estimated and m.output_estimated and m.answer_tokens == 2


def test_estimate_tokens():
    assert estimate_tokens("") == 0
    assert estimate_tokens("a") == 1
    assert estimate_tokens("a" * 400) == 100


def test_list_content_counts_its_text_parts():
    content = [{"type": "text", "text": "x" * 40}, {"type": "image_url", "image_url": {"url": "data:..."}}]
    assert closed(Finish("stop"), content=content).metrics.input_tokens == 10
    assert closed(Finish("stop"), content=None).metrics.input_tokens == 0


# -- cost ------------------------------------------------------------------------------------------
def test_cost_from_pricing_gpt_oss_120b():
    price = price_for(MODEL)
    assert price == Price(0.15, 0.60)
    m = closed(TextDelta("x", t=T0 + 1), Usage(1_000_000, 2_000_000, 0), Finish("stop"), price=price).metrics
    assert m.cost_usd == pytest.approx(0.15 + 1.20)
    m = closed(TextDelta("x", t=T0 + 1), Usage(1000, 2000), Finish("stop"), price=price).metrics
    assert m.cost_usd == pytest.approx((1000 * 0.15 + 2000 * 0.60) / 1e6)


def test_cost_unknown_without_a_price():
    assert closed(TextDelta("x", t=T0 + 1), Usage(10, 10), Finish("stop")).metrics.cost_usd is None


def test_compute_direct():
    m = compute(
        started=0.0,
        first_token=1.0,
        first_answer=None,
        ended=None,
        prompt_text="",
        reasoning="",
        answer="",
        reported_input=None,
        reported_output=None,
        reported_reasoning=None,
        price=None,
    )
    assert m.time_to_first_token_s == 1.0 and m.latency_s is None and m.tokens_per_s is None and m.output_tokens == 0


# -- status and budget -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "events, stopped, status",
    [
        ([TextDelta("a", t=T0 + 1), Finish("stop")], False, Status.COMPLETE),
        ([ToolCallDelta(0, "c", "f", "{}", t=T0 + 1), Finish("tool_calls")], False, Status.COMPLETE),
        ([TextDelta("a", t=T0 + 1), Finish("end_turn")], False, Status.COMPLETE),
        ([TextDelta("a", t=T0 + 1), Finish("length")], False, Status.INCOMPLETE),
        ([TextDelta("a", t=T0 + 1), Finish("max_tokens")], False, Status.INCOMPLETE),
        ([TextDelta("a", t=T0 + 1), Finish("model_context_window_exceeded")], False, Status.INCOMPLETE),
        ([TextDelta("a", t=T0 + 1), Failure(FailureKind.INTERRUPTED, "broke")], False, Status.INTERRUPTED),
        ([ReasoningDelta("r", t=T0 + 1)], False, Status.INTERRUPTED),  # no finish reason
        ([], False, Status.ERROR),
        ([Failure(FailureKind.AUTH, "bad key", 401)], False, Status.ERROR),
        ([TextDelta("a", t=T0 + 1)], True, Status.STOPPED),
        ([], True, Status.STOPPED),
    ],
)
def test_statuses(events, stopped, status):
    record = closed(*events, stopped=stopped)
    assert record.status is status
    if status in (Status.INTERRUPTED, Status.ERROR):
        assert record.failure is not None
    if status is Status.COMPLETE:
        assert record.failure is None


def test_no_finish_reason_explains_itself():
    record = closed(TextDelta("partial", t=T0 + 1))
    assert record.failure.kind is FailureKind.INTERRUPTED and "finish reason" in record.failure.message
    assert record.answer == "partial"


def test_close_is_idempotent():
    record = closed(TextDelta("a", t=T0 + 1), Finish("stop", t=T0 + 2))
    record.close(stopped=True)
    assert record.status is Status.COMPLETE and record.ended == T0 + 2


@pytest.mark.parametrize(
    "answer, reason, exhausted",
    [("", "length", True), ("  \n", "max_tokens", True), ("An answer", "length", False), ("", "stop", False)],
)
def test_budget_exhausted(answer, reason, exhausted):
    events = [ReasoningDelta("thinking " * 50, t=T0 + 1)]
    if answer:
        events.append(TextDelta(answer, t=T0 + 2))
    record = closed(*events, Finish(reason, t=T0 + 3))
    assert record.budget_exhausted is exhausted


def test_text_is_joined_once_and_stays_right_after_more_deltas():
    record = make_record(TextDelta("a", t=T0 + 1), TextDelta("b", t=T0 + 2))
    assert record.answer == "ab"
    record.apply(TextDelta("c", t=T0 + 3))
    assert record.answer == "abc" and record.answer == "abc"


def test_notices_and_to_dict():
    record = closed(
        Notice("throttled, retrying in 2 s", t=T0 + 0.1),
        ReasoningDelta("why", t=T0 + 1),
        TextDelta("because", t=T0 + 2),
        Usage(3, 4, t=T0 + 3),
        Finish("stop", t=T0 + 3),
        price=price_for(MODEL),
    )
    d = record.to_dict()
    json.dumps(d)  # JSON-ready
    assert d["status"] == "complete" and d["answer"] == "because" and d["reasoning"] == "why"
    assert d["notices"] == ["throttled, retrying in 2 s"] and d["failure"] is None
    assert d["metrics"]["output_tokens"] == 4 and d["metrics"]["latency_s"] == pytest.approx(3.0)
    assert record.to_dict(include_reasoning=False)["reasoning"] is None


# -- execute ---------------------------------------------------------------------------------------
class ScriptedProvider:
    """Yields its events; keeps a reference to its stream (as a provider holding a response might),
    so only an explicit close(), not garbage collection, ends it."""

    def __init__(self, *events, raise_after: Exception | None = None):
        self.events, self.raise_after, self.closed = events, raise_after, False
        self.streams: list = []

    def stream(self, request, cancel=None):
        gen = self._stream()
        self.streams.append(gen)
        return gen

    def _stream(self):
        try:
            yield from self.events
            if self.raise_after:
                raise self.raise_after
        finally:
            self.closed = True


def test_execute_records_and_yields_every_event():
    events = [ReasoningDelta("r", t=T0 + 1), TextDelta("a", t=T0 + 2), Finish("stop", t=T0 + 3)]
    record = make_record()
    assert list(execute(ScriptedProvider(*events), record.request, record)) == events
    assert record.status is Status.COMPLETE and (record.reasoning, record.answer) == ("r", "a")


def test_execute_turns_a_provider_exception_into_a_failure():
    provider = ScriptedProvider(TextDelta("part", t=T0 + 1), raise_after=ValueError("bug sk-abcdefghijklmnopqrstuvwx"))
    record = make_record()
    events = list(execute(provider, record.request, record))
    assert isinstance(events[-1], Failure) and "ValueError" in events[-1].message
    assert "sk-abcdefghijklmnopqrstuvwx" not in events[-1].message
    assert record.status is Status.INTERRUPTED and record.answer == "part" and provider.closed


def test_execute_closed_early_is_stopped_and_closes_the_provider_stream():
    provider = ScriptedProvider(TextDelta("a", t=T0 + 1), TextDelta("b", t=T0 + 2), Finish("stop", t=T0 + 3))
    record = make_record()
    gen = execute(provider, record.request, record)
    assert next(gen).text == "a"
    gen.close()
    assert record.status is Status.STOPPED and record.answer == "a" and provider.closed


def test_execute_stops_when_cancelled_between_events():
    cancel = CancelToken()
    provider = ScriptedProvider(TextDelta("a", t=T0 + 1), TextDelta("b", t=T0 + 2), Finish("stop", t=T0 + 3))
    record = make_record()
    seen = []
    for event in execute(provider, record.request, record, cancel):
        seen.append(event)
        cancel.cancel()
    assert len(seen) == 1 and record.status is Status.STOPPED and provider.closed


def test_growing_text_reads_while_another_thread_appends():
    """The Compare page reads answers while workers append: no piece may be lost or reordered."""
    import threading

    from playground.runs import GrowingText

    text = GrowingText()
    pieces = [f"{i} " for i in range(50_000)]
    seen: list[str] = []

    def write():
        for p in pieces:
            text.append(p)

    writer = threading.Thread(target=write)
    writer.start()
    while writer.is_alive():
        seen.append(text.text())
    writer.join()
    final = "".join(pieces)
    assert text.text() == final
    assert all(final.startswith(s) for s in seen[:: max(1, len(seen) // 200)])


def test_non_streamed_answer_rates_over_total_latency_and_has_no_reasoning_time():
    from playground.metrics import compute

    m = compute(
        started=0.0,
        first_token=1.5,
        first_answer=1.5,
        ended=1.51,
        prompt_text="hi",
        reasoning="r" * 40,
        answer="a" * 40,
        reported_input=3,
        reported_output=20,
        reported_reasoning=None,
        price=None,
        streamed=False,
    )
    assert m.tokens_per_s == pytest.approx(20 / 1.51)
    assert m.reasoning_time_s is None
