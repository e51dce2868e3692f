"""Prices per 1M tokens, in one editable table with its date."""

from __future__ import annotations

from dataclasses import dataclass

PRICES_AS_OF = "2025-08 on-demand, from several price registries (AWS page not read)"


@dataclass(frozen=True, slots=True)
class Price:
    input_per_m: float
    output_per_m: float


# Keyed by a fragment of the model id; the first fragment found in an id wins.
DEFAULT_PRICES: dict[str, Price] = {
    "gpt-oss-120b": Price(0.15, 0.60),
    "gpt-oss-20b": Price(0.07, 0.30),
}
FREE = Price(0.0, 0.0)


def price_for(model_id: str, table: dict[str, Price] | None = None, local: bool = False) -> Price | None:
    """The price of a model, FREE for the embedded local model, None when unknown."""
    if local:
        return FREE
    lowered = model_id.lower().replace("_", "-").replace(":", "-")
    for fragment, price in (table or DEFAULT_PRICES).items():
        if fragment.lower() in lowered:
            return price
    return None


def cost_usd(price: Price | None, input_tokens: int | None, output_tokens: int | None) -> float | None:
    if price is None or input_tokens is None or output_tokens is None:
        return None
    return (input_tokens * price.input_per_m + output_tokens * price.output_per_m) / 1_000_000
