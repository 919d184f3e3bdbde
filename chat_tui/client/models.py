"""Typed models of what the client reads from an Agent Server.

All models ignore unknown fields so newer servers keep working, and are lenient about
shapes a real server (or a proxy) may produce: ``content`` can be a string, a list of
content blocks, ``null`` or a number. Strings are *not* cleaned here; the conversation
state and the UI clean what they display (see :mod:`chat_tui.sanitize`).
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import AliasPath, BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag, TypeAdapter

__all__ = [
    "COUNT",
    "JSON_OBJECT",
    "MESSAGE_ROLES",
    "AIMessage",
    "AIMessageChunk",
    "AnyMessage",
    "Assistant",
    "ChunkMeta",
    "ContentBlock",
    "GraphSchemas",
    "Health",
    "HumanMessage",
    "Interrupt",
    "KnownMessage",
    "OtherMessage",
    "Run",
    "RunStatus",
    "SystemMessage",
    "Thread",
    "ThreadState",
    "ThreadStatus",
    "ToolCall",
    "ToolCallChunk",
    "ToolMessage",
    "parse_message",
]

_LENIENT = ConfigDict(extra="ignore", populate_by_name=True, defer_build=True)

ThreadStatus = Literal["idle", "busy", "interrupted", "error"]
RunStatus = Literal["pending", "running", "success", "error", "timeout", "interrupted"]


class ContentBlock(BaseModel):
    """One block of list content (``text``, ``thinking``, ``reasoning``, ``tool_use``, ``image``...)."""

    model_config = ConfigDict(extra="allow")

    type: str = "text"
    index: int | str | None = None
    text: str | None = None
    thinking: str | None = None
    reasoning: str | None = None
    partial_json: str | None = None
    id: str | None = None
    name: str | None = None


def _coerce_content(value: Any) -> Any:
    """Accept whatever a server sends as ``content`` and keep it renderable."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        value = [value]
    if isinstance(value, list):
        return [item if isinstance(item, dict | str) else {"type": "unknown", "text": str(item)} for item in value]
    return str(value)


# Tried left to right: a string or a list of blocks validates without calling Python (the
# common case, once per streamed chunk); anything else is coerced by _coerce_content.
Content = Annotated[
    str | list[ContentBlock | str] | Annotated[str | list[ContentBlock | str], BeforeValidator(_coerce_content)],
    Field(union_mode="left_to_right"),
]


class ToolCall(BaseModel):
    """A complete tool call, as stored in state (``args`` already parsed)."""

    model_config = _LENIENT
    id: str | None = None
    name: str = ""
    args: Any = Field(default_factory=dict)


class ToolCallChunk(BaseModel):
    """A streamed piece of a tool call; pieces with the same ``index`` belong together."""

    model_config = _LENIENT
    id: str | None = None
    name: str | None = None
    args: str | None = None
    index: int | None = None


class _Message(BaseModel):
    model_config = _LENIENT
    id: str | None = None
    name: str | None = None
    content: Content = ""
    response_metadata: dict[str, Any] = Field(default_factory=dict)


class HumanMessage(_Message):
    type: Literal["human", "HumanMessageChunk"] = "human"


class SystemMessage(_Message):
    type: Literal["system", "SystemMessageChunk"] = "system"


class AIMessage(_Message):
    type: Literal["ai"] = "ai"
    tool_calls: list[ToolCall] = Field(default_factory=list)
    invalid_tool_calls: list[dict[str, Any]] = Field(default_factory=list)
    usage_metadata: dict[str, Any] | None = None


class AIMessageChunk(_Message):
    type: Literal["AIMessageChunk"] = "AIMessageChunk"
    tool_call_chunks: list[ToolCallChunk] = Field(default_factory=list)
    usage_metadata: dict[str, Any] | None = None
    chunk_position: str | None = None


class ToolMessage(_Message):
    type: Literal["tool", "ToolMessageChunk"] = "tool"
    tool_call_id: str = ""
    status: str = "success"
    artifact: Any = None


class OtherMessage(_Message):
    """Any message type this client does not know (``function``, ``remove``, future types)."""

    type: str = "other"


# Who said a message, by its ``type`` (the conversation's roles; any other type is "other").
MESSAGE_ROLES = {
    "human": "human",
    "HumanMessageChunk": "human",
    "user": "human",
    "system": "system",
    "SystemMessageChunk": "system",
    "ai": "ai",
    "AIMessageChunk": "ai",
    "tool": "tool",
    "ToolMessageChunk": "tool",
}


