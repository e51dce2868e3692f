"""Figures for one answer, computed once from event timestamps and reported usage."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from playground.pricing import Price, cost_usd

CHARS_PER_TOKEN = 4.0  # rough English average; only used where the host reports nothing


def estimate_tokens(text: str) -> int:
    return 0 if not text else max(1, round(len(text) / CHARS_PER_TOKEN))


@dataclass(frozen=True, slots=True)
class Metrics:
    time_to_first_token_s: float | None
    time_to_first_answer_token_s: float | None
    reasoning_time_s: float | None
    latency_s: float | None
    input_tokens: int | None
    reasoning_tokens: int
    answer_tokens: int
    input_estimated: bool
    split_estimated: bool  # reasoning/answer split is ours, not the host's
    output_estimated: bool  # the output total itself is ours
    tokens_per_s: float | None
    cost_usd: float | None

    @property
    def output_tokens(self) -> int:
        return self.reasoning_tokens + self.answer_tokens

    def as_dict(self) -> dict:
        d = asdict(self)
        d["output_tokens"] = self.output_tokens
        return d


def compute(
    *,
    started: float,
    first_token: float | None,
    first_answer: float | None,
    ended: float | None,
    prompt_text: str,
    reasoning: str,
    answer: str,
    reported_input: int | None,
    reported_output: int | None,
    reported_reasoning: int | None,
    price: Price | None,
    streamed: bool = True,
) -> Metrics:
    """`streamed=False`: the whole answer arrived in one body, so there is no generation window
    to time and no reasoning time to report; tokens/s is then output over total latency."""

    def since(t: float | None) -> float | None:
        return None if t is None else max(0.0, t - started)

    input_tokens = reported_input if reported_input is not None else estimate_tokens(prompt_text)
    if reported_reasoning == 0 and reasoning:
        reported_reasoning = None  # "0 reasoning tokens" beside reasoning text means "not counted"
    est_reasoning, est_answer = estimate_tokens(reasoning), estimate_tokens(answer)
    if reported_output is None:
        reasoning_tokens, answer_tokens = est_reasoning, est_answer
        output_estimated = split_estimated = True
    elif reported_reasoning is not None:
        reasoning_tokens = min(reported_reasoning, reported_output)
        answer_tokens = reported_output - reasoning_tokens
        output_estimated = split_estimated = False
    else:  # the host gave a total only (Bedrock): split it in proportion to the text
        share = est_reasoning / (est_reasoning + est_answer) if (est_reasoning + est_answer) else 0.0
        reasoning_tokens = round(reported_output * share)
        answer_tokens = reported_output - reasoning_tokens
        output_estimated, split_estimated = False, bool(reasoning)

    if streamed:
        generating = (ended - first_token) if (ended is not None and first_token is not None) else None
    else:
        generating = (ended - started) if ended is not None else None
    output = reasoning_tokens + answer_tokens
    tokens_per_s = output / generating if generating and generating > 0 and output else None
    reasoning_time = None
    if streamed and first_token is not None and (first_answer is not None or ended is not None) and reasoning:
        reasoning_time = max(0.0, (first_answer if first_answer is not None else ended) - first_token)
    return Metrics(
        time_to_first_token_s=since(first_token),
        time_to_first_answer_token_s=since(first_answer),
        reasoning_time_s=reasoning_time,
        latency_s=since(ended),
        input_tokens=input_tokens,
        reasoning_tokens=reasoning_tokens,
        answer_tokens=answer_tokens,
        input_estimated=reported_input is None,
        split_estimated=split_estimated,
        output_estimated=output_estimated,
        tokens_per_s=tokens_per_s,
        cost_usd=cost_usd(price, input_tokens, output),
    )
