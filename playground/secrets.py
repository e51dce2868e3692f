"""Keys that never leak: a wrapper whose repr is masked, and redaction of text we show or log."""

from __future__ import annotations

import re

_PATTERNS = (
    re.compile(r"bedrock-api-key-[A-Za-z0-9+/=_\-.]+"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9+/=_\-.:]{8,}"),
    re.compile(r"\bsk-[A-Za-z0-9_\-]{16,}"),
    re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b"),
)


class Secret:
    """A key held server-side. `str()`/`repr()` never show it; `reveal()` is the only way in."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def masked(self) -> str:
        v = self._value
        return "••••" + v[-4:] if len(v) >= 12 else "••••"

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return f"Secret({self.masked()})"

    __str__ = __repr__


def redact(text: str, *secrets: Secret | str | None) -> str:
    """`text` with every given secret and anything shaped like a key replaced by a mask."""
    for s in secrets:
        value = s.reveal() if isinstance(s, Secret) else s
        if value and len(value) >= 4:
            text = text.replace(value, "[redacted]")
    for pattern in _PATTERNS:
        text = pattern.sub(
            lambda m: (m.group(1) if m.re.groups else "") + "[redacted]",
            text,
        )
    return text
