"""Tokens per second of the embedded model: in-process llama.cpp, through the server with the raw
openai SDK, and through the playground engine. The engine must keep at least 90% of what the
server delivers. Alternating runs in one process; prints medians and a last line
`local_engine_over_server=<engine tok/s / raw SDK tok/s>`.

Run: .venv/bin/python bench/local_throughput.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import openai  # noqa: E402

from playground.local_server import SHIPPED_MODEL_ID, ensure_server, local_provider, shipped_model_path, stop_all  # noqa: E402
from playground.request import Params, RunRequest  # noqa: E402
from playground.runs import RunRecord, execute  # noqa: E402

RUNS = 5
TOKENS = 200
PROMPT = [{"role": "user", "content": "Write a long story about a lighthouse keeper."}]


def in_process() -> float:
    from llama_cpp import Llama

    llm = Llama(
        model_path=str(shipped_model_path()), n_ctx=2048, chat_format="gemma", n_threads=os.cpu_count(), verbose=False
    )
    start = time.perf_counter()
    out = llm.create_chat_completion(PROMPT, max_tokens=TOKENS, temperature=0.8, seed=1)
    return out["usage"]["completion_tokens"] / (time.perf_counter() - start)


def raw_sdk(url: str) -> float:
    client = openai.OpenAI(base_url=url, api_key="x", max_retries=0)
    start, chunks = time.perf_counter(), 0
    stream = client.chat.completions.create(
        model=SHIPPED_MODEL_ID, messages=PROMPT, max_tokens=TOKENS, temperature=0.8, seed=1, stream=True
    )
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            chunks += 1
    return chunks / (time.perf_counter() - start)


def engine(provider) -> float:
    request = RunRequest(
        SHIPPED_MODEL_ID, tuple(PROMPT), params=Params(max_tokens=TOKENS, temperature=0.8, reasoning_effort=None)
    )
    record = RunRecord(request)
    start, deltas = time.perf_counter(), 0
    for event in execute(provider, request, record):
        deltas += type(event).__name__ == "TextDelta"
    return deltas / (time.perf_counter() - start)


def main() -> None:
    print(f"in-process llama.cpp: {in_process():.1f} tok/s")
    server = ensure_server()
    provider = local_provider()
    raw_sdk(server.url)  # warm the server
    raws, engines = [], []
    for _ in range(RUNS):
        raws.append(raw_sdk(server.url))
        engines.append(engine(provider))
    stop_all()
    raw, eng = statistics.median(raws), statistics.median(engines)
    print(f"server + raw openai SDK: {raw:.1f} chunks/s  (runs {[round(r, 1) for r in raws]})")
    print(f"server + playground engine: {eng:.1f} chunks/s  (runs {[round(e, 1) for e in engines]})")
    print(f"local_engine_over_server={eng / raw:.3f}")


if __name__ == "__main__":
    main()
