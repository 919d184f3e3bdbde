"""Scenario files to :class:`~chat_tui.testing.model.Suite` objects, each problem as ``FILE:LINE: message``.

PyYAML's node tree keeps every value's line, so a validation error found by pydantic on the
plain data is reported at the line of the value it is about. Nothing runs when any file is
invalid: :class:`InvalidSuite` lists every problem found (up to a few per file).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from chat_tui.sanitize import clean_line
from chat_tui.testing.model import Scenario, Suite

__all__ = ["InvalidSuite", "LoadedFile", "Selected", "collect", "load_file", "load_paths", "load_text", "select"]

SUFFIXES = (".yaml", ".yml")
PROBLEMS_PER_FILE = 5
DEFAULT_TIMEOUT = 120.0


class InvalidSuite(Exception):
    """One or more scenario files break the format; ``problems`` are ``FILE:LINE: message`` lines."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(slots=True)
class LoadedFile:
    path: Path
    suite: Suite
    scenario_lines: list[int] = field(default_factory=list)  # 1-based, one per scenario
    turn_lines: list[list[int]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.suite.suite or self.path.stem


@dataclass(slots=True)
class Selected:
    """One scenario to run, with the settings it inherits resolved."""

    file: LoadedFile
    index: int
    scenario: Scenario
    assistant: str
    config: dict[str, Any] | None
    context: dict[str, Any] | None
    repeat: int
    pass_rate: float
    turn_timeout: float

    @property
    def id(self) -> str:
        return self.scenario.id

    @property
    def line(self) -> int:
        return self.file.scenario_lines[self.index]

    def turn_line(self, turn: int) -> int:
        return self.file.turn_lines[self.index][turn]

    @property
    def where(self) -> str:
        return f"{self.file.path}:{self.line}"


def collect(paths: Iterable[str | Path]) -> list[Path]:
    """Every scenario file named, a folder giving each ``*.yaml``/``*.yml`` in it (sorted, recursively)."""
    found: list[Path] = []
    problems: list[str] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            problems.append(f"{path}: no such file or folder")
    if problems:
        raise InvalidSuite(problems)
    return list(dict.fromkeys(found))


def _node_at(node: Any, loc: Sequence[int | str]) -> Any:
    """The deepest YAML node on pydantic's error path (union member names in the path are skipped)."""
    for part in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            match = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
            if match is None:
                match = next((k for k, _ in node.value if getattr(k, "value", None) == part), None)
                return match or node
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return node
            node = node.value[part]
    return node


def _field_names() -> frozenset[str]:
    """Every key the format knows (fields and their aliases), from the models themselves."""
    names: set[str] = set()
    pending: list[type[BaseModel]] = [Suite]
    done: set[type[BaseModel]] = set()
    while pending:
        model = pending.pop()
        if model in done:
            continue
        done.add(model)
        for name, info in model.model_fields.items():
            names.update(n for n in (name, info.alias) if n)
            nested = [t for t in _types(info.annotation) if isinstance(t, type) and issubclass(t, BaseModel)]
            pending.extend(nested)
    return frozenset(names)


def _types(annotation: Any) -> list[Any]:
    args = getattr(annotation, "__args__", ())
    return [annotation, *(t for arg in args for t in _types(arg))]


FIELD_NAMES = _field_names()


def _path_text(loc: Sequence[int | str], data: Any) -> str:
    """Pydantic's error path as the YAML path it is about: keys and indexes of the file (and the
    name of a missing field), without the union members pydantic tried (``str``, ``NameRegex``…)."""
    parts: list[str] = []
    current = data
    for part in loc:
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_list or (isinstance(current, dict) and part in current):
            current = current[part]
        elif isinstance(part, str) and part in FIELD_NAMES and isinstance(current, dict):
            current = None  # a field the file leaves out
        else:
            continue  # a union member's name, not a place in the file
        parts.append(str(part))
    return ".".join(parts)


def _lines(root: Any, key: str) -> list[int]:
    node = _node_at(root, [key])
    return [item.start_mark.line + 1 for item in getattr(node, "value", [])] if node is not root else []


def load_file(path: Path) -> LoadedFile:
    """Read and check one scenario file. Raises :class:`InvalidSuite`."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidSuite([f"{path}: cannot read it ({clean_line(str(exc), 200)})"]) from None
    return load_text(text, path)


def load_text(text: str, path: Path) -> LoadedFile:
    """Check *text* as the scenario file *path* (named in the problems). Raises :class:`InvalidSuite`.

    (An edit of a file is checked with this before it is written: :mod:`.yaml_edit`.)"""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.context_mark or exc.problem_mark  # where the broken construct starts
        line = mark.line + 1 if mark else 1
        what = f"{exc.context}: {exc.problem}" if exc.context else str(exc.problem)
        raise InvalidSuite([f"{path}:{line}: not valid YAML: {clean_line(what, 200)}"]) from None
    except yaml.YAMLError as exc:
        raise InvalidSuite([f"{path}:1: not valid YAML: {clean_line(str(exc), 200)}"]) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise InvalidSuite([f"{path}:1: a scenario file is a mapping with version: 1 and scenarios: [...]"])
    try:
        suite = Suite.model_validate(data)
    except ValidationError as exc:
        # One problem per line: of the errors pydantic gives for one value (one per union member it
        # tried), the one deepest in the file, a wrong value before an unknown key before a missing one.
        problems: dict[int, tuple[tuple[int, int], str]] = {}
        for error in exc.errors():
            node = _node_at(root, error["loc"])
            line = node.start_mark.line + 1 if node is not None else 1
            where = _path_text(error["loc"], data)
            message = clean_line(error["msg"].removeprefix("Value error, "), 200)
            rank = (where.count(".") + bool(where), {"missing": 0, "extra_forbidden": 1}.get(error["type"], 2))
            if line not in problems or rank > problems[line][0]:
                problems[line] = (rank, f"{path}:{line}: {where + ': ' if where else ''}{message}")
        raise InvalidSuite([text for _, text in problems.values()][:PROBLEMS_PER_FILE]) from None
    loaded = LoadedFile(path, suite, _lines(root, "scenarios"))
    scenarios = _node_at(root, ["scenarios"])
    loaded.turn_lines = [_lines(item, "turns") for item in scenarios.value]
    seen: dict[str, int] = {}
    found: list[str] = []  # every problem, not only the first (each duplicate id, each answering first turn)
    for index, (scenario, line) in enumerate(zip(suite.scenarios, loaded.scenario_lines, strict=True)):
        if scenario.id in seen:
            found.append(f"{path}:{line}: scenario id {scenario.id!r} is used twice (line {seen[scenario.id]})")
        seen.setdefault(scenario.id, line)
        if scenario.turns[0].answers:
            where = f"{path}:{loaded.turn_lines[index][0]}"
            found.append(f"{where}: the first turn of {scenario.id!r} answers an interrupt: a new thread has none")
    if found:
        raise InvalidSuite(found)
    return loaded


def load_paths(paths: Iterable[str | Path]) -> list[LoadedFile]:
    """Every file under *paths*, checked; raises :class:`InvalidSuite` with the problems of all of them."""
    problems: list[str] = []
    files: list[LoadedFile] = []
    for path in collect(paths):
        try:
            files.append(load_file(path))
        except InvalidSuite as exc:
            problems.extend(exc.problems)
    ids: dict[str, str] = {}
    for loaded in files:
        for scenario, line in zip(loaded.suite.scenarios, loaded.scenario_lines, strict=True):
            where = f"{loaded.path}:{line}"
            if scenario.id in ids:
                problems.append(f"{where}: scenario id {scenario.id!r} is also used at {ids[scenario.id]}")
            ids.setdefault(scenario.id, where)
    if problems:
        raise InvalidSuite(problems)
    return files


def select(
    files: Sequence[LoadedFile],
    *,
    keyword: str | None = None,
    tags: Sequence[str] = (),
    assistant: str | None = None,
    fallback_assistant: str = "agent",
    repeat: int | None = None,
    pass_rate: float | None = None,
) -> list[Selected]:
    """The scenarios to run: ``-k`` (a substring of the id) and ``--tag`` (any of them) applied, skipped
    ones left out, and settings resolved: the scenario's own, then the file's defaults (the command
    line's ``--assistant`` before them), then the connection's assistant; ``--repeat`` and
    ``--pass-rate`` override every file."""
    chosen: list[Selected] = []
    for loaded in files:
        defaults = loaded.suite.defaults
        for index, scenario in enumerate(loaded.suite.scenarios):
            if scenario.skip or (keyword and keyword.lower() not in scenario.id.lower()):
                continue
            if tags and not set(tags) & set(scenario.tags):
                continue
            chosen.append(
                Selected(
                    file=loaded,
                    index=index,
                    scenario=scenario,
                    assistant=scenario.assistant or assistant or defaults.assistant or fallback_assistant,
                    config=scenario.config if scenario.config is not None else defaults.config,
                    context=scenario.context if scenario.context is not None else defaults.context,
                    repeat=repeat or scenario.repeat or defaults.repeat or 1,
                    pass_rate=_first(pass_rate, scenario.pass_rate, defaults.pass_rate, 1.0),
                    turn_timeout=_first(scenario.turn_timeout, defaults.turn_timeout, DEFAULT_TIMEOUT),
                )
            )
    return chosen


def _first(*values: float | None) -> float:
    return next(v for v in values if v is not None)
