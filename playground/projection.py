"""What a configuration would cost at volume: per 1,000 requests and per month.

Cost is linear in tokens, so the projection is each configuration's measured mean input and
output tokens times its price. Only finished runs count (complete, or cut at the token budget,
which is billed in full); failed and stopped runs would make a configuration look cheap.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from playground.pricing import Price

DAYS_PER_MONTH = 30
FINISHED = ("complete", "incomplete")
COLUMNS = (
    "configuration",
    "model",
    "runs_measured",
    "mean_input_tokens",
    "mean_output_tokens",
    "tokens_estimated",
    "input_per_m_usd",
    "output_per_m_usd",
    "cost_per_request_usd",
    "cost_per_1000_usd",
    "requests_per_month",
    "cost_per_month_usd",
)


def monthly_requests(requests_per_day: float) -> float:
    return requests_per_day * DAYS_PER_MONTH


def project_costs(
    df: pd.DataFrame, requests_per_month: float, prices: Mapping[str, Price | None] | None = None
) -> pd.DataFrame:
    """One row per configuration from the `results_frame`: mean tokens, price, cost per request,
    per 1,000 requests and per month. `prices` overrides a configuration's price (a user may
    type a negotiated or SageMaker-equivalent rate); otherwise the price the run was costed at."""
    if requests_per_month < 0:
        raise ValueError("requests per month cannot be negative")
    rows = []
    for label, group in df.groupby("configuration", sort=False):
        done = group[group["status"].isin(FINISHED)]
        price = _price(str(label), group, prices)
        mean_in = _mean(done["input_tokens"])
        mean_out = _mean(done["output_tokens"])
        per_request = None
        if price is not None and mean_in is not None and mean_out is not None:
            per_request = (mean_in * price.input_per_m + mean_out * price.output_per_m) / 1_000_000
        estimated = bool(
            done[["input_estimated", "reasoning_estimated", "answer_estimated"]].fillna(False).to_numpy().any()
        )
        rows.append(
            {
                "configuration": label,
                "model": group["model"].iloc[0],
                "runs_measured": len(done),
                "mean_input_tokens": mean_in,
                "mean_output_tokens": mean_out,
                "tokens_estimated": estimated,
                "input_per_m_usd": None if price is None else price.input_per_m,
                "output_per_m_usd": None if price is None else price.output_per_m,
                "cost_per_request_usd": per_request,
                "cost_per_1000_usd": None if per_request is None else per_request * 1000,
                "requests_per_month": requests_per_month,
                "cost_per_month_usd": None if per_request is None else per_request * requests_per_month,
            }
        )
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    for col in out.columns:
        if col.endswith(("_usd", "_tokens")):
            out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    return out


def _mean(series: pd.Series) -> float | None:
    values = series.dropna()
    return None if values.empty else float(values.astype("float64").mean())


def _price(label: str, group: pd.DataFrame, prices: Mapping[str, Price | None] | None) -> Price | None:
    if prices is not None and label in prices:
        return prices[label]
    first = group.iloc[0]
    if pd.isna(first["price_input_per_m"]) or pd.isna(first["price_output_per_m"]):
        return None
    return Price(float(first["price_input_per_m"]), float(first["price_output_per_m"]))
