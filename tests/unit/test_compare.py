"""The fan-in: several real loopback streams at once, faults in one pane, Stop, connection limits."""

from __future__ import annotations

import itertools
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from playground.cancel import CancelToken
from playground.compare import (
    WORKER_PREFIX,
    Comparison,
    PaneConfig,
    ProviderCache,
    RunEnded,
    RunKey,
    RunStarted,
    effort_sweep,
    host_sweep,
    model_sweep,
    same_settings,
    short_model_name,
    unique_labels,
)
from playground.connections import Connection, Kind
from playground.events import Failure, FailureKind, Finish, Notice, ReasoningDelta, TextDelta, Usage
from playground.request import Params, RunRequest
from playground.runs import Status
from tests.support.openai_fake import FakeOpenAIServer, Reply
from tests.support.waiting import wait_until

MODEL = "openai.gpt-oss-20b-1:0"
NO_HANG_S = 20.0  # generous: each scenario here takes well under 3 s


def conn(server: FakeOpenAIServer, name: str = "fake") -> Connection:
    return Connection(name=name, kind=Kind.OPENAI, base_url=server.url)


def words(n: int, stem: str) -> str:
    return " ".join(f"{stem}{i}" for i in range(n))


def collect(comp: Comparison, timeout_s: float = NO_HANG_S) -> dict[RunKey, list]:
    per_run: dict[RunKey, list] = defaultdict(list)
    deadline = time.monotonic() + timeout_s
    while not comp.done:
        assert time.monotonic() < deadline, "comparison did not finish"
        for key, event in comp.drain(0.1):
            per_run[key].append(event)
    return per_run


def workers_alive(comp: Comparison) -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith(f"{WORKER_PREFIX}-{comp.id}") and t.is_alive()]


@pytest.fixture
def servers() -> Iterator[list[FakeOpenAIServer]]:
    # One server per pane: the fake hands replies out in arrival order, so separate servers are
    # how each pane gets its own known script when requests race.
    started = [FakeOpenAIServer().start() for _ in range(4)]
    yield started
    # shutdown() polls every 0.5 s; stopping them side by side keeps the suite quick.
    stoppers = [threading.Thread(target=s.stop) for s in started]
    for t in stoppers:
        t.start()
    for t in stoppers:
        t.join(5)


def test_panes_stream_at_the_same_time_each_in_order(servers):
    delays = (0.01, 0.02, 0.04)
    for i, (server, delay) in enumerate(zip(servers, delays, strict=False)):
        server.default = Reply(reasoning=words(8, f"think{i}-"), answer=words(8, f"say{i}-"), delay_s=delay)
    panes = [
        PaneConfig(f"pane {i}", conn(s, f"host{i}"), MODEL, Params(reasoning_effort="low"))
        for i, s in enumerate(servers[:3])
    ]
    comp = Comparison(panes, "Hello?").start()
    per_run = collect(comp)

    assert set(per_run) == {RunKey(0, 0), RunKey(1, 0), RunKey(2, 0)}
    for key, events in per_run.items():
        i = key.pane
        assert isinstance(events[0], RunStarted)
        assert isinstance(events[-1], RunEnded) and events[-1].status is Status.COMPLETE
        kinds = [type(e) for e in events[1:-1]]
        first_text = kinds.index(TextDelta)
        assert all(k is ReasoningDelta for k in kinds[:first_text])
        assert set(kinds[first_text:]) <= {TextDelta, Usage, Finish}
        assert kinds[-1] is Finish
        answer = "".join(e.text for e in events if isinstance(e, TextDelta))
        reasoning = "".join(e.text for e in events if isinstance(e, ReasoningDelta))
        assert answer == words(8, f"say{i}-")
        assert reasoning == words(8, f"think{i}-")
        # The record agrees with the events once the run's end was drained.
        assert comp.ended(key)
        assert comp.records[key].answer == answer
        deltas = [e.t for e in events if isinstance(e, ReasoningDelta | TextDelta)]
        assert deltas == sorted(deltas)

    # Concurrency from timestamps: every pane had its first token before any pane ended.
    records = comp.records.values()
    assert max(r.first_token for r in records) < min(r.ended for r in records)
    assert workers_alive(comp) == []


