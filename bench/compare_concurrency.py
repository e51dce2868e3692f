"""Do four panes really stream at the same time?

Four loopback OpenAI-compatible servers stream answers of known duration (40 deltas at 10, 20,
30 and 40 ms apart: about 0.4, 0.8, 1.2 and 1.6 s). Each round times the four together through
`Comparison` and the slowest one alone through the same path, draining the queue the way the
page does. Several rounds in one process, after a warm-up; the median ratio is the figure.

    .venv/bin/python bench/compare_concurrency.py [rounds]

Two settings are measured. "cached clients": each connection's provider is built once and
reused, as the page does through a `ProviderCache` kept in the session; this is the steady state
and the last line. "fresh clients": every comparison builds its own (openai client construction costs
tens of ms of CPU each, paid once per connection, which shows up in the ratio for 4 hosts).

Last line: `concurrency_ratio=<together / slowest alone>` with cached clients (target at most
1.15; 1.0 is perfect overlap, 2.5 would be the four one after another).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playground.compare import Comparison, PaneConfig, ProviderCache, ProviderFactory
from playground.connections import Connection, Kind
from playground.providers import make_provider
from playground.request import Params
from tests.support.openai_fake import FakeOpenAIServer, Reply

DELAYS_S = (0.01, 0.02, 0.03, 0.04)
WORDS = 20  # reasoning and answer each: 40 deltas per stream
MODEL = "openai.gpt-oss-20b-1:0"


def timed(panes: list[PaneConfig], factory: ProviderFactory = make_provider) -> float:
    start = time.perf_counter()
    comp = Comparison(panes, "How long?", provider_factory=factory).start()
    try:
        while not comp.done:
            comp.drain(0.05)
    finally:
        comp.stop()
    elapsed = time.perf_counter() - start
    bad = [r.status.value for r in comp.records.values() if r.status.value != "complete"]
    if bad:
        raise SystemExit(f"a run did not complete: {bad}")
    return elapsed


def main(rounds: int = 5) -> None:
    servers = [FakeOpenAIServer().start() for _ in DELAYS_S]
    try:
        panes = []
        for i, (server, delay) in enumerate(zip(servers, DELAYS_S, strict=True)):
            words = " ".join(f"w{n}" for n in range(WORDS))
            server.default = Reply(reasoning=words, answer=words, delay_s=delay)
            conn = Connection(f"loopback {i}", Kind.OPENAI, base_url=server.url)
            panes.append(PaneConfig(f"{delay * 1000:.0f} ms/delta", conn, MODEL, Params(reasoning_effort="low")))
        slowest = [panes[-1]]
        expected = (2 * WORDS + 1) * DELAYS_S[-1]
        print(f"panes: {', '.join(p.label for p in panes)}; slowest stream ~{expected:.2f} s by construction")
        timed(panes)  # warm-up: imports, first connections
        results = {}
        for setting in ("fresh clients", "cached clients"):
            factory = make_provider if setting == "fresh clients" else ProviderCache()
            if setting == "cached clients":
                timed(panes, factory)  # fill the cache, as the session's first comparison would
            ratios = []
            for n in range(rounds):
                together = timed(panes, factory)
                alone = timed(slowest, factory)
                ratios.append(together / alone)
                print(
                    f"{setting}, round {n + 1}: four together {together:.3f} s, slowest alone {alone:.3f} s, "
                    f"ratio {ratios[-1]:.3f}"
                )
            results[setting] = statistics.median(ratios)
            print(
                f"{setting}: median ratio over {rounds} rounds {results[setting]:.3f} "
                f"(min {min(ratios):.3f}, max {max(ratios):.3f})"
            )
        print(f"concurrency_ratio={results['cached clients']:.3f}")
    finally:
        for server in servers:
            server.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
