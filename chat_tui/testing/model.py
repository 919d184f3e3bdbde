"""The scenario file format (version 1): pydantic models, strict (an unknown key is an error).

``chat-tui test schema`` prints :func:`json_schema` so editors can complete a file
(``# yaml-language-server: $schema=chat-tui-test.schema.json``). The meaning of each field is in
the README ("Testing agents"); the comparisons themselves are in :mod:`.matchers` and
:mod:`.trajectory`.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "BudgetExpect",
    "CountRange",
    "Defaults",
    "EditDecision",
    "Expect",
    "InterruptExpect",
    "NameRegex",
    "NodesExpect",
    "ResultExpect",
    "ResumeEach",
    "Scenario",
    "StateCheck",
    "StatusExpect",
    "Suite",
    "TextExpect",
    "ToolCallExpect",
    "ToolNotCalled",
    "TrajectoryCall",
    "TrajectoryExpect",
    "Turn",
    "json_schema",
]

Severity = Literal["fail", "warn"]
ArgsMode = Literal["exact", "subset", "superset", "ignore"]
Status = Literal["success", "interrupted", "error", "cancelled"]
SCENARIO_ID = r"^[A-Za-z0-9_.-]+$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class _Check(_Strict):
    severity: Severity = "fail"  # warn: reported, never failing


class NameRegex(_Strict):
    regex: str


ToolName = str | NameRegex


class CountRange(_Strict):
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)


class ResultExpect(_Strict):
    status: Literal["success", "error"] | None = None
    contains: str | None = None
    regex: str | None = None


class ToolCallExpect(_Check):
    name: ToolName
    args: dict[str, Any] | None = None  # values, or matchers {regex|eq|in|exists|schema}, per dotted path
    args_mode: ArgsMode = "subset"
    count: CountRange | None = None  # default: at least one matching call
    result: ResultExpect | None = None


class ToolNotCalled(_Check):
    name: ToolName  # (a plain name or {regex} in the list is the same with severity fail)


class TrajectoryCall(_Strict):
    name: ToolName
    args: dict[str, Any] | None = None  # omitted: any arguments


class TrajectoryExpect(_Check):
    mode: Literal["strict", "unordered", "subset", "superset", "in_order"]
    calls: list[TrajectoryCall]
    args_mode: ArgsMode = "subset"


class TextExpect(_Check):
    equals: str | None = None
    contains: str | None = None
    icontains: str | None = None
    regex: str | None = None
    not_equals: str | None = None
    not_contains: str | None = None
    not_icontains: str | None = None
    not_regex: str | None = None
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=0)


class NodesExpect(_Check):
    in_order: list[str] | None = None  # these ran in this order (others may run between)
    includes: list[str] | None = None
    excludes: list[str] | None = None

    @model_validator(mode="after")
    def _one(self) -> NodesExpect:
        if self.in_order is None and self.includes is None and self.excludes is None:
            raise ValueError("nodes needs in_order, includes or excludes")
        return self


class InterruptExpect(_Check):
    value: Any = None  # a subset match on the pending interrupt's value (dicts: listed keys)
    count: int | CountRange | None = None


class StateCheck(_Check):
    path: str  # dotted, list items by index: messages.0.content
    equals: Any = None
    exists: bool | None = None
    length: int | None = Field(default=None, ge=0)
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")

    @model_validator(mode="after")
    def _one(self) -> StateCheck:
        given = self.model_fields_set & {"equals", "exists", "length", "schema_"}
        if not given:
            raise ValueError("a state check needs equals, exists, length or schema")
        return self


class BudgetExpect(_Check):
    latency_ms: float | None = Field(default=None, gt=0)
    ttft_ms: float | None = Field(default=None, gt=0)
    total_tokens: int | None = Field(default=None, ge=0)
    tool_calls: int | None = Field(default=None, ge=0)


class StatusExpect(_Check):
    equals: Status


class Expect(_Strict):
    status: Status | StatusExpect | None = None  # default: success (interrupted when the next turn answers)
    tool_calls: list[ToolCallExpect] | None = None
    tool_not_called: list[ToolName | ToolNotCalled] | None = None
    trajectory: TrajectoryExpect | None = None
    final_text: TextExpect | None = None
    nodes: NodesExpect | None = None
    interrupt: InterruptExpect | None = None
    state: list[StateCheck] | None = None
    budget: BudgetExpect | None = None


class RejectDecision(_Strict):
    reject: str | None = None


class RespondDecision(_Strict):
    respond: str


class EditDecision(_Strict):
    edit: dict[str, Any]  # the arguments to run the call with


DecisionSpec = Literal["approve", "reject"] | RejectDecision | RespondDecision | EditDecision


class ResumeEach(_Strict):
    match: dict[str, Any]  # dotted paths into the pending interrupt ({id, kind, value}) and their values
    value: Any


class Turn(_Strict):
    user: str | None = None
    input: dict[str, Any] | None = None  # the run's input as it is (graphs without a messages key)
    decide: list[DecisionSpec] | None = None  # one per gated call, in order
    resume: Any = None
    resume_each: list[ResumeEach] | None = None
    config: dict[str, Any] | None = None
    context: dict[str, Any] | None = None
    expect: Expect | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Turn:
        kinds = [k for k in ("user", "input", "decide", "resume", "resume_each") if k in self.model_fields_set]
        if len(kinds) != 1:
            found = f"found {', '.join(kinds)}" if kinds else "found none"
            raise ValueError(f"a turn is one of user, input, decide, resume or resume_each ({found})")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in ("user", "input", "decide", "resume", "resume_each") if k in self.model_fields_set)

    @property
    def answers(self) -> bool:
        return self.kind in ("decide", "resume", "resume_each")

    def describe(self) -> str:
        """What the turn sends, on one line (for reports)."""
        value: Any = getattr(self, self.kind)
        if isinstance(value, str):
            return f"{self.kind}: {value}"
        if isinstance(value, list):
            value = [v.model_dump(exclude_unset=True) if isinstance(v, BaseModel) else v for v in value]
        return f"{self.kind}: {json.dumps(value, ensure_ascii=False, default=str)}"


class _RunSettings(_Strict):
    assistant: str | None = None  # an assistant id or a graph name
    config: dict[str, Any] | None = None
    context: dict[str, Any] | None = None
    repeat: int | None = Field(default=None, ge=1, le=1000)
    pass_rate: float | None = Field(default=None, ge=0, le=1)
    turn_timeout: float | None = Field(default=None, gt=0)  # seconds


class Defaults(_RunSettings):
    pass


class Scenario(_RunSettings):
    id: Annotated[str, Field(pattern=SCENARIO_ID)]
    tags: list[str] = Field(default_factory=list)
    skip: bool = False
    turns: list[Turn] = Field(min_length=1)


class Suite(_Strict):
    version: Literal[1]
    suite: str | None = None
    defaults: Defaults = Field(default_factory=Defaults)
    scenarios: list[Scenario] = Field(min_length=1)


def json_schema() -> dict[str, Any]:
    """The file format as a JSON Schema (draft 2020-12), for editors."""
    schema = Suite.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "chat-tui test scenarios"
    return schema
