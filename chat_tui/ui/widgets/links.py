"""The links of a message, for the keyboard: shown when the message has the focus, opened with a key."""

from __future__ import annotations

import re

from textual.content import Content

from chat_tui.sanitize import clean_line

__all__ = ["LINKS_SHOWN", "links_content", "links_in"]

LINKS_SHOWN = 9  # one key each (1-9) when there are several
# URLs are printable ASCII here: a message's text is already cleaned, so a control character shows as
# its picture (U+2400...), which must end a URL rather than join it.
_MARKDOWN_LINK = re.compile(r"\[[^\]\n]*\]\(\s*<?(https?://[!-~]+?)>?(?:\s+\"[^\"]*\")?\s*\)")
_BARE = re.compile(r"(?<![(<\w])https?://[!-'*-;=?-\\^-~]+")


def links_in(text: str) -> list[str]:
    """The http(s) links of a Markdown text, in order, each once (at most LINKS_SHOWN)."""
    found = [(m.start(), m.group(1)) for m in _MARKDOWN_LINK.finditer(text)]
    blanked = _MARKDOWN_LINK.sub(lambda m: " " * len(m.group(0)), text)  # (positions kept)
    found += [(m.start(), m.group(0).rstrip(".,;:!?'\"")) for m in _BARE.finditer(blanked)]
    return list(dict.fromkeys(clean_line(url, 500) for _at, url in sorted(found)))[:LINKS_SHOWN]


def links_content(links: list[str]) -> Content:
    """One line per link, numbered when there are several, and the key that opens them."""
    parts: list[tuple[str, str] | str] = []
    for number, url in enumerate(links, start=1):
        if number > 1:
            parts.append("\n")
        parts += [("↗ ", "$accent"), (f"{number} " if len(links) > 1 else "", "bold"), (url, "underline")]
    parts.append(("   o opens" + (" one" if len(links) > 1 else " it") + " (after asking)", "$text-muted italic"))
    return Content.assemble(*parts)
