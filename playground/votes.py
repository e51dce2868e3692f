"""Blind A/B for stakeholder demos: neutral labels, votes, and a leaderboard.

The page shuffles the configurations with `blind_order`, shows them as A, B, ... (names and
reasoning hidden), records a `Vote`, then reveals. A vote is stored as a ranking of groups
(best first; a group ties), so a two-pane verdict and a ranking of six panes are scored the same
way: every pair of configurations in a vote is one game.

Longer answers tend to win human votes (the "style" effect the Chatbot Arena corrects for), so
the leaderboard shows the average answer length beside the win rate; `length_note` says so when
the winners are also the longest.
"""

from __future__ import annotations

import enum
import itertools
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import pandas as pd

T = TypeVar("T")
NEUTRAL_LABELS = tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
ELO_K = 32.0
ELO_START = 1000.0


@dataclass(frozen=True)
class BlindOrder(Generic[T]):
    """Items in the order shown; the viewer sees only `labels`."""

    items: tuple[T, ...]

    @property
    def labels(self) -> tuple[str, ...]:
        return NEUTRAL_LABELS[: len(self.items)]

    def reveal(self, label: str) -> T:
        return self.items[self.labels.index(label)]

    def label_of(self, item: T) -> str:
        return self.labels[self.items.index(item)]

    def mapping(self) -> dict[str, T]:
        return dict(zip(self.labels, self.items, strict=True))


def blind_order(items: Sequence[T], rng: random.Random | None = None) -> BlindOrder[T]:
    """A shuffled order. Pass a seeded `rng` in tests; the default is unpredictable to viewers."""
    if not 2 <= len(items) <= len(NEUTRAL_LABELS):
        raise ValueError(f"blind mode needs 2 to {len(NEUTRAL_LABELS)} answers")
    shuffled = list(items)
    (rng or random.SystemRandom()).shuffle(shuffled)
    return BlindOrder(tuple(shuffled))


class Verdict(enum.StrEnum):
    A_BETTER = "a_better"
    B_BETTER = "b_better"
    TIE = "tie"
    BOTH_BAD = "both_bad"


@dataclass(frozen=True)
class Vote:
    """One viewer's judgement, already revealed: configurations, not neutral labels."""

    shown: tuple[str, ...]  # configurations in the order shown (A, B, ...)
    ranking: tuple[tuple[str, ...], ...]  # best group first; configurations in one group tie
    verdict: Verdict | None = None  # the two-pane choice as made, for display and export
    answer_words: Mapping[str, int] = field(default_factory=dict)
    comparison_id: str = ""
    prompt: str = ""
    cast_at: float = field(default_factory=time.time)

    @property
    def both_bad(self) -> bool:
        return self.verdict is Verdict.BOTH_BAD

    def games(self) -> list[tuple[str, str, float]]:
        """Every pair (x, y, score of x): 1 win, 0.5 tie, 0 loss; both bad scores as a tie."""
        place = {c: i for i, group in enumerate(self.ranking) for c in group}
        out = []
        for x, y in itertools.combinations(self.shown, 2):
            px, py = place[x], place[y]
            out.append((x, y, 0.5 if px == py else 1.0 if px < py else 0.0))
        return out

    def to_dict(self) -> dict:
        return {
            "shown": list(self.shown),
            "ranking": [list(g) for g in self.ranking],
            "verdict": None if self.verdict is None else self.verdict.value,
            "answer_words": dict(self.answer_words),
            "comparison_id": self.comparison_id,
            "prompt": self.prompt,
            "cast_at": self.cast_at,
        }


def word_count(text: str) -> int:
    return len((text or "").split())


def pair_vote(
    order: BlindOrder[str],
    verdict: Verdict,
    answers: Mapping[str, str] | None = None,
    comparison_id: str = "",
    prompt: str = "",
) -> Vote:
    """A / B / tie / both bad on a two-answer blind order; `answers` keyed by configuration."""
    if len(order.items) != 2:
        raise ValueError("a pair vote needs exactly two answers; use ranking_vote for more")
    a, b = order.items
    ranking = {
        Verdict.A_BETTER: ((a,), (b,)),
        Verdict.B_BETTER: ((b,), (a,)),
        Verdict.TIE: ((a, b),),
        Verdict.BOTH_BAD: ((a, b),),
    }[Verdict(verdict)]
    return Vote(order.items, ranking, Verdict(verdict), _words(order.items, answers), comparison_id, prompt)


