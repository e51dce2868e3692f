"""What one run asks for: model, messages and parameters, independent of any wire format."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from playground.models import takes_reasoning_effort

EFFORTS = ("low", "medium", "high")

# Output-token budgets below which an effort level often spends everything on reasoning.
# Rough guidance from gpt-oss answers measured on reasoning-heavy prompts; used only to warn.
MIN_BUDGET_FOR_EFFORT = {"low": 512, "medium": 2048, "high": 8192}


@dataclass(frozen=True, slots=True)
class Params:
    temperature: float | None = 1.0
    top_p: float | None = 1.0
    max_tokens: int = 4096
    reasoning_effort: str | None = "medium"
    stream: bool = True

    def with_(self, **changes) -> Params:
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class RunRequest:
    """`messages` are plain Chat Completions dicts ({"role", "content"}), oldest first, without
    the system prompt, which travels in `system_prompt` because every API places it differently."""

    model: str
    messages: tuple[dict, ...]
    system_prompt: str = ""
    params: Params = field(default_factory=Params)

    def chat_messages(self) -> list[dict]:
        """Messages in Chat Completions form with the system prompt first."""
        head = [{"role": "system", "content": self.system_prompt}] if self.system_prompt else []
        return head + [{"role": m["role"], "content": m["content"]} for m in self.messages]


def chat_completions_body(request: RunRequest, *, stream: bool, include_model: bool = True) -> dict:
    """The Chat Completions JSON for a request: the openai SDK's arguments, and the body InvokeModel
    and SageMaker take (without `model`: their URL names it). `reasoning_effort` only goes to
    models that take it; a usage chunk is asked for when streaming."""
    p = request.params
    body: dict = {"model": request.model} if include_model else {}
    body |= {"messages": request.chat_messages(), "max_tokens": p.max_tokens}
    if p.temperature is not None:
        body["temperature"] = p.temperature
    if p.top_p is not None:
        body["top_p"] = p.top_p
    if p.reasoning_effort and takes_reasoning_effort(request.model):
        body["reasoning_effort"] = p.reasoning_effort
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    return body


def budget_warning(params: Params, takes_effort: bool) -> str | None:
    """A sentence warning that `max_tokens` is small for the chosen effort, or None."""
    if not takes_effort or not params.reasoning_effort:
        return None
    need = MIN_BUDGET_FOR_EFFORT.get(params.reasoning_effort, 0)
    if params.max_tokens < need:
        return (
            f"Max output tokens ({params.max_tokens:,}) is small for {params.reasoning_effort} "
            f"effort: reasoning may use the whole budget and leave no answer. "
            f"Consider at least {need:,}."
        )
    return None


CONTEXT_TOKENS = 128_000  # gpt-oss context window on every host we know


def context_warning(request: RunRequest, context_tokens: int = CONTEXT_TOKENS) -> str | None:
    """A sentence when the conversation plus the output budget likely exceeds the context window
    (estimated at 4 characters a token; the host's own 400 is still mapped if it is wrong)."""
    chars = len(request.system_prompt) + sum(len(str(m.get("content") or "")) for m in request.messages)
    estimate = chars // 4
    if estimate + request.params.max_tokens <= context_tokens:
        return None
    return (
        f"This conversation is about {estimate:,} tokens; with {request.params.max_tokens:,} output tokens it "
        f"likely exceeds the {context_tokens:,}-token context window. Clear the conversation or shorten the prompt."
    )