def _message_tag(value: Any) -> str:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    if kind == "AIMessageChunk":
        return "chunk"  # an AI message, but its own class
    return MESSAGE_ROLES.get(kind, "other") if isinstance(kind, str) else "other"


AnyMessage = Annotated[
    Annotated[HumanMessage, Tag("human")]
    | Annotated[SystemMessage, Tag("system")]
    | Annotated[AIMessage, Tag("ai")]
    | Annotated[AIMessageChunk, Tag("chunk")]
    | Annotated[ToolMessage, Tag("tool")]
    | Annotated[OtherMessage, Tag("other")],
    Discriminator(_message_tag),
]

# The same classes chosen by the ``type`` value alone, which pydantic-core does without
# calling back into Python: the fast path for stream events (unknown types fail here and
# are then validated as AnyMessage, so the result is always AnyMessage's).
KnownMessage = Annotated[
    HumanMessage | SystemMessage | AIMessage | AIMessageChunk | ToolMessage,
    Field(discriminator="type"),
]


Message = HumanMessage | SystemMessage | AIMessage | AIMessageChunk | ToolMessage | OtherMessage


@cache
def _message_adapter() -> TypeAdapter[Message]:
    return TypeAdapter(AnyMessage)  # built on first use: ~10 ms the app's first frame does not need


def parse_message(value: Any) -> Message:
    """Validate one message dict (e.g. from ``values.messages``)."""
    return _message_adapter().validate_python(value)


class ChunkMeta(BaseModel):
    """The metadata half of a ``messages`` event: which node and step produced it.

    Frozen: the chunks of one model call share one instance (see ``events._MetadataMemo``).
    """

    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)
    langgraph_node: str | None = None
    langgraph_step: int | None = None
    langgraph_checkpoint_ns: str | None = None
    run_id: str | None = None
    thread_id: str | None = None
    graph_id: str | None = None
    ls_model_name: str | None = None
    ls_provider: str | None = None


class Interrupt(BaseModel):
    """A pending ``interrupt()``: answer it with ``command={"resume": ...}``."""

    model_config = _LENIENT
    id: str | None = None
    value: Any = None
    response_schema: Any = None  # per-call approvals publish the answers they take (a JSON Schema)


class Thread(BaseModel):
    model_config = _LENIENT
    thread_id: str
    created_at: datetime | None = None
    updated_at: datetime | None = None
    state_updated_at: datetime | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    status: str = "idle"
    values: Any = None
    interrupts: dict[str, list[Interrupt]] = Field(default_factory=dict)
    error: Any = None

    @property
    def waiting_for_human(self) -> bool:
        """An interrupt is pending. The status alone cannot tell: ``interrupted`` also follows a cancel,
        and a thread in ``error`` can still wait (a refused answer)."""
        return self.status in ("interrupted", "error") and any(self.interrupts.values())

    @property
    def title(self) -> str | None:
        """``metadata.title`` when it is a non-empty string."""
        title = self.metadata.get("title") if isinstance(self.metadata, dict) else None
        return title if isinstance(title, str) and title.strip() else None


class ThreadTask(BaseModel):
    """A node that runs (or ran) from a checkpoint: in history, with what it wrote or how it failed."""

    model_config = _LENIENT
    id: str | None = None
    name: str | None = None
    interrupts: list[Interrupt] = Field(default_factory=list)
    error: Any = None  # e.g. "ValueError('boom')", once the node failed
    result: Any = None  # what the node returned (its writes), once it finished
    checkpoint: Any = None  # a subgraph's: {"checkpoint_ns": "researcher:<task id>", …}
    state: Any = None  # a pending subgraph's own ThreadState (``?subgraphs=true``)

    @property
    def checkpoint_ns(self) -> str | None:  # the namespace of the subgraph this task runs (None: a plain node)
        holders = (self.checkpoint, self.state.get("checkpoint") if isinstance(self.state, dict) else None)
        found = [h["checkpoint_ns"] for h in holders if isinstance(h, dict) and isinstance(h.get("checkpoint_ns"), str)]
        return next((ns for ns in found if ns), None)

    @property
    def written_message_ids(self) -> list[str]:
        """Ids of the messages this task wrote (``result.messages``)."""
        messages = self.result.get("messages") if isinstance(self.result, dict) else None
        if not isinstance(messages, list):
            return []
        return [m["id"] for m in messages if isinstance(m, dict) and isinstance(m.get("id"), str)]