def ranking_vote(
    order: BlindOrder[str],
    neutral_ranking: Sequence[str | Sequence[str]],
    answers: Mapping[str, str] | None = None,
    comparison_id: str = "",
    prompt: str = "",
) -> Vote:
    """A ranking of neutral labels, best first (`["B", "A", "C"]`; `[["A", "C"], "B"]` ties A
    and C). Every shown label must appear exactly once."""
    groups = [(g,) if isinstance(g, str) else tuple(g) for g in neutral_ranking]
    flat = [label for g in groups for label in g]
    if sorted(flat) != sorted(order.labels):
        raise ValueError(f"rank every answer exactly once: {', '.join(order.labels)}")
    ranking = tuple(tuple(order.reveal(label) for label in g) for g in groups)
    return Vote(order.items, ranking, None, _words(order.items, answers), comparison_id, prompt)


def _words(items: Sequence[str], answers: Mapping[str, str] | None) -> dict[str, int]:
    return {c: word_count(answers[c]) for c in items if answers and c in answers}


LEADERBOARD_COLUMNS = (
    "configuration",
    "votes",
    "wins",
    "ties",
    "losses",
    "both_bad",
    "win_rate",
    "avg_answer_words",
    "elo",
)


def leaderboard(votes: Sequence[Vote], elo: bool = True) -> pd.DataFrame:
    """Per configuration: votes it appeared in, pairwise wins / ties / losses / both-bad, win
    rate = (wins + ½ ties) / games (a "both bad" game counts, and scores nothing for either),
    average answer length in words, and an online Elo (order-dependent; a hint with few votes)."""
    stats: dict[str, dict] = {}

    def entry(c: str) -> dict:
        return stats.setdefault(
            c, {"votes": 0, "wins": 0, "ties": 0, "losses": 0, "both_bad": 0, "words": [], "elo": ELO_START}
        )

    for vote in votes:
        for c in vote.shown:
            e = entry(c)
            e["votes"] += 1
            if c in vote.answer_words:
                e["words"].append(vote.answer_words[c])
        for x, y, score in vote.games():
            ex, ey = entry(x), entry(y)
            if vote.both_bad:
                ex["both_bad"] += 1
                ey["both_bad"] += 1
            elif score == 0.5:
                ex["ties"] += 1
                ey["ties"] += 1
            else:
                (ex if score == 1.0 else ey)["wins"] += 1
                (ey if score == 1.0 else ex)["losses"] += 1
            # Elo treats "both bad" as a tie, as the Chatbot Arena does.
            expected = 1.0 / (1.0 + 10 ** ((ey["elo"] - ex["elo"]) / 400))
            ex["elo"] += ELO_K * (score - expected)
            ey["elo"] -= ELO_K * (score - expected)
    rows = []
    for c, e in stats.items():
        games = e["wins"] + e["ties"] + e["losses"] + e["both_bad"]
        rows.append(
            {
                "configuration": c,
                "votes": e["votes"],
                "wins": e["wins"],
                "ties": e["ties"],
                "losses": e["losses"],
                "both_bad": e["both_bad"],
                "win_rate": (e["wins"] + 0.5 * e["ties"]) / games if games else float("nan"),
                "avg_answer_words": sum(e["words"]) / len(e["words"]) if e["words"] else float("nan"),
                "elo": round(e["elo"], 1) if elo else float("nan"),
            }
        )
    board = pd.DataFrame(rows, columns=list(LEADERBOARD_COLUMNS))
    if not elo:
        board = board.drop(columns="elo")
    sort_by = ["win_rate", "elo"] if elo else ["win_rate"]
    return board.sort_values(sort_by, ascending=False, na_position="last", kind="stable").reset_index(drop=True)


def length_note(board: pd.DataFrame) -> str | None:
    """A sentence when win rate rises with answer length (rank correlation above 0.5)."""
    data = board[["win_rate", "avg_answer_words"]].dropna()
    if len(data) < 2 or data["win_rate"].nunique() < 2 or data["avg_answer_words"].nunique() < 2:
        return None
    rho = data["win_rate"].rank().corr(data["avg_answer_words"].rank())
    if rho is None or pd.isna(rho) or rho <= 0.5:
        return None
    return (
        "The configurations that win more also write longer answers; people tend to prefer longer "
        "answers, so length may be swaying these votes."
    )