def test_failing_and_throttled_panes_do_not_stop_the_others(servers):
    fast_retry = {"retry-after-ms": "20"}  # keep the provider's visible retries quick
    servers[0].default = Reply(status=500, body='{"error": {"message": "boom on the host"}}', headers=fast_retry)
    servers[1].default = Reply(reasoning=words(6, "r"), answer=words(6, "a"), fault="bad_json", fault_after=3)
    servers[2].default = Reply(answer=words(10, "fine"), delay_s=0.03)
    servers[3].default = Reply(status=429, body='{"error": {"message": "slow down"}}', headers=fast_retry)
    panes = [PaneConfig(f"p{i}", conn(s, f"h{i}"), MODEL) for i, s in enumerate(servers)]
    comp = Comparison(panes, "Hi").start()
    per_run = collect(comp)

    failed, broken, fine, throttled = (comp.records[RunKey(i, 0)] for i in range(4))
    assert failed.status is Status.ERROR
    assert failed.failure.kind is FailureKind.SERVER_ERROR
    assert "boom on the host" in failed.failure.message
    assert broken.status is Status.INTERRUPTED and broken.reasoning  # partial text kept
    assert fine.status is Status.COMPLETE and fine.answer == words(10, "fine")
    assert throttled.status is Status.ERROR and throttled.failure.kind is FailureKind.THROTTLED
    assert throttled.notices  # the retries were shown in its own pane
    assert any(isinstance(e, Failure) for e in per_run[RunKey(0, 0)])
    assert not any(isinstance(e, Failure | Notice) for e in per_run[RunKey(2, 0)])


def test_a_hanging_pane_leaves_the_others_to_finish_and_stop_ends_it(servers):
    hang = servers[0]
    hang.default = Reply(reasoning=words(6, "r"), answer="never", fault="stall", fault_after=2, stall_s=1.2)
    servers[1].default = Reply(answer=words(5, "quick"))
    servers[2].default = Reply(answer=words(5, "slower"), delay_s=0.05)
    panes = [PaneConfig(f"p{i}", conn(s, f"h{i}"), MODEL) for i, s in enumerate(servers[:3])]
    comp = Comparison(panes, "Hi").start()

    others = {RunKey(1, 0), RunKey(2, 0)}
    deadline = time.monotonic() + NO_HANG_S
    while not all(comp.ended(k) for k in others):
        assert time.monotonic() < deadline
        comp.drain(0.1)
    assert comp.records[RunKey(1, 0)].status is Status.COMPLETE
    assert comp.records[RunKey(2, 0)].status is Status.COMPLETE
    assert not comp.ended(RunKey(0, 0)) and not comp.done  # still hanging

    assert comp.stop(join_timeout_s=10.0) == []
    assert workers_alive(comp) == []
    hung = comp.records[RunKey(0, 0)]
    assert hung.status is Status.STOPPED and hung.reasoning  # partial text kept
    assert comp.done
    assert hang.streams_closed(10.0)


def test_stop_aborts_a_stalled_read_at_once(servers):
    # Closing a socket does not wake a thread blocked in recv() on Linux; the provider must
    # shut it down, or Stop would wait for the stall to end.
    servers[0].default = Reply(reasoning=words(6, "r"), fault="stall", fault_after=2, stall_s=1.5)
    comp = Comparison([PaneConfig("p", conn(servers[0]), MODEL)], "Hi").start()
    deadline = time.monotonic() + NO_HANG_S
    while not comp.records[RunKey(0, 0)].first_token:  # streaming, then stalled
        assert time.monotonic() < deadline
        comp.drain(0.1)
    time.sleep(0.2)
    t0 = time.monotonic()
    assert comp.stop(join_timeout_s=10.0) == []
    assert time.monotonic() - t0 < 0.75


def test_stop_aborts_a_request_waiting_for_its_first_byte(servers):
    # Before the response headers there is no stream to close; Stop must not wait for them.
    servers[0].default = Reply(first_byte_delay_s=1.5)
    comp = Comparison([PaneConfig("p", conn(servers[0]), MODEL)], "Hi").start()
    assert wait_until(lambda: len(servers[0].requests) == 1)
    t0 = time.monotonic()
    assert comp.stop(join_timeout_s=10.0) == []
    assert time.monotonic() - t0 < 0.75


