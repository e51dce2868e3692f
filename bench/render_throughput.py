"""How long the Chat page takes to show the end of a long answer streamed at full speed.

For answers of 2,000 and 20,000 words from the loopback OpenAI-compatible server, measures
(a) the raw openai SDK reading the same stream and (b) the real app in Debian's Chromium, from
pressing Enter to the last word being on screen. Several runs each, in one process; prints medians
and ratios, last line `render_ratio_20k=<page/raw>`.

Run: .venv/bin/python bench/render_throughput.py   (or `make bench`)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import openai  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, App, send, wait_idle  # noqa: E402
from tests.support.openai_fake import FakeOpenAIServer, Reply  # noqa: E402

RUNS = 3
SIZES = (2_000, 20_000)
END = "THE-END-MARKER"


def answer_of(words: int) -> str:
    body = []
    for i in range(words - 1):
        body.append(f"word{i}")
        if i % 60 == 59:
            body.append("\n\n")
    return " ".join(body) + " " + END


def raw_seconds(fake: FakeOpenAIServer, text: str) -> float:
    client = openai.OpenAI(base_url=fake.url, api_key="x", max_retries=0)
    fake.queue(Reply(reasoning="", answer=text, dialect="plain"))
    start = time.perf_counter()
    parts = []
    for chunk in client.chat.completions.create(
        model="openai.gpt-oss-20b-1:0", messages=[{"role": "user", "content": "go"}], stream=True
    ):
        if chunk.choices and chunk.choices[0].delta.content:
            parts.append(chunk.choices[0].delta.content)
    elapsed = time.perf_counter() - start
    assert "".join(parts).endswith(END)
    return elapsed


def page_seconds(page, app: App, fake: FakeOpenAIServer, text: str) -> float:
    page.goto(app.url)
    wait_idle(page)
    fake.queue(Reply(reasoning="", answer=text, dialect="plain"))
    start = time.perf_counter()
    send(page, "go")
    page.wait_for_function(f"() => document.body.innerText.includes('{END}')", timeout=300_000, polling="raf")
    elapsed = time.perf_counter() - start
    wait_idle(page)
    return elapsed


def main() -> None:
    with FakeOpenAIServer() as fake:
        app = App({"OPENAI_BASE_URL": fake.url})
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                ratios = {}
                for words in SIZES:
                    text = answer_of(words)
                    raws, pages = [], []
                    for _ in range(RUNS):
                        raws.append(raw_seconds(fake, text))
                        pages.append(page_seconds(page, app, fake, text))
                    raw, shown = statistics.median(raws), statistics.median(pages)
                    ratios[words] = shown / raw
                    print(
                        f"{words:>6} words: raw SDK {raw:.3f} s, page {shown:.3f} s, ratio x{ratios[words]:.1f} "
                        f"(runs: raw {[round(r, 3) for r in raws]}, page {[round(s, 3) for s in pages]})"
                    )
                browser.close()
        finally:
            app.stop()
    print(f"growth_20k_over_2k={ratios[20_000] / ratios[2_000]:.2f}")
    print(f"render_ratio_20k={ratios[20_000]:.2f}")


if __name__ == "__main__":
    main()