class ThreadState(BaseModel):
    model_config = _LENIENT
    values: Any  # required: a state without it is not one (a fresh thread's is ``{}``)
    next: list[str] = Field(default_factory=list)
    tasks: list[ThreadTask] = Field(default_factory=list)
    metadata: dict[str, Any] | None = None
    created_at: datetime | None = None
    checkpoint_id: str | None = None
    parent_checkpoint_id: str | None = None
    interrupts: list[Interrupt] = Field(default_factory=list)

    @property
    def messages(self) -> list[Any]:
        """The raw ``values.messages`` list (empty when absent)."""
        if isinstance(self.values, dict):
            messages = self.values.get("messages")
            if isinstance(messages, list):
                return messages
        return []


class Assistant(BaseModel):
    model_config = _LENIENT
    assistant_id: str
    graph_id: str = ""
    name: str | None = None
    description: str | None = None
    config: dict[str, Any] = Field(default_factory=dict)
    context: Any = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    version: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class GraphSchemas(BaseModel):
    model_config = _LENIENT
    graph_id: str  # required: an answer without it is not a graph's schemas
    input_schema: dict[str, Any] | None = None
    output_schema: dict[str, Any] | None = None
    state_schema: dict[str, Any] | None = None
    config_schema: dict[str, Any] | None = None
    context_schema: dict[str, Any] | None = None


# What the server puts in every run's configurable (beside its langgraph_* and __* keys).
_SERVER_CONFIGURABLE = frozenset(
    {"run_id", "thread_id", "graph_id", "assistant_id", "user_id", "checkpoint_id", "checkpoint_ns"}
)


class Run(BaseModel):
    model_config = _LENIENT
    run_id: str
    thread_id: str | None = None
    assistant_id: str | None = None
    status: str = "pending"
    metadata: dict[str, Any] = Field(default_factory=dict)
    multitask_strategy: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    # What the run was created with (input, command, config). (Not named `kwargs`: mypy's pydantic
    # plugin reads that as the model's own __init__ keywords.)
    created_with: dict[str, Any] = Field(default_factory=dict, validation_alias=AliasPath("kwargs"))

    @property
    def sent_config(self) -> dict[str, Any] | None:
        """The config the client sent: without what the server adds to every run (ids and its own
        ``langgraph_*``/``__*`` keys in ``configurable``, the ``metadata`` copy)."""
        config = self.created_with.get("config")
        if not isinstance(config, dict):
            return None
        configurable = {
            k: v
            for k, v in (config.get("configurable") or {}).items()
            if k not in _SERVER_CONFIGURABLE and not str(k).startswith(("langgraph_", "__"))
        }
        sent = {k: v for k, v in config.items() if k not in ("configurable", "metadata") and v}
        if configurable:
            sent["configurable"] = configurable
        return sent or None

    @property
    def fork_checkpoint(self) -> str | None:
        """The checkpoint the run was started from (an edit, a regenerate, a re-run), if any."""
        config = self.created_with.get("config")
        configurable = config.get("configurable") if isinstance(config, dict) else None
        value = configurable.get("checkpoint_id") if isinstance(configurable, dict) else None
        return value if isinstance(value, str) else None

    @property
    def input_messages(self) -> list[dict[str, Any]]:
        """The messages the run was sent, exactly as sent (``input.messages``)."""
        run_input = self.created_with.get("input")
        messages = run_input.get("messages") if isinstance(run_input, dict) else None
        return [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []

    @property
    def input_message_ids(self) -> list[str]:
        """Ids of the messages the run was sent (those a client gave ids to)."""
        return [m["id"] for m in self.input_messages if isinstance(m.get("id"), str)]

    @property
    def resume(self) -> tuple[bool, Any]:
        """(True, value) for a run that answered an interrupt (``command.resume``)."""
        command = self.created_with.get("command")
        if isinstance(command, dict) and "resume" in command:
            return True, command["resume"]
        return False, None


class Health(BaseModel):
    """``GET /ok``: ``{"ok": true}`` (plus, on newer servers, the state of its services)."""

    model_config = _LENIENT
    ok: bool


# Answers that are not models: a count (``/threads/count``) and a free-form object (``/info``).
COUNT: TypeAdapter[int] = TypeAdapter(Annotated[int, Field(strict=True, ge=0)])
JSON_OBJECT: TypeAdapter[dict[str, Any]] = TypeAdapter(dict[str, Any])
