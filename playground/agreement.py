"""Do the answers agree? A quick signal, and a word-level diff of two answers.

The signal is deliberately cheap: when every answer ends in a number (the usual shape of a
reasoning benchmark), compare those numbers after normalising "1,234.50", "$1234.5" and
"1234.500"; otherwise compare the words with difflib. It is a hint for a demo, not a grader.

The diff returns structured spans; nothing here builds HTML from model text except
`diff_html`, which escapes every span (for the exported report).
"""

from __future__ import annotations

import difflib
import html
import itertools
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

AGREE_AT = 0.8  # mean word similarity at or above which answers "agree"
PARTLY_AT = 0.5
MAX_WORDS = 3000  # difflib is quadratic in the worst case; beyond this the tail adds little signal

_BOXED = re.compile(r"\\boxed\{([^{}]*)\}")
# A number not glued to a word on its left ("gpt-oss-20b" yields nothing from "-20"), with
# optional currency, sign, thousands separators and decimals.
_NUMBER = re.compile(
    r"(?<![\w.\-])(?P<sign>[-+−])?[$€£¥]?\s?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(?!\w)"
)
_WORD = re.compile(r"\S+\s*")


def final_number(text: str) -> Decimal | None:
    """The answer's final number, normalised; a `\\boxed{}` value wins over the last number."""
    boxed = _BOXED.findall(text or "")
    source = boxed[-1] if boxed else (text or "")
    matches = list(_NUMBER.finditer(source))
    if not matches:
        return None
    m = matches[-1]
    try:
        value = Decimal(m.group("num").replace(",", ""))
    except InvalidOperation:
        return None
    if m.group("sign") in ("-", "−"):
        value = -value
    return value.normalize()  # 1234.500 == 1234.5; `_plain` prints 1.2E+3 as 1200


def _words(text: str) -> list[str]:
    return [w.strip(".,;:!?\"'()[]{}*_`").lower() for w in (text or "").split()][:MAX_WORDS]


def similarity(a: str, b: str) -> float:
    """0..1 word-level similarity (case and surrounding punctuation ignored)."""
    wa, wb = _words(a), _words(b)
    if not wa and not wb:
        return 1.0
    return difflib.SequenceMatcher(None, wa, wb, autojunk=False).ratio()


@dataclass(frozen=True, slots=True)
class Agreement:
    method: Literal["numbers", "text", "none"]
    verdict: Literal["agree", "partly", "differ", "not enough answers"]
    score: float | None  # share agreeing with the most common number, or mean similarity
    numbers: dict[str, str | None]  # configuration → its final number as text
    detail: str  # one sentence for the page

    @property
    def agree(self) -> bool | None:
        return None if self.method == "none" else self.verdict == "agree"


def agreement(answers: Mapping[str, str]) -> Agreement:
    """Agreement among answers keyed by configuration label (empty answers are left out)."""
    present = {k: v for k, v in answers.items() if v and v.strip()}
    numbers = {k: final_number(v) for k, v in present.items()}
    as_text = {k: (None if n is None else _plain(n)) for k, n in numbers.items()}
    if len(present) < 2:
        return Agreement("none", "not enough answers", None, as_text, "Fewer than two answers to compare.")
    if all(n is not None for n in numbers.values()):
        counts = Counter(as_text.values())
        value, most = counts.most_common(1)[0]
        score = most / len(numbers)
        if most == len(numbers):
            return Agreement("numbers", "agree", 1.0, as_text, f"All answers end in the same number: {value}.")
        verdict = "partly" if most > 1 else "differ"
        listed = ", ".join(f"{k}: {v}" for k, v in as_text.items())
        return Agreement("numbers", verdict, score, as_text, f"The final numbers differ ({listed}).")
    pairs = list(itertools.combinations(present.values(), 2))
    score = sum(similarity(a, b) for a, b in pairs) / len(pairs)
    verdict = "agree" if score >= AGREE_AT else "partly" if score >= PARTLY_AT else "differ"
    return Agreement("text", verdict, score, as_text, f"Answers are {score:.0%} similar word for word (mean of pairs).")


def _plain(value: Decimal) -> str:
    return format(value, "f")


# -- word diff ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class DiffSpan:
    op: Literal["equal", "insert", "delete"]
    text: str  # words with their trailing whitespace, exactly as in the answer they come from


def word_diff(a: str, b: str) -> list[DiffSpan]:
    """Spans turning `a` into `b`; a replacement is a delete followed by an insert. Joining
    equal+delete spans gives `a` back (equal spans carry `a`'s whitespace and line breaks),
    equal+insert gives `b` word for word. Words keep their punctuation."""
    ta, tb = _WORD.findall(a or ""), _WORD.findall(b or "")
    lead_a = (a or "")[: len(a or "") - len((a or "").lstrip())]
    # Whitespace is kept in the spans but ignored when matching, so a re-wrapped line still matches.
    matcher = difflib.SequenceMatcher(None, [t.strip() for t in ta], [t.strip() for t in tb], autojunk=False)
    spans: list[DiffSpan] = [DiffSpan("equal", lead_a)] if lead_a else []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            spans.append(DiffSpan("equal", "".join(ta[i1:i2])))
            continue
        if i2 > i1:
            spans.append(DiffSpan("delete", "".join(ta[i1:i2])))
        if j2 > j1:
            spans.append(DiffSpan("insert", "".join(tb[j1:j2])))
    # The last word of one answer has no trailing space; where more spans follow, add one so
    # "dog." and an inserted "Done." do not render glued together as "dog.Done.".
    for i, span in enumerate(spans[:-1]):
        if span.text and not span.text[-1].isspace():
            spans[i] = DiffSpan(span.op, span.text + " ")
    return spans


def diff_html(spans: list[DiffSpan]) -> str:
    """`<del>`/`<ins>` markup with every span escaped, for the self-contained report."""
    tags = {"equal": ("", ""), "delete": ("<del>", "</del>"), "insert": ("<ins>", "</ins>")}
    return "".join(f"{tags[s.op][0]}{html.escape(s.text)}{tags[s.op][1]}" for s in spans)
