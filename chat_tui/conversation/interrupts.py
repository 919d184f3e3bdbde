"""What an interrupt asks, told by the shape of its payload, and how an answer to it is built and checked.

Four kinds meet a client:

* ``hitl``: LangChain's ``HumanInTheLoopMiddleware`` in its default (batched) mode, one pause for
  every gated tool call of a model turn: ``{"action_requests": [...], "review_configs": [...]}``.
  The answer holds exactly one decision per call, in order: ``{"decisions": [...]}``. A wrong
  count is saved with the checkpoint and breaks the thread, so nothing is sent before
  :func:`problem_with` finds it right.
* ``tool_approval``: the same middleware per call, one interrupt per gated call
  (``{"type": "tool_approval", "name", "args", ...}``) with a ``response_schema``; the answer is
  one decision.
* ``legacy``: agent-inbox's ``HumanInterrupt`` list (``[{"action_request", "config",
  "description"}]``); the answer is a list of ``HumanResponse`` (accept, edit, response, ignore).
* ``value``: anything else (``interrupt("question")``): the answer is any JSON value.

Nothing here does I/O: the service sends what :func:`answer_for` builds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from chat_tui.conversation.schema_check import schema_problem
from chat_tui.sanitize import clean_obj

__all__ = [
    "DECISIONS",
    "Decision",
    "GatedCall",
    "InterruptEntry",
    "InterruptKind",
    "answer_for",
    "classify",
    "parse_decision",
    "problem_with",
]

DECISIONS = ("approve", "edit", "reject", "respond")
_LEGACY_TYPES = {"approve": "accept", "edit": "edit", "respond": "response", "reject": "ignore"}
_LEGACY_ALLOWED = {
    "allow_accept": "approve",
    "allow_edit": "edit",
    "allow_respond": "respond",
    "allow_ignore": "reject",
}


class InterruptKind(StrEnum):
    HITL = "hitl"
    TOOL_APPROVAL = "tool_approval"
    LEGACY = "legacy"
    VALUE = "value"


@dataclass(frozen=True, slots=True)
class GatedCall:
    """A tool call that waits for a human decision."""

    name: str
    args: Any
    description: str = ""
    allowed: tuple[str, ...] = DECISIONS
    tool_call_id: str | None = None
    args_schema: Mapping[str, Any] | None = None  # the tool's arguments, when the interrupt publishes them


@dataclass(frozen=True, slots=True)
class Decision:
    """One human decision on a gated call."""

    type: str  # approve | edit | reject | respond
    message: str | None = None  # reject: the reason (optional); respond: what the tool returns
    args: Mapping[str, Any] | None = None  # edit: the arguments to run the tool with

    def as_middleware(self, call: GatedCall) -> dict[str, Any]:
        """The decision as ``HumanInTheLoopMiddleware`` reads it."""
        if self.type == "edit":
            return {"type": "edit", "edited_action": {"name": call.name, "args": dict(self.args or {})}}
        if self.type in ("reject", "respond") and self.message is not None:
            return {"type": self.type, "message": self.message}
        return {"type": self.type}

    @property
    def summary(self) -> str:
        """One line: the decision and what it carries."""
        if self.type == "edit":
            return "edit → " + json.dumps(dict(self.args or {}), ensure_ascii=False, default=str)
        return f"{self.type} — {self.message}" if self.message else self.type

    @classmethod
    def from_answer(cls, raw: Any) -> Decision | None:
        """A decision as the middleware (or agent-inbox) received it: to show an answered interrupt."""
        if not isinstance(raw, Mapping) or not isinstance(raw.get("type"), str):
            return None
        said = str(raw["type"])
        kind = {"accept": "approve", "response": "respond", "ignore": "reject"}.get(said, said)
        if kind == "edit":
            action = raw.get("edited_action") or raw.get("args")
            args = action.get("args") if isinstance(action, Mapping) else None
            return cls("edit", args=args if isinstance(args, Mapping) else {})
        message = raw.get("message", raw.get("args"))
        return cls(kind, message=message if isinstance(message, str) else None)

    def as_legacy(self, call: GatedCall) -> dict[str, Any]:
        """The decision as an agent-inbox ``HumanResponse``."""
        kind = _LEGACY_TYPES[self.type]
        if self.type == "edit":
            return {"type": kind, "args": {"action": call.name, "args": dict(self.args or {})}}
        if self.type == "respond":
            return {"type": kind, "args": self.message or ""}
        return {"type": kind, "args": None}


def classify(value: Any, response_schema: Any = None) -> tuple[InterruptKind, tuple[GatedCall, ...]]:
    """The kind of an interrupt, and the gated calls it waits on (none for ``value``)."""
    if isinstance(value, Mapping):
        requests, configs = value.get("action_requests"), value.get("review_configs")
        if isinstance(requests, list) and isinstance(configs, list) and requests and _all_mappings(requests, configs):
            allowed_by_name = {
                str(c.get("action_name")): _allowed(c.get("allowed_decisions")) for c in configs if c.get("action_name")
            }
            calls = tuple(
                GatedCall(
                    name=str(r.get("name", "")),
                    args=r.get("args", {}),
                    description=str(r.get("description", "") or ""),
                    allowed=allowed_by_name.get(str(r.get("name", "")), DECISIONS),
                )
                for r in requests
            )
            return InterruptKind.HITL, calls
        if value.get("type") == "tool_approval" and isinstance(value.get("name"), str):
            allowed, args_schema = _from_response_schema(response_schema)
            call = GatedCall(
                name=value["name"],
                args=value.get("args", {}),
                description=str(value.get("description", "") or ""),
                allowed=allowed,
                tool_call_id=value.get("tool_call_id") if isinstance(value.get("tool_call_id"), str) else None,
                args_schema=args_schema,
            )
            return InterruptKind.TOOL_APPROVAL, (call,)
    if _is_list_of_mappings(value) and value and all(isinstance(r.get("action_request"), Mapping) for r in value):
        calls = tuple(
            GatedCall(
                name=str(r["action_request"].get("action", "")),
                args=r["action_request"].get("args", {}),
                description=str(r.get("description", "") or ""),
                allowed=tuple(d for key, d in _LEGACY_ALLOWED.items() if _config(r).get(key)) or ("approve",),
            )
            for r in value
        )
        return InterruptKind.LEGACY, calls
    return InterruptKind.VALUE, ()


def problem_with(kind: InterruptKind, calls: Sequence[GatedCall], decisions: Sequence[Decision]) -> str | None:
    """Why the server would refuse (or be broken by) these decisions; None when they are right."""
    if kind is InterruptKind.VALUE:
        return "this interrupt takes a value, not decisions"
    if len(decisions) != len(calls):
        what = "call" if len(calls) == 1 else "calls"
        return f"{len(calls)} gated {what} need {len(calls)} decision(s), in order; {len(decisions)} given"
    for position, (call, decision) in enumerate(zip(calls, decisions, strict=True), start=1):
        where = f"{call.name or 'the tool'} (call {position})" if len(calls) > 1 else call.name or "the tool"
        if decision.type not in DECISIONS:
            return f"{where}: {decision.type!r} is no decision (approve, edit, reject or respond)"
        if decision.type not in call.allowed:
            return f"{where} allows {', '.join(call.allowed)}, not {decision.type}"
        if decision.type == "edit":
            if not isinstance(decision.args, Mapping):
                return f"{where}: edited arguments must be a JSON object"
            problem = schema_problem(call.args_schema, decision.args) if call.args_schema else None
            if problem:
                return f"{where}: edited arguments: {problem}"
        if decision.type == "respond" and not (decision.message or "").strip():
            return f"{where}: respond needs the text the tool should return"
    return None


def answer_for(kind: InterruptKind, calls: Sequence[GatedCall], decisions: Sequence[Decision]) -> Any:
    """The resume value for one interrupt (to be keyed by its id); check it with :func:`problem_with` first."""
    if kind is InterruptKind.HITL:
        return {"decisions": [d.as_middleware(c) for c, d in zip(calls, decisions, strict=True)]}
    if kind is InterruptKind.TOOL_APPROVAL:
        return decisions[0].as_middleware(calls[0])
    if kind is InterruptKind.LEGACY:
        return [d.as_legacy(c) for c, d in zip(calls, decisions, strict=True)]
    raise ValueError("a value interrupt is answered with a value")


def parse_decision(text: str) -> Decision:
    """``approve``, ``reject`` or ``reject=REASON``, ``respond=TEXT``, ``edit=JSON_ARGS``; ValueError with one line."""
    name, sep, rest = text.partition("=")
    name = name.strip().lower()
    if name not in DECISIONS:
        raise ValueError(f"{text[:40]!r} is no decision: approve, reject[=REASON], respond=TEXT or edit=JSON")
    if name == "approve":
        if sep:
            raise ValueError("approve takes nothing after it")
        return Decision("approve")
    if name == "edit":
        try:
            args = json.loads(rest)
        except ValueError as exc:
            raise ValueError(f"edit=… must be the arguments as JSON ({exc})") from None
        if not isinstance(args, dict):
            raise ValueError('edit=… must be a JSON object, e.g. edit=\'{"path": "/tmp/x"}\'')
        return Decision("edit", args=args)
    if name == "respond" and not rest.strip():
        raise ValueError("respond=… needs the text the tool should return")
    return Decision(name, message=rest if sep else None)


def _is_list_of_mappings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, Mapping) for item in value)


def _all_mappings(*lists: list[Any]) -> bool:
    return all(isinstance(item, Mapping) for items in lists for item in items)


def _allowed(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        allowed = tuple(d for d in DECISIONS if d in value)
        return allowed or DECISIONS
    return DECISIONS


def _config(request: Mapping[str, Any]) -> Mapping[str, Any]:
    config = request.get("config")
    return config if isinstance(config, Mapping) else {}


def _from_response_schema(schema: Any) -> tuple[tuple[str, ...], Mapping[str, Any] | None]:
    """The decisions a per-call interrupt's ``response_schema`` admits, and the tool's argument schema."""
    if not isinstance(schema, Mapping):
        return DECISIONS, None
    mapping = (
        schema.get("discriminator", {}).get("mapping") if isinstance(schema.get("discriminator"), Mapping) else None
    )
    names: list[str] = []
    if isinstance(mapping, Mapping):
        names = [str(k) for k in mapping]
    else:
        for option in schema.get("oneOf", []) or []:
            ref = option.get("$ref", "") if isinstance(option, Mapping) else ""
            names.append(ref.rsplit("/", 1)[-1].removesuffix("Decision").lower())
    allowed = tuple(d for d in DECISIONS if d in names) or DECISIONS
    args_schema = None
    definitions = schema.get("$defs")
    if isinstance(definitions, Mapping):
        edit = definitions.get("EditDecision")
        action = (
            _deref(edit.get("properties", {}).get("edited_action"), definitions) if isinstance(edit, Mapping) else None
        )
        # The server publishes the tool's arguments as a reference too: {"$ref": "#/$defs/<tool>"}.
        args = _deref(action.get("properties", {}).get("args"), definitions) if isinstance(action, Mapping) else None
        args_schema = args if isinstance(args, Mapping) else None
    return allowed, args_schema


def _deref(node: Any, definitions: Mapping[str, Any]) -> Any:
    """*node*, or the definition its ``{"$ref": "#/$defs/Name"}`` points to (a few hops at most)."""
    for _ in range(5):
        if not (isinstance(node, Mapping) and isinstance(node.get("$ref"), str)):
            break
        node = definitions.get(node["$ref"].rsplit("/", 1)[-1])
    return node


@dataclass(eq=False, slots=True)
class InterruptEntry:
    """A node called ``interrupt(value)`` and waits for ``command={"resume": ...}``."""

    seq: int
    interrupt_id: str | None
    value: Any
    resolved: bool = False
    run_id: str | None = None
    answered: bool = False  # the answer is known (given here, or read from the run that resumed it)
    answer: Any = None
    kind: InterruptKind = InterruptKind.VALUE
    calls: tuple[GatedCall, ...] = ()  # the gated tool calls it waits on (HITL kinds)
    decisions: list[Decision | None] = field(default_factory=list)  # chosen so far, one per call (until sent)
    schema: Mapping[str, Any] | None = None  # a value interrupt's ``response_schema``: the answer it expects
    attached: set[int] = field(default_factory=set)  # the calls a streamed tool call shows (by position)
    namespace: tuple[str, ...] = ()  # raised inside a subgraph: its namespace ("researcher:<task id>",)

    @classmethod
    def from_server(
        cls,
        seq: int,
        interrupt_id: str | None,
        value: Any,
        run_id: str | None = None,
        response_schema: Any = None,
    ) -> InterruptEntry:
        cleaned, schema = clean_obj(value), clean_obj(response_schema)
        kind, calls = classify(cleaned, schema)
        asks = schema if kind is InterruptKind.VALUE and isinstance(schema, Mapping) else None
        return cls(
            seq,
            interrupt_id,
            cleaned,
            run_id=run_id,
            kind=kind,
            calls=calls,
            decisions=[None] * len(calls),
            schema=asks,
        )

    @property
    def decided(self) -> bool:
        """Every gated call has a decision (a batched answer is sent only then)."""
        return bool(self.calls) and all(d is not None for d in self.decisions)

    def answer_with(self, value: Any) -> None:
        """Resolved by *value* (a resume keyed by interrupt id gives each interrupt its own part)."""
        if isinstance(value, dict) and self.interrupt_id and self.interrupt_id in value:
            value = value[self.interrupt_id]
        self.resolved = self.answered = True
        self.answer = clean_obj(value)

    @property
    def answered_decisions(self) -> list[Decision | None]:
        """The decisions the answer held, one per gated call (empty for a value, or an answer of
        another shape)."""
        answer = self.answer
        if self.kind is InterruptKind.HITL and isinstance(answer, Mapping):
            answer = answer.get("decisions")
        elif self.kind is InterruptKind.TOOL_APPROVAL:
            answer = [answer]
        if not self.calls or not isinstance(answer, list):
            return []
        return [Decision.from_answer(raw) for raw in answer]

    @property
    def answer_text(self) -> str:
        decisions = self.answered_decisions
        if decisions:
            return " · ".join(
                f"{call.name}: {d.summary if d else '?'}" for call, d in zip(self.calls, decisions, strict=False)
            )
        answer = self.answer
        return answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False, default=str)

    @property
    def question(self) -> str:
        """A one-paragraph rendering of the interrupt value for display."""
        value = self.value
        if isinstance(value, str):
            return value
        if isinstance(value, dict):
            for key in ("question", "message", "description", "prompt"):
                text = value.get(key)
                if isinstance(text, str) and text.strip():
                    return text
        return json.dumps(value, ensure_ascii=False, default=str)
