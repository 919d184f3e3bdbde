"""Control characters never survive; printable text is untouched."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chat_tui.sanitize import clean, clean_line, clean_obj, truncate

DANGEROUS = {
    *range(0x00, 0x09),
    *range(0x0B, 0x20),
    0x7F,
    *range(0x80, 0xA0),
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
}


def test_escape_sequences_are_defused_visibly() -> None:
    payload = "A\x1b]52;c;UFdORUQ=\x07B\x1b[2J\x9b2J\x9d0;T\x9c"
    out = clean(payload)
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert out.startswith("A␛]52;c;UFdORUQ=␇B␛[2J")


def test_tab_newline_and_unicode_are_kept_and_crlf_becomes_lf() -> None:
    assert clean("a\tb\nc 你好 🚀") == "a\tb\nc 你好 🚀"
    assert clean("line\r\nnext") == "line\nnext"


def test_sequence_split_across_chunks_cannot_reassemble() -> None:
    first, second = "text \x1b", "]0;PWNED\x07 more"
    assert "\x1b" not in clean(first) + clean(second)


def test_bidi_overrides_are_neutralised() -> None:
    assert "\u202e" not in clean("evil\u202etxt.exe")


def test_clean_line_flattens_and_truncates() -> None:
    assert clean_line("a\nb\tc", 10) == "a b c"
    assert clean_line("x" * 20, 10) == "x" * 9 + "…"
    assert truncate("short", 10) == "short"


def test_clean_obj_cleans_keys_and_nested_values_and_caps_depth() -> None:
    value = {"k\x1b": ["v\x9b", {"deep": "\x1b[31m"}], "n": 3}
    assert clean_obj(value) == {"k␛": ["v\ufffd", {"deep": "␛[31m"}], "n": 3}
    nested: object = "x"
    for _ in range(100):
        nested = [nested]
    clean_obj(nested)  # no RecursionError


@given(st.text())
def test_no_control_character_survives_and_cleaning_is_idempotent(text: str) -> None:
    out = clean(text)
    assert not any(ord(c) in DANGEROUS for c in out)
    assert clean(out) == out


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")).filter(lambda c: ord(c) not in DANGEROUS)))
def test_printable_text_is_unchanged(text: str) -> None:
    assert clean(text) == text


ASCII = st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=300)


@given(ASCII, ASCII)
def test_a_long_ascii_text_is_cleaned_as_a_short_one_is(head: str, tail: str) -> None:
    """Long ASCII texts are checked byte by byte (memchr), not by the regex: the same result."""
    text = head + "a" * 4097 + tail
    out = clean(text)
    assert out == "".join(clean(text[i : i + 1000]) for i in range(0, len(text), 1000))
    assert not any(ord(c) in DANGEROUS for c in out)


def test_one_control_byte_anywhere_in_a_long_ascii_text_is_found() -> None:
    for byte in DANGEROUS:
        if byte < 0x80:
            text = "x" * 5000 + chr(byte) + "y" * 100
            assert clean(text) == "x" * 5000 + clean(chr(byte)) + "y" * 100
