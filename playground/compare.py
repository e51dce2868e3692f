"""Several runs at once: N panes × R repeats in worker threads, fanned in on one queue.

Threads rather than asyncio because every provider is a synchronous iterator (openai SDK,
botocore) and the Streamlit script thread only needs something to drain. Each worker drives
`runs.execute` for one (pane, repeat) and puts `(RunKey, event)` on a `queue.Queue`; workers
never touch Streamlit (it raises `NoSessionContext` off the script thread).

Reading rule for the page: while a run is live, render from the drained events; read
`records[key]` once that run's `RunEnded` has been drained (or after `stop()`). The queue hands
over everything the worker wrote before it, so the record is settled by then.

What this module deliberately is not: no charts, tables, votes or exports (see `results.py`,
`charts.py`, `votes.py`, `export.py`), and no storage.
"""

from __future__ import annotations

import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import NamedTuple

from playground.cancel import CancelToken
from playground.connections import Connection, Kind
from playground.events import Event, Failure, FailureKind, now
from playground.pricing import Price, price_for
from playground.providers import Provider, make_provider
from playground.request import EFFORTS, Params, RunRequest
from playground.runs import RunRecord, Status, execute
from playground.secrets import redact

DEFAULT_PER_CONNECTION_LIMIT = 4  # enough for a 3-effort sweep with a repeat, gentle on a throttled host
WORKER_PREFIX = "compare-worker"
_SLOT_POLL_S = 0.05  # how often a worker waiting for a connection slot checks for Stop


@dataclass(frozen=True)
class PaneConfig:
    """One pane's configuration: where, which model, and how."""

    label: str
    connection: Connection
    model: str
    params: Params = field(default_factory=Params)
    system_prompt: str = ""

    @property
    def effort(self) -> str | None:
        return self.params.reasoning_effort

    def request(self, prompt: str, history: Sequence[dict] = ()) -> RunRequest:
        messages = tuple({"role": m["role"], "content": m["content"]} for m in history)
        return RunRequest(
            model=self.model,
            messages=(*messages, {"role": "user", "content": prompt}),
            system_prompt=self.system_prompt,
            params=self.params,
        )

    def describe(self) -> dict:
        """Key-free, JSON-ready (the connection through `Connection.describe`)."""
        return {
            "label": self.label,
            "connection": self.connection.describe(),
            "model": self.model,
            "params": asdict(self.params),
            "system_prompt": self.system_prompt,
        }


class RunKey(NamedTuple):
    """Which run an event belongs to: pane index and repeat index, both from 0."""

    pane: int
    repeat: int


@dataclass(frozen=True, slots=True)
class RunStarted:
    """The run got a slot on its connection and its request is going out."""

    t: float = field(default_factory=now)


@dataclass(frozen=True, slots=True)
class RunEnded:
    """The worker is finished with this run; `status` is the record's settled status."""

    status: Status
    t: float = field(default_factory=now)


CompareEvent = Event | RunStarted | RunEnded
ProviderFactory = Callable[[Connection], Provider]


class ProviderCache:
    """Providers reused across comparisons, for one browser session: keep it in
    `st.session_state` and pass it as `provider_factory`. Building an openai client costs tens of
    ms of CPU (an SSL context), which would otherwise delay the start of every pane. Keyed by the
    whole (frozen) Connection, so editing a connection's URL or key builds a new provider. Not
    for `st.cache_resource`: that is shared by every session, and a provider holds the key."""

    def __init__(self, factory: ProviderFactory = make_provider) -> None:
        self._factory = factory
        self._providers: dict[Connection, Provider] = {}
        self._lock = threading.Lock()

    def __call__(self, connection: Connection) -> Provider:
        with self._lock:
            provider = self._providers.get(connection)
        if provider is None:
            built = self._factory(connection)  # outside the lock: hosts build side by side
            with self._lock:
                provider = self._providers.setdefault(connection, built)
        return provider


