"""Edits of a scenario file that keep it as its author wrote it: comments, key order, blank lines,
quoting and indentation, byte for byte.

A round trip through a YAML library is not enough for that: PyYAML drops comments, and even
ruamel.yaml's round trip re-indents, re-wraps and re-spaces what it writes back. So nothing that
exists is written back at all: ruamel.yaml's composer gives the exact position of every node in
the file as it is, only the new text (a scenario, a value) is emitted, and it is spliced in there.

* :func:`append_scenario` adds a scenario at the end of the file's ``scenarios:`` list (for
  "save this thread as a test" and ``chat-tui test record --append``);
* :func:`replace_expectation` sets one expectation of one turn (for "accept the actual value").

Every edit is checked before anything is written: the new text must load with the same loader
``chat-tui test`` uses (:func:`~chat_tui.testing.loader.load_text`) and give back exactly the
data that was meant; otherwise :class:`ScenarioFileError` says why in one line and the file is
untouched. Writes are atomic (:func:`~chat_tui.service.outfile.write_atomic`).
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path
from typing import Any

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from chat_tui.errors import ChatTuiError
from chat_tui.sanitize import clean_line
from chat_tui.service.outfile import write_atomic
from chat_tui.testing.loader import InvalidSuite, load_text
from chat_tui.testing.model import Expect

__all__ = ["EXPECT_KINDS", "ScenarioFileError", "append_scenario", "dump_yaml", "replace_expectation"]

EXPECT_KINDS = tuple(Expect.model_fields)  # what replace_expectation may set: status, tool_calls, ...
NEW_FILE = "version: 1\n"
STRUCTURAL = {"id", "turns", "user", "input", "decide", "resume", "resume_each", "expect"}
_STR = "tag:yaml.org,2002:str"
_PYYAML_RESOLVER = pyyaml.resolver.Resolver()
_PYYAML_EMITTER = pyyaml.emitter.Emitter(io.StringIO(), allow_unicode=True)  # (its analysis of a scalar)


class ScenarioFileError(ChatTuiError):
    """The edit cannot be made (nothing was written); the message is one line."""


def _needs_quotes(value: str) -> bool:
    """True when PyYAML (YAML 1.1, what the loader reads) would not read *value*, written plain, as
    this string: ``no``, ``on``, ``1_000`` (other types in 1.1), ``Which day?`` in a flow mapping
    (1.1 ends a plain scalar there). ruamel.yaml writes YAML 1.2 and would leave them plain."""
    tag = _PYYAML_RESOLVER.resolve(pyyaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    return bool(tag != _STR) or not _PYYAML_EMITTER.analyze_scalar(value).allow_flow_plain


def _emitter() -> YAML:
    emitter = YAML(typ="rt")
    emitter.indent(mapping=2, sequence=4, offset=2)  # `turns:` then `  - user:` (the README's style)
    emitter.default_flow_style = None  # collections of scalars on one line: `args: {city: sf}`
    emitter.width = 100
    emitter.allow_unicode = True

    def represent_str(representer: Any, data: str) -> Any:
        style = "|" if "\n" in data else "'" if _needs_quotes(data) else None
        return representer.represent_scalar(_STR, data, style=style)

    emitter.representer.add_representer(str, represent_str)
    return emitter


def _styled(value: Any, *, block: bool = False) -> Any:
    """Plain data as ruamel's containers: scenarios, turns and ``expect`` in block style, whatever
    they hold (``- user: hi``, not ``- {user: hi}``); other collections of scalars on one line."""
    if isinstance(value, dict):
        styled = CommentedMap((k, _styled(v, block=k == "expect")) for k, v in value.items())
        if block or STRUCTURAL & set(value):
            styled.fa.set_block_style()
        return styled
    if isinstance(value, list | tuple):
        seq = CommentedSeq(_styled(v) for v in value)
        if block:
            seq.fa.set_block_style()
        return seq
    return value


def dump_yaml(value: Any) -> str:
    """*value* as block YAML, in the style the edits write (the save dialog's preview uses it too)."""
    buffer = io.StringIO()
    _emitter().dump(_styled(value, block=True), buffer)
    return buffer.getvalue()


def _indented(text: str, column: int) -> str:
    pad = " " * column
    return "".join(pad + line if line.strip() else line for line in text.splitlines(keepends=True))


# -- reading the file as it is ---------------------------------------------------------------------


def _read(path: Path) -> str | None:
    """The file's text (None when it does not exist)."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:  # (as written: CRLF stays CRLF)
            return handle.read()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioFileError(f"cannot read {_shown(path)}: {clean_line(str(exc), 200)}") from None


def _shown(path: Path) -> str:
    return clean_line(str(path), 200)


def _compose(text: str, path: Path) -> Node | None:
    try:
        return YAML(typ="rt").compose(text)  # type: ignore[no-any-return]
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ScenarioFileError(f"{_shown(path)}{line} is not valid YAML; nothing was written") from None


def _get(node: Node, key: str) -> tuple[ScalarNode, Node] | None:
    if isinstance(node, MappingNode):
        for k, v in node.value:
            if isinstance(k, ScalarNode) and k.value == key:
                return k, v
    return None


def _end(node: Node) -> int:
    """Where *node*'s own text ends. (A block collection's end mark is the next token's start,
    past trailing comments and blank lines: its last leaf's end is what it wrote.)"""
    if isinstance(node, MappingNode) and not node.flow_style and node.value:
        return _end(node.value[-1][1])
    if isinstance(node, SequenceNode) and not node.flow_style and node.value:
        return _end(node.value[-1])
    return int(node.end_mark.index)


def _content_end(text: str, index: int) -> int:
    """*index* moved back over whitespace (a block scalar's end mark is past its trailing blank lines)."""
    while index > 0 and text[index - 1] in " \t\r\n":
        index -= 1
    return index


def _next_line(text: str, index: int) -> int:
    """The start of the line after the one where the text before *index* ends."""
    newline = text.find("\n", _content_end(text, index))
    return len(text) if newline < 0 else newline + 1


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _checked(text: str, path: Path, expected: Any) -> None:
    """*text* loads as a scenario file and reads as *expected*, the old data with the one change
    meant (so nothing else changed, whatever the file's shape); else ScenarioFileError."""
    try:
        load_text(text, path)
    except InvalidSuite as exc:
        raise ScenarioFileError(f"{exc.problems[0]} (after the edit; nothing was written)") from None
    if pyyaml.safe_load(text) != _plain(expected):
        raise ScenarioFileError(f"{_shown(path)}: the edit would change more than it should; nothing was written")


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text)
    except OSError as exc:
        raise ScenarioFileError(f"cannot write {_shown(path)}: {exc.strerror or 'error'}") from None


