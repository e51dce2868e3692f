"""Known gpt-oss model ids per host, and what each model accepts."""

from __future__ import annotations

BEDROCK_IDS = ("openai.gpt-oss-120b-1:0", "openai.gpt-oss-20b-1:0")
MANTLE_IDS = ("openai.gpt-oss-120b", "openai.gpt-oss-20b")
SAGEMAKER_JUMPSTART_IDS = ("openai-reasoning-gpt-oss-20b", "openai-reasoning-gpt-oss-120b")
GENERIC_IDS = ("gpt-oss-120b", "gpt-oss-20b")


def is_gpt_oss(model_id: str) -> bool:
    return "gpt-oss" in model_id.lower().replace("_", "-")


def takes_reasoning_effort(model_id: str) -> bool:
    """gpt-oss (and OpenAI's o-series) accept `reasoning_effort`; most other models reject it."""
    lowered = model_id.lower()
    return is_gpt_oss(lowered) or lowered.startswith(("o1", "o3", "o4", "gpt-5"))


def effort_reason(model_id: str) -> str:
    """Why the effort picker is disabled for a model (shown as its help text)."""
    return (
        f"`{model_id}` is not a reasoning model that takes `reasoning_effort`, so the setting "
        "is not sent. gpt-oss models take low / medium / high."
    )


def fallback_ids(base_url: str | None) -> list[str]:
    """Model ids to offer when a host has no `GET /models` route."""
    url = (base_url or "").lower()
    if "bedrock-mantle" in url:
        return list(MANTLE_IDS)
    if "bedrock" in url or "amazonaws.com" in url:
        return list(BEDROCK_IDS)
    return list(GENERIC_IDS)