def default_price(pane: PaneConfig) -> Price | None:
    return price_for(pane.model, local=pane.connection.kind == Kind.LOCAL)


class Comparison:
    """One prompt (plus optional shared history) in every pane, `repeats` times, all at once.

    Usage: `c = Comparison(panes, prompt).start()`, then `c.drain(0.1)` until `c.done`;
    `c.stop()` in a `finally:` so Stop, rerun or navigation cancels every worker.
    """

    def __init__(
        self,
        panes: Sequence[PaneConfig],
        prompt: str,
        history: Sequence[dict] = (),
        repeats: int = 1,
        *,
        provider_factory: ProviderFactory = make_provider,
        per_connection_limit: int = DEFAULT_PER_CONNECTION_LIMIT,
        pricing: Callable[[PaneConfig], Price | None] = default_price,
    ) -> None:
        if not panes:
            raise ValueError("a comparison needs at least one pane")
        if repeats < 1:
            raise ValueError("repeats must be at least 1")
        if per_connection_limit < 1:
            raise ValueError("per_connection_limit must be at least 1")
        self.id = uuid.uuid4().hex[:12]
        self.created_at = time.time()
        self.panes: tuple[PaneConfig, ...] = tuple(unique_labels(panes))
        self.prompt = prompt
        self.history: tuple[dict, ...] = tuple(history)
        self.repeats = repeats
        self.per_connection_limit = per_connection_limit
        self._provider_factory = provider_factory
        # Records exist before the runs start so the page can lay out every pane at once, and so
        # Stop keeps a record (status "stopped") even for a run that never got a slot.
        self.records: dict[RunKey, RunRecord] = {}
        self._tokens: dict[RunKey, CancelToken] = {}
        for p, pane in enumerate(self.panes):
            for r in range(repeats):
                key = RunKey(p, r)
                self.records[key] = RunRecord(
                    request=pane.request(prompt, self.history),
                    connection_name=pane.connection.name,
                    price=pricing(pane),
                )
                self._tokens[key] = CancelToken()
        self._queue: queue.Queue[tuple[RunKey, CompareEvent]] = queue.Queue()
        self._threads: dict[RunKey, threading.Thread] = {}
        self._slots: dict[str, threading.BoundedSemaphore] = {
            pane.connection.id: threading.BoundedSemaphore(per_connection_limit) for pane in self.panes
        }
        self._providers: dict[str, Provider] = {}
        self._providers_lock = threading.Lock()
        self._provider_locks: dict[str, threading.Lock] = {}
        self._ended: set[RunKey] = set()  # RunEnded drained by the page
        self.stopped = False

    # -- lifecycle --------------------------------------------------------------------------------
    def start(self) -> Comparison:
        if self._threads:
            raise RuntimeError("this comparison has already started")
        for key in self.records:
            thread = threading.Thread(
                target=self._work,
                args=(key,),
                name=f"{WORKER_PREFIX}-{self.id}-p{key.pane}-r{key.repeat}",
                daemon=True,  # a worker stuck in a connect must never keep the server process alive
            )
            self._threads[key] = thread
        for thread in self._threads.values():
            thread.start()
        return self

    def stop(self, join_timeout_s: float = 5.0) -> list[str]:
        """Cancel every run (aborting blocked reads), wait up to `join_timeout_s` in total, and
        keep every partial record. Returns the names of workers still alive (normally none).
        Safe to call in every `finally:`: after a comparison finished on its own it does nothing."""
        if self.finished:
            return []
        self.stopped = True
        for token in self._tokens.values():
            token.cancel()
        deadline = time.monotonic() + join_timeout_s
        for thread in self._threads.values():
            thread.join(max(0.0, deadline - time.monotonic()))
        lingering = [t.name for t in self._threads.values() if t.is_alive()]
        # Settle every record, lingering ones included, so the page can render all of them now.
        # A worker still alive is blocked before its first byte (its reads were aborted), and
        # `close` is a no-op for records a worker already settled.
        for record in self.records.values():
            record.close(stopped=True)
        return lingering

    @property
    def started(self) -> bool:
        return bool(self._threads)

    @property
    def finished(self) -> bool:
        """Every worker has returned (events may still wait in the queue)."""
        return self.started and not any(t.is_alive() for t in self._threads.values())

    @property
    def done(self) -> bool:
        """Nothing more will arrive: every run's end was drained, or the comparison was stopped."""
        if self.stopped:
            return True
        return self.started and len(self._ended) == len(self.records)

    def ended(self, key: RunKey) -> bool:
        """This run's record is settled and safe to read: its `RunEnded` was drained, or the
        comparison was stopped and its worker has returned."""
        if key in self._ended:
            return True
        thread = self._threads.get(key)
        return self.stopped and (thread is None or not thread.is_alive())

    # -- fan-in -----------------------------------------------------------------------------------
    def drain(self, timeout: float = 0.1, max_items: int = 10_000) -> list[tuple[RunKey, CompareEvent]]:
        """Wait up to `timeout` for the first event, then take whatever else is already queued.

        Batching lets the page update each placeholder once per batch instead of once per token."""
        items: list[tuple[RunKey, CompareEvent]] = []
        if self.done:
            timeout = 0.0
        try:
            items.append(self._queue.get(timeout=timeout) if timeout > 0 else self._queue.get_nowait())
            while len(items) < max_items:
                items.append(self._queue.get_nowait())
        except queue.Empty:
            pass
        for key, event in items:
            if isinstance(event, RunEnded):
                self._ended.add(key)
        return items

    def events(self, poll_s: float = 0.1) -> Iterator[tuple[RunKey, CompareEvent]]:
        """Every event until done, one at a time (convenient outside Streamlit)."""
        while not self.done:
            yield from self.drain(poll_s)
        yield from self.drain(0.0)

    def wait(self, timeout_s: float) -> bool:
        """Drain until done or `timeout_s` passes; True when done. For scripts, benches, tests."""
        deadline = time.monotonic() + timeout_s
        while not self.done and time.monotonic() < deadline:
            self.drain(min(0.1, max(0.0, deadline - time.monotonic())))
        return self.done

    def records_for(self, pane: int) -> list[RunRecord]:
        return [self.records[RunKey(pane, r)] for r in range(self.repeats)]

    def worker_names(self) -> list[str]:
        return [t.name for t in self._threads.values()]

    # -- the worker -------------------------------------------------------------------------------
    def _work(self, key: RunKey) -> None:
        pane = self.panes[key.pane]
        record, token = self.records[key], self._tokens[key]
        try:
            slot = self._slots[pane.connection.id]
            if not _acquire(slot, token):
                record.close(stopped=True)
                return
            try:
                provider = self._provider(pane.connection)
                # The clock starts when the request can go out: not when the run was queued behind
                # the connection limit, nor while its client was built (the first openai import
                # takes a second; a boto3 client longer), or hosts would be charged for our setup.
                record.started_at, record.started = time.time(), now()
                self._queue.put((key, RunStarted()))
                for event in execute(provider, record.request, record, token):
                    self._queue.put((key, event))
            finally:
                slot.release()
        except Exception as exc:  # a provider bug or a client that cannot be built: this pane only
            failure = Failure(FailureKind.INTERRUPTED, _crash_message(exc, pane.connection))
            _settle_after_crash(record, failure, token.cancelled)
            self._queue.put((key, failure))
        finally:
            self._queue.put((key, RunEnded(record.status)))

    def _provider(self, connection: Connection) -> Provider:
        # One provider (one HTTP client and pool) per connection, shared by its panes; built by
        # the first worker that needs it, so a slow client (AWS credentials) does not block
        # `start`. The lock is per connection: different hosts' clients are built side by side.
        with self._providers_lock:
            lock = self._provider_locks.setdefault(connection.id, threading.Lock())
        with lock:
            provider = self._providers.get(connection.id)
            if provider is None:
                provider = self._providers[connection.id] = self._provider_factory(connection)
            return provider