def _plain(value: Any) -> Any:
    """JSON-like data as the loader reads it back (tuples as lists), for the comparison after an edit."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


# -- the edits -------------------------------------------------------------------------------------


def _splice(text: str, start: int, end: int, body: str) -> str:
    """*text* with [start, end) replaced by *body*, in the file's line endings."""
    newline = _newline(text)
    return text[:start] + (body.replace("\n", newline) if newline != "\n" else body) + text[end:]


def _line_of(text: str, start: int, lines: int, key: str, column: int) -> int:
    """The 1-based line, of the *lines* lines from the one *start* is on, where *key* is written at
    *column* (else the first of them: a key inside a flow mapping)."""
    first = text.count("\n", 0, start)
    for number, line in enumerate(text.splitlines()[first : first + lines], start=first + 1):
        if line[:column].strip() == "" and line[column:].startswith(f"{key}:"):
            return number
    return first + 1


def append_scenario(path: Path, scenario: dict[str, Any], *, header: str | None = None) -> int:
    """Add *scenario* (a plain mapping with an ``id``, as :mod:`.record` makes) at the end of the
    ``scenarios:`` list of the file *path*; returns the 1-based line of its ``- id:``.

    A missing file (and its folder) is created, with ``version: 1`` after *header* (comment lines,
    each starting with ``#``). Whatever the file holds is kept byte for byte: the scenario's text
    is inserted after the list's last item, indented as its items are (a blank line between
    items when the file has them). An id the file already uses, a list written in flow style
    (``scenarios: [...]``), or a result the loader would refuse raise :class:`ScenarioFileError`
    and leave the file as it was.
    """
    scenario_id = str(scenario.get("id") or "")
    old = _read(path)
    text = old if old is not None else (header or "") + NEW_FILE
    root = _compose(text, path)
    if root is not None and not isinstance(root, MappingNode):
        raise ScenarioFileError(f"{_shown(path)} is not a scenario file (not a mapping); nothing was written")
    found = _get(root, "scenarios") if root is not None else None
    body = textwrap.dedent(dump_yaml([scenario]))  # (a list at the top is indented by the dash offset)
    lead = "" if not text or text.endswith("\n") else "\n"
    if found is None:  # no list yet: it goes at the end
        at, column = len(text), 2
        lead += "scenarios:\n"
    elif isinstance(found[1], ScalarNode) and found[1].value in ("", "~", "null"):  # `scenarios:` with nothing
        at, column = _next_line(text, _end(found[0])), 2
        lead = "" if text[:at].endswith("\n") else "\n"
    else:
        items = found[1]
        if not isinstance(items, SequenceNode) or items.flow_style or not items.value:
            where = f"{_shown(path)}:{found[0].start_mark.line + 1}"
            raise ScenarioFileError(f"{where}: scenarios is not a block list (- id: ...); nothing was written")
        if any((pair := _get(item, "id")) is not None and pair[1].value == scenario_id for item in items.value):
            raise ScenarioFileError(f"{_shown(path)} already has a scenario {scenario_id!r}; nothing was written")
        at, column = _next_line(text, _end(items)), int(items.start_mark.column)
        between = text[: items.value[1].start_mark.index] if len(items.value) > 1 else "\n\n"
        spaced = between.rstrip(" -").replace("\r", "").endswith("\n\n")  # the file's items are apart
        lead = ("" if text[:at].endswith("\n") else "\n") + ("\n" if spaced else "")
    new = _splice(text, at, at, lead + _indented(body, column))
    line = text.count("\n", 0, at) + lead.count("\n") + 1

    data = pyyaml.safe_load(text) or {}
    data["scenarios"] = [*(data.get("scenarios") or []), scenario]
    _checked(new, path, data)
    if _line_of(new, at, lead.count("\n") + 1, "- id", column) != line:  # (a check of this function, not of the file)
        raise ScenarioFileError(f"{_shown(path)}: the scenario did not land where it was put; nothing was written")
    _write(path, new)
    return line