def test_stop_ends_every_worker_and_every_stream():
    with FakeOpenAIServer() as server:
        server.default = Reply(reasoning=words(40, "r"), answer=words(40, "a"), delay_s=0.1)  # ~8 s each
        panes = effort_sweep(conn(server), MODEL)
        comp = Comparison(panes, "Hi", repeats=2, per_connection_limit=8).start()
        streaming: set[RunKey] = set()
        deadline = time.monotonic() + NO_HANG_S
        while len(streaming) < len(comp.records):
            assert time.monotonic() < deadline, "not every run started streaming"
            streaming |= {k for k, e in comp.drain(0.1) if isinstance(e, ReasoningDelta)}
        assert server.open_streams == 6

        lingering = comp.stop(join_timeout_s=10.0)

        assert lingering == []
        assert workers_alive(comp) == []
        assert all(r.status is Status.STOPPED and r.reasoning for r in comp.records.values())
        assert server.streams_closed(10.0), f"{server.open_streams} streams left open"


def test_stop_while_runs_wait_for_a_connection_slot():
    with FakeOpenAIServer() as server:
        server.default = Reply(answer=words(40, "a"), delay_s=0.1)
        comp = Comparison(effort_sweep(conn(server), MODEL), "Hi", per_connection_limit=1).start()
        assert wait_until(lambda: server.open_streams == 1)
        assert comp.stop(join_timeout_s=10.0) == []
        assert workers_alive(comp) == []
        statuses = sorted(r.status for r in comp.records.values())
        assert statuses == [Status.STOPPED] * 3
        assert len([r for r in server.requests if r["method"] == "POST"]) == 1  # the others never went out
        assert server.streams_closed(10.0)


def test_per_connection_limit_is_respected_per_connection():
    with FakeOpenAIServer() as a, FakeOpenAIServer() as b:
        a.default = Reply(reasoning="", answer=words(10, "a"), delay_s=0.03)
        b.default = Reply(reasoning="", answer=words(10, "b"), delay_s=0.03)
        peak = {"a": 0, "b": 0}
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.is_set():
                peak["a"], peak["b"] = max(peak["a"], a.open_streams), max(peak["b"], b.open_streams)
                time.sleep(0.002)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        conn_a, conn_b = conn(a, "A"), conn(b, "B")
        panes = [PaneConfig(f"a{i}", conn_a, MODEL) for i in range(3)] + [PaneConfig("b0", conn_b, MODEL)]
        comp = Comparison(panes, "Hi", repeats=2, per_connection_limit=2).start()
        assert comp.wait(NO_HANG_S)
        sampling.set()
        sampler.join(2)

        assert all(r.status is Status.COMPLETE for r in comp.records.values())
        assert len([r for r in a.requests if r["method"] == "POST"]) == 6
        assert peak["a"] == 2  # reached, never exceeded
        assert peak["b"] == 2  # its own limit, not sharing A's


class _ScriptedProvider:
    def __init__(self, crash: bool = False) -> None:
        self.crash = crash

    def stream(self, request: RunRequest, cancel: CancelToken | None = None):
        yield ReasoningDelta("thinking ")
        if self.crash:
            raise RuntimeError("adapter bug with key sk-THISISAFAKEKEY1234567890")
        yield TextDelta("42")
        yield Finish("stop")

    def list_models(self) -> list[str]:
        return []