def _acquire(slot: threading.BoundedSemaphore, token: CancelToken) -> bool:
    while not token.cancelled:
        if slot.acquire(timeout=_SLOT_POLL_S):
            if token.cancelled:
                slot.release()
                return False
            return True
    return False


def _crash_message(exc: Exception, connection: Connection) -> str:
    text = f"Unexpected error in this pane: {type(exc).__name__}: {exc}"
    return redact(text, *connection.secrets())


def _settle_after_crash(record: RunRecord, failure: Failure, cancelled: bool) -> None:
    # `execute` settles a record as "stopped" whenever the provider raises, since its `finally:`
    # cannot tell a crash from the generator being closed; a crash is an error, not a Stop.
    record.failure = failure
    if record.status is Status.STREAMING:
        record.close(stopped=cancelled)
    elif record.status is Status.STOPPED and not cancelled:
        record.status = Status.INTERRUPTED if (record.answer or record.reasoning) else Status.ERROR


# -- presets --------------------------------------------------------------------------------------
def short_model_name(model: str) -> str:
    """`openai.gpt-oss-20b-1:0` → `gpt-oss-20b`: labels that fit a chart axis."""
    name = model.split("/")[-1]
    if name.startswith("openai."):
        name = name[len("openai.") :]
    for suffix in ("-1:0", ":latest"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return name


def effort_sweep(
    connection: Connection,
    model: str,
    base: Params | None = None,
    system_prompt: str = "",
    efforts: Sequence[str] = EFFORTS,
) -> list[PaneConfig]:
    """One model at each reasoning effort (low, medium, high)."""
    base = base or Params()
    return [
        PaneConfig(
            f"{short_model_name(model)} · {effort}",
            connection,
            model,
            base.with_(reasoning_effort=effort),
            system_prompt,
        )
        for effort in efforts
    ]


def model_sweep(
    connection: Connection,
    models: Sequence[str],
    effort: str | None = "medium",
    base: Params | None = None,
    system_prompt: str = "",
) -> list[PaneConfig]:
    """Several models (e.g. gpt-oss-20b vs gpt-oss-120b) at one effort on one connection."""
    params = (base or Params()).with_(reasoning_effort=effort)
    suffix = f" · {effort}" if effort else ""
    return [PaneConfig(f"{short_model_name(m)}{suffix}", connection, m, params, system_prompt) for m in models]


def host_sweep(
    connections: Sequence[Connection],
    model: str | Sequence[str],
    base: Params | None = None,
    system_prompt: str = "",
) -> list[PaneConfig]:
    """The same model on several connections. Hosts name one model differently (Bedrock
    `openai.gpt-oss-20b-1:0`, vLLM `openai/gpt-oss-20b`), so `model` may be one id per connection."""
    models = [model] * len(connections) if isinstance(model, str) else list(model)
    if len(models) != len(connections):
        raise ValueError("give one model id, or one per connection")
    params = base or Params()
    panes = [
        PaneConfig(f"{c.name} · {short_model_name(m)}", c, m, params, system_prompt)
        for c, m in zip(connections, models, strict=True)
    ]
    return unique_labels(panes)


def same_settings(panes: Sequence[PaneConfig], params: Params, system_prompt: str) -> list[PaneConfig]:
    """Every pane keeps its connection and model and takes these parameters and system prompt
    (the "same settings in every pane" switch)."""
    return [replace(p, params=params, system_prompt=system_prompt) for p in panes]


def unique_labels(panes: Sequence[PaneConfig]) -> list[PaneConfig]:
    """Labels key colours, rows and votes, so two panes must never share one: add " (2)", ..."""
    taken: set[str] = set()
    out: list[PaneConfig] = []
    for pane in panes:
        base = pane.label.strip() or "Pane"
        label, n = base, 1
        while label in taken:
            n += 1
            label = f"{base} ({n})"
        taken.add(label)
        out.append(pane if label == pane.label else replace(pane, label=label))
    return out