def replace_expectation(path: Path, scenario_id: str, turn_index: int, kind: str, value: Any) -> int:
    """Set ``expect.<kind>`` of turn *turn_index* (0-based) of scenario *scenario_id* in *path* to
    *value* (plain data: what the file would hold, e.g. ``"interrupted"`` for ``status``, a list
    of ``{name, args}`` for ``tool_calls``); returns the 1-based line of ``<kind>:``.

    *kind* is one of :data:`EXPECT_KINDS`. Only that value's text changes: an existing value is
    replaced where it stands (comments inside it go with it; one after it on its line stays), a
    missing one is added as the last key of ``expect:`` (a turn without ``expect:`` gets one). An
    ``expect:`` written in flow style (``expect: {...}``) is written again whole, in block style.
    Raises :class:`ScenarioFileError` (the file untouched) for a missing file, scenario or turn,
    or a result the loader would refuse; :class:`ValueError` for an unknown *kind*.
    """
    if kind not in EXPECT_KINDS:
        raise ValueError(f"unknown expectation {kind!r} (one of {', '.join(EXPECT_KINDS)})")
    text = _read(path)
    if text is None:
        raise ScenarioFileError(f"{_shown(path)} does not exist")
    root = _compose(text, path)
    scenarios = _get(root, "scenarios") if root is not None else None
    items = scenarios[1].value if scenarios is not None and isinstance(scenarios[1], SequenceNode) else []
    scenario = next((s for s in items if (pair := _get(s, "id")) is not None and pair[1].value == scenario_id), None)
    if scenario is None:
        raise ScenarioFileError(f"{_shown(path)} has no scenario {scenario_id!r}")
    turns = _get(scenario, "turns")
    turn_nodes = turns[1].value if turns is not None and isinstance(turns[1], SequenceNode) else []
    if not 0 <= turn_index < len(turn_nodes) or not isinstance(turn_nodes[turn_index], MappingNode):
        raise ScenarioFileError(f"scenario {scenario_id!r} in {_shown(path)} has no turn {turn_index + 1}")
    turn = turn_nodes[turn_index]
    expect = _get(turn, "expect")
    current = _get(expect[1], kind) if expect is not None else None
    if expect is not None and isinstance(expect[1], MappingNode) and not expect[1].flow_style and expect[1].value:
        column = int(expect[1].value[0][0].start_mark.column)
        if current is not None:  # from its key to the end of its value (the key's indentation stays)
            start, end = current[0].start_mark.index, _content_end(text, _end(current[1]))
            body = _indented(dump_yaml({kind: value}).rstrip("\n"), column)[column:]
        else:  # a new last key of expect
            start = end = _next_line(text, _end(expect[1]))
            body = _indented(dump_yaml({kind: value}), column)
    elif expect is not None:  # `expect: {...}` (or empty): written again whole
        start, end = expect[0].start_mark.index, _content_end(text, _end(expect[1]))
        column = int(expect[0].start_mark.column)
        data = pyyaml.safe_load(text[expect[1].start_mark.index : end]) if end > expect[1].start_mark.index else None
        whole = {**(data if isinstance(data, dict) else {}), kind: value}
        body = _indented(dump_yaml({"expect": whole}).rstrip("\n"), column)[column:]
        column += 2
    else:  # a turn without expect: one, as its last key
        start = end = _next_line(text, _end(turn))
        column = int(turn.value[0][0].start_mark.column)
        body = _indented(dump_yaml({"expect": {kind: value}}), column)
        column += 2
    if start == end and not text[:start].endswith("\n"):
        body = "\n" + body
    new = _splice(text, start, end, body)

    data = pyyaml.safe_load(text)
    ids = [item.get("id") if isinstance(item, dict) else None for item in data["scenarios"]]
    turn_data = data["scenarios"][ids.index(scenario_id)]["turns"][turn_index]
    turn_data["expect"] = {**(turn_data.get("expect") or {}), kind: value}
    _checked(new, path, data)
    _write(path, new)
    return _line_of(new, start, body.count("\n") + 1, kind, column)
