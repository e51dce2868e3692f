"""Agreement signal, word diff, blind order, votes and the leaderboard."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from playground.agreement import agreement, diff_html, final_number, similarity, word_diff
from playground.votes import (
    BlindOrder,
    Verdict,
    Vote,
    blind_order,
    leaderboard,
    length_note,
    pair_vote,
    ranking_vote,
)


# -- final numbers --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("So the total is $1,234.50.", "1234.5"),
        ("Total: 1234.500", "1234.5"),
        ("The answer is **42**", "42"),
        ("x = -5", "-5"),
        ("x = −5", "-5"),  # Unicode minus
        ("3 apples, then 7 pears. Answer: 12", "12"),
        ("gpt-oss-20b thinks it is 7", "7"),
        ("Answer: \\boxed{12}. Check with 3 more steps.", "12"),
        ("That costs €3.", "3"),
        ("1200", "1200"),
        ("no digits here", None),
        ("", None),
        ("It took 20b tokens", None),  # glued to a word: not a number
    ],
)
def test_final_number(text, expected):
    got = final_number(text)
    assert (None if got is None else format(got, "f")) == expected


def test_numbers_agree_after_normalising():
    a = agreement({"low": "So the total is $1,200.", "medium": "Total: 1200.00", "high": "1200"})
    assert (a.method, a.verdict, a.score, a.agree) == ("numbers", "agree", 1.0, True)
    assert a.numbers == {"low": "1200", "medium": "1200", "high": "1200"}


def test_numbers_that_differ_say_which():
    two = agreement({"low": "It is 1200.", "high": "It is 1300."})
    assert (two.verdict, two.score, two.agree) == ("differ", 0.5, False)
    assert "low: 1200" in two.detail and "high: 1300" in two.detail
    three = agreement({"a": "= 4", "b": "4.0", "c": "5"})
    assert three.verdict == "partly" and three.score == pytest.approx(2 / 3)


def test_text_similarity_when_not_every_answer_ends_in_a_number():
    same = agreement({"a": "Paris is the capital of France.", "b": "paris is the capital of france"})
    assert (same.method, same.verdict) == ("text", "agree")
    differ = agreement({"a": "Paris is the capital of France.", "b": "Bananas are yellow fruit, rich in potassium."})
    assert differ.verdict == "differ" and differ.score < 0.5
    assert similarity("", "") == 1.0 and similarity("a b", "") == 0.0


def test_fewer_than_two_answers_gives_no_verdict():
    a = agreement({"a": "42", "b": "   ", "c": ""})
    assert (a.method, a.verdict, a.agree, a.score) == ("none", "not enough answers", None, None)


# -- word diff ------------------------------------------------------------------------------------
def test_word_diff_spans_rebuild_both_answers():
    a = "The quick brown fox\njumps over the lazy dog."
    b = "The quick red fox\njumps over the dog. Done."
    spans = word_diff(a, b)
    assert "".join(s.text for s in spans if s.op != "insert").split() == a.split()
    assert "\n" in "".join(s.text for s in spans if s.op == "equal")  # a's line break kept
    assert "".join(s.text for s in spans if s.op != "delete").split() == b.split()
    ops = [(s.op, s.text.strip()) for s in spans]
    assert ("delete", "brown") in ops and ("insert", "red") in ops
    assert ops.index(("delete", "brown")) + 1 == ops.index(("insert", "red"))  # a replacement: delete, insert
    assert ("delete", "lazy") in ops and ("insert", "Done.") in ops


def test_word_diff_ignores_rewrapping_and_keeps_leading_space():
    spans = word_diff("  one two three", "  one\ntwo three")
    assert {s.op for s in spans} == {"equal"}
    assert "".join(s.text for s in spans) == "  one two three"
    a, b = "keep this line\nand change that word here", "keep this line\nand alter that word here"
    assert "".join(s.text for s in word_diff(a, b) if s.op != "insert") == a  # exact when both go on
    assert word_diff("", "") == []
    assert [s.op for s in word_diff("", "new words")] == ["insert"]


def test_diff_html_escapes_every_span():
    spans = word_diff("safe <b>text</b>", 'safe <script>alert("x")</script> & more')
    out = diff_html(spans)
    assert "<script>" not in out and "<b>" not in out
    assert "&lt;script&gt;" in out and "&amp;" in out and "&quot;x&quot;" in out
    assert out.count("<ins>") == out.count("</ins>") >= 1 and out.count("<del>") >= 1


# -- blind order ----------------------------------------------------------------------------------
def test_blind_order_hides_names_behind_neutral_labels_and_reveals_them():
    configs = ["20b · low", "20b · high", "120b · low"]
    order = blind_order(configs, random.Random(7))
    assert order.labels == ("A", "B", "C")
    assert sorted(order.items) == sorted(configs)
    assert {order.reveal(label) for label in order.labels} == set(configs)
    assert all(order.label_of(order.reveal(label)) == label for label in order.labels)
    assert order.mapping() == dict(zip("ABC", order.items, strict=True))
    orders = {blind_order(configs, random.Random(seed)).items for seed in range(30)}
    assert len(orders) > 1  # it really shuffles
    with pytest.raises(ValueError):
        blind_order(["only one"])


# -- votes and leaderboard ------------------------------------------------------------------------
def test_pair_votes_score_wins_ties_and_both_bad():
    order = BlindOrder(("X", "Y"))  # A = X, B = Y
    answers = {"X": "short answer", "Y": "a much longer answer with many more words"}
    votes = [
        pair_vote(order, Verdict.A_BETTER, answers),
        pair_vote(order, Verdict.A_BETTER, answers),
        pair_vote(order, Verdict.TIE, answers),
        pair_vote(order, Verdict.BOTH_BAD, answers),
    ]
    board = leaderboard(votes).set_index("configuration")
    x, y = board.loc["X"], board.loc["Y"]
    assert (x["votes"], x["wins"], x["ties"], x["losses"], x["both_bad"]) == (4, 2, 1, 0, 1)
    assert (y["wins"], y["losses"]) == (0, 2)
    assert x["win_rate"] == pytest.approx((2 + 0.5) / 4)
    assert y["win_rate"] == pytest.approx(0.5 / 4)
    assert x["elo"] > 1000 > y["elo"]
    assert x["avg_answer_words"] == 2 and y["avg_answer_words"] == 8
    assert list(leaderboard(votes)["configuration"]) == ["X", "Y"]  # best first
    assert "elo" not in leaderboard(votes, elo=False).columns


def test_b_better_maps_through_the_shuffle():
    order = BlindOrder(("Y", "X"))  # the viewer saw Y as A
    vote = pair_vote(order, Verdict.B_BETTER)
    assert vote.ranking == (("X",), ("Y",))
    assert vote.games() == [("Y", "X", 0.0)]
    with pytest.raises(ValueError):
        pair_vote(BlindOrder(("a", "b", "c")), Verdict.TIE)


def test_ranking_vote_of_three_is_three_games():
    order = BlindOrder(("low", "medium", "high"))
    vote = ranking_vote(order, ["C", ["A", "B"]])  # high best, low and medium tie
    assert vote.ranking == (("high",), ("low", "medium"))
    assert sorted(vote.games()) == sorted([("low", "medium", 0.5), ("low", "high", 0.0), ("medium", "high", 0.0)])
    board = leaderboard([vote]).set_index("configuration")
    assert board.loc["high", "wins"] == 2 and board.loc["high", "win_rate"] == 1.0
    assert board.loc["low", "ties"] == 1 and board.loc["low", "win_rate"] == pytest.approx(0.25)
    with pytest.raises(ValueError):
        ranking_vote(order, ["A", "B"])  # C missing
    with pytest.raises(ValueError):
        ranking_vote(order, ["A", "A", "B", "C"])


def test_length_note_only_when_winners_are_longer():
    order = BlindOrder(("long", "short"))
    answers = {"long": "word " * 300, "short": "word " * 20}
    long_wins = [pair_vote(order, Verdict.A_BETTER, answers) for _ in range(3)]
    assert length_note(leaderboard(long_wins)) is not None
    short_wins = [pair_vote(order, Verdict.B_BETTER, answers) for _ in range(3)]
    assert length_note(leaderboard(short_wins)) is None
    assert length_note(leaderboard([])) is None


def test_vote_to_dict_is_plain_data():
    vote = pair_vote(BlindOrder(("X", "Y")), Verdict.TIE, {"X": "a b", "Y": "c"}, comparison_id="cmp1", prompt="Q")
    d = vote.to_dict()
    assert d["verdict"] == "tie" and d["ranking"] == [["X", "Y"]] and d["answer_words"] == {"X": 2, "Y": 1}
    assert isinstance(Vote(("a", "b"), (("a",), ("b",))).cast_at, float)
    assert final_number("1,000,000") == Decimal("1000000")