def test_a_provider_that_crashes_or_cannot_be_built_fails_only_its_pane():
    good, crashy, unbuildable = (
        Connection(n, Kind.OPENAI, base_url="http://unused") for n in ("good", "crash", "nope")
    )

    def factory(c: Connection):
        if c.name == "nope":
            raise ValueError("cannot build a client")
        return _ScriptedProvider(crash=c.name == "crash")

    panes = [
        PaneConfig("good", good, MODEL),
        PaneConfig("crash", crashy, MODEL),
        PaneConfig("nope", unbuildable, MODEL),
    ]
    comp = Comparison(panes, "Hi", provider_factory=factory).start()
    per_run = collect(comp)
    ok, crashed, never = (comp.records[RunKey(i, 0)] for i in range(3))
    assert ok.status is Status.COMPLETE and ok.answer == "42"
    assert crashed.status is Status.INTERRUPTED and crashed.reasoning == "thinking "  # not "stopped"
    assert "adapter bug" in crashed.failure.message and "THISISAFAKEKEY" not in crashed.failure.message
    assert never.status is Status.ERROR and "cannot build a client" in never.failure.message
    assert per_run[RunKey(2, 0)][-1] == RunEnded(Status.ERROR, per_run[RunKey(2, 0)][-1].t)


def test_drain_batches_and_done_waits_for_every_end():
    panes = [PaneConfig(f"p{i}", Connection(f"c{i}", Kind.OPENAI, base_url="http://unused"), MODEL) for i in range(2)]
    comp = Comparison(panes, "Hi", repeats=3, provider_factory=lambda c: _ScriptedProvider())
    assert not comp.done and comp.drain(0.0) == []  # nothing before start
    comp.start()
    events = list(comp.events())
    assert comp.done and comp.finished
    ends = [k for k, e in events if isinstance(e, RunEnded)]
    assert sorted(ends) == sorted(comp.records)
    assert comp.drain(0.5) == []  # done: returns at once, empty
    with pytest.raises(RuntimeError):
        comp.start()


def test_records_time_from_the_slot_not_from_the_queue():
    with FakeOpenAIServer() as server:
        server.default = Reply(reasoning="", answer=words(4, "a"), delay_s=0.05)
        comp = Comparison(effort_sweep(conn(server), MODEL), "Hi", per_connection_limit=1).start()
        assert comp.wait(NO_HANG_S)
        # With one slot the runs went one after another; each one's clock starts at its slot,
        # so no run's start precedes the previous run's end (a queue-time start would).
        runs = sorted(comp.records.values(), key=lambda r: r.started)
        for before, after in itertools.pairwise(runs):
            assert after.started >= before.ended
        assert all(r.status is Status.COMPLETE for r in runs)


def test_presets_and_same_settings():
    c1 = Connection("Bedrock", Kind.OPENAI, base_url="https://bedrock-runtime.us-west-2.amazonaws.com/openai/v1")
    c2 = Connection("vLLM", Kind.OPENAI, base_url="http://localhost:8000/v1")
    base = Params(temperature=0.2, max_tokens=9000)
    sweep = effort_sweep(c1, MODEL, base)
    assert [p.effort for p in sweep] == ["low", "medium", "high"]
    assert [p.label for p in sweep] == ["gpt-oss-20b · low", "gpt-oss-20b · medium", "gpt-oss-20b · high"]
    assert all(p.params.temperature == 0.2 and p.params.max_tokens == 9000 for p in sweep)

    models = model_sweep(c1, ["openai.gpt-oss-20b-1:0", "openai.gpt-oss-120b-1:0"], "high", base)
    assert [p.label for p in models] == ["gpt-oss-20b · high", "gpt-oss-120b · high"]
    assert {p.effort for p in models} == {"high"}

    hosts = host_sweep([c1, c2], [MODEL, "openai/gpt-oss-20b"], base)
    assert [(p.connection.name, p.model) for p in hosts] == [("Bedrock", MODEL), ("vLLM", "openai/gpt-oss-20b")]
    assert [p.label for p in host_sweep([c1, c1.with_(id="other")], MODEL)] == [
        "Bedrock · gpt-oss-20b",
        "Bedrock · gpt-oss-20b (2)",
    ]
    with pytest.raises(ValueError):
        host_sweep([c1, c2], [MODEL])

    synced = same_settings(hosts, Params(reasoning_effort="low", max_tokens=512), "Be brief.")
    assert all(p.params.max_tokens == 512 and p.system_prompt == "Be brief." for p in synced)
    assert [p.connection for p in synced] == [c1, c2] and [p.model for p in synced] == [p.model for p in hosts]

    assert short_model_name("openai.gpt-oss-120b-1:0") == "gpt-oss-120b"
    assert short_model_name("openai/gpt-oss-20b") == "gpt-oss-20b"
    assert [p.label for p in unique_labels([sweep[0], sweep[0], sweep[0]])] == [
        "gpt-oss-20b · low",
        "gpt-oss-20b · low (2)",
        "gpt-oss-20b · low (3)",
    ]


