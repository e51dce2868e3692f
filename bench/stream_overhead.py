"""What the engine costs on top of the openai SDK when streaming a long answer.

Starts the loopback fake (tests/support/openai_fake.py) and streams the same 20,000-token reply
(reasoning in `delta.reasoning`, then the answer; one word per chunk) consumed two ways:

  raw     the openai SDK alone: create(stream=True), iterate, concatenate delta.content / reasoning
  engine  execute(OpenAICompatProvider(...), request, RunRecord(request)): normaliser, events,
          record, metrics

alternating, in one process, after one warm-up run of each. Both build a new client per run and
send the same request body. Prints the medians and, last, `overhead_ratio=<engine/raw median>`.

    .venv/bin/python bench/stream_overhead.py [--tokens 20000] [--runs 7]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import openai

from playground.providers.openai_compat import OpenAICompatProvider, build_kwargs
from playground.request import Params, RunRequest
from playground.runs import RunRecord, Status, execute
from tests.support.openai_fake import FakeOpenAIServer, Reply

MODEL = "openai.gpt-oss-120b-1:0"


def make_reply(tokens: int) -> Reply:
    n_reasoning = tokens // 4  # a quarter reasoning, the rest answer: one word (token) per chunk
    reasoning = " ".join(f"think{i}" for i in range(n_reasoning))
    answer = " ".join(f"word{i}" for i in range(tokens - n_reasoning))
    usage = {"prompt_tokens": 20, "completion_tokens": tokens, "total_tokens": tokens + 20}
    return Reply(reasoning=reasoning, answer=answer, dialect="reasoning", usage=usage)


def run_raw(url: str, request: RunRequest) -> tuple[str, str]:
    client = openai.OpenAI(base_url=url, api_key="not-needed", max_retries=0)
    reasoning: list[str] = []
    answer: list[str] = []
    for chunk in client.chat.completions.create(**build_kwargs(request)):
        for choice in chunk.choices:
            delta = choice.delta
            text = getattr(delta, "reasoning", None)
            if text:
                reasoning.append(text)
            if delta.content:
                answer.append(delta.content)
    client.close()
    return "".join(reasoning), "".join(answer)


def run_engine(url: str, request: RunRequest) -> tuple[str, str]:
    record = RunRecord(request)
    for _ in execute(OpenAICompatProvider(url), request, record):
        pass
    assert record.status is Status.COMPLETE, (record.status, record.failure)
    record.metrics  # noqa: B018 - computing the figures is part of what the engine does per run
    return record.reasoning, record.answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    reply = make_reply(args.tokens)
    request = RunRequest(MODEL, ({"role": "user", "content": "Write a lot."},), "", Params(stream=True))
    times: dict[str, list[float]] = {"raw": [], "engine": []}
    cpu: dict[str, list[float]] = {"raw": [], "engine": []}  # all threads, the fake's included
    with FakeOpenAIServer() as server:
        server.default = reply
        expected = (reply.reasoning, reply.answer)
        for name, fn in (("raw", run_raw), ("engine", run_engine)):  # warm-up, and a correctness check
            assert fn(server.url, request) == expected, f"{name} got a different text"
        for _ in range(args.runs):
            for name, fn in (("raw", run_raw), ("engine", run_engine)):
                gc.collect()
                c0, t0 = time.process_time(), time.perf_counter()
                fn(server.url, request)
                times[name].append(time.perf_counter() - t0)
                cpu[name].append(time.process_time() - c0)

    chunks = len(reply.reasoning.split(" ")) + len(reply.answer.split(" "))
    raw, engine = statistics.median(times["raw"]), statistics.median(times["engine"])
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"python {sys.version.split()[0]}, openai {openai.__version__}, {os.cpu_count()} CPUs, load {load}")
    print(f"{chunks:,} chunks per run, {args.runs} runs each, alternating")
    for name, median in (("raw", raw), ("engine", engine)):
        runs = " ".join(f"{t:.3f}" for t in times[name])
        print(f"{name:>6}: median {median:.3f} s wall ({median / chunks * 1e6:.1f} us/chunk)  runs: {runs}")
    raw_cpu, engine_cpu = statistics.median(cpu["raw"]), statistics.median(cpu["engine"])
    print(f"   cpu: raw {raw_cpu:.3f} s, engine {engine_cpu:.3f} s (median process CPU, client and fake server)")
    print(f"engine overhead: {(engine - raw) / chunks * 1e6:+.1f} us/chunk wall, cpu_ratio={engine_cpu / raw_cpu:.3f}")
    print(f"overhead_ratio={engine / raw:.3f}")


if __name__ == "__main__":
    main()