def test_history_and_system_prompt_reach_the_host(servers):
    server = servers[0]
    pane = PaneConfig("p", conn(server), MODEL, Params(reasoning_effort="high"), system_prompt="You are terse.")
    history = [{"role": "user", "content": "Earlier?"}, {"role": "assistant", "content": "Yes."}]
    comp = Comparison([pane], "Now?", history=history).start()
    assert comp.wait(NO_HANG_S)
    body = next(r["body"] for r in server.requests if r["method"] == "POST")
    assert body["messages"] == [
        {"role": "system", "content": "You are terse."},
        *history,
        {"role": "user", "content": "Now?"},
    ]
    assert body["reasoning_effort"] == "high" and body["stream"] is True


def test_invalid_arguments_are_refused():
    c = Connection("c", Kind.OPENAI, base_url="http://unused")
    with pytest.raises(ValueError):
        Comparison([], "Hi")
    with pytest.raises(ValueError):
        Comparison([PaneConfig("p", c, MODEL)], "Hi", repeats=0)
    with pytest.raises(ValueError):
        Comparison([PaneConfig("p", c, MODEL)], "Hi", per_connection_limit=0)
    assert FailureKind.INTERRUPTED  # the crash kind used above exists


def test_stop_after_a_natural_finish_changes_nothing():
    panes = [PaneConfig("p", Connection("c", Kind.OPENAI, base_url="http://unused"), MODEL)]
    comp = Comparison(panes, "Hi", provider_factory=lambda c: _ScriptedProvider()).start()
    assert comp.wait(NO_HANG_S)
    assert comp.stop() == []
    assert not comp.stopped and comp.records[RunKey(0, 0)].status is Status.COMPLETE


def test_stop_before_start_settles_every_record():
    panes = [PaneConfig("p", Connection("c", Kind.OPENAI, base_url="http://unused"), MODEL)]
    comp = Comparison(panes, "Hi", repeats=2, provider_factory=lambda c: _ScriptedProvider())
    assert comp.stop() == []
    assert comp.done and all(comp.ended(k) for k in comp.records)
    assert {r.status for r in comp.records.values()} == {Status.STOPPED}


def test_provider_cache_reuses_per_connection_and_rebuilds_when_it_changes():
    built: list[str] = []

    def factory(c: Connection) -> _ScriptedProvider:
        built.append(c.base_url or "")
        return _ScriptedProvider()

    cache = ProviderCache(factory)
    c = Connection("c", Kind.OPENAI, base_url="http://one")
    assert cache(c) is cache(c)
    edited = c.with_(base_url="http://two")  # same id, new URL: a new client
    assert cache(edited) is not cache(c)
    assert built == ["http://one", "http://two"]
    panes = [PaneConfig("p", c, MODEL)]
    for _ in range(2):
        assert Comparison(panes, "Hi", provider_factory=cache).start().wait(NO_HANG_S)
    assert built == ["http://one", "http://two"]


def test_the_engine_imports_no_streamlit():
    code = (
        "import sys, playground.compare, playground.results, playground.charts, playground.agreement, "
        "playground.projection, playground.votes, playground.export; "
        "sys.exit('streamlit' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], cwd=root, timeout=60).returncode == 0


def test_the_clock_starts_after_the_client_is_built():
    built_at: list[float] = []

    def slow_factory(c: Connection) -> _ScriptedProvider:
        time.sleep(0.2)  # an import or credential lookup: ours, not the host's
        built_at.append(time.perf_counter())
        return _ScriptedProvider()

    panes = [PaneConfig("p", Connection("c", Kind.OPENAI, base_url="http://unused"), MODEL)]
    comp = Comparison(panes, "Hi", provider_factory=slow_factory).start()
    assert comp.wait(NO_HANG_S)
    assert comp.records[RunKey(0, 0)].started >= built_at[0]
