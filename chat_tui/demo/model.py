"""A scripted streaming chat model: realistic chunks, no network, no API key.

It looks like a provider integration to langchain/langgraph (streams `AIMessageChunk`s with
`tool_call_chunks`, list content blocks, `usage_metadata`, provider ids), so the Agent Server
emits exactly the events a real deployment would. What it says comes from `scripts.py`.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.language_models.chat_models import generate_from_stream
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.ai import UsageMetadata
from langchain_core.messages.tool import ToolCallChunk
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from langgraph.config import get_config
from langgraph.runtime import get_runtime
from pydantic import Field

from chat_tui.demo.chunking import iter_json_pieces, pace
from chat_tui.demo.context import RunSettings, resolve_settings
from chat_tui.demo.replies import Reply, message_text
from chat_tui.demo.scripts import plan_reply


@dataclass(frozen=True)
class Crash:
    """Marker in a chunk plan: raise `ValueError(message)` here."""

    message: str


Step = AIMessageChunk | Crash


def _usage(input_tokens: int, output_tokens: int) -> UsageMetadata:
    return UsageMetadata(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=input_tokens + output_tokens,
    )


def count_tokens(text: str) -> int:
    """Rough token count (4 characters per token), enough for a token counter to show."""
    return max(1, math.ceil(len(text) / 4)) if text else 0


def input_token_count(messages: Sequence[BaseMessage]) -> int:
    return sum(count_tokens(message_text(m)) + 3 for m in messages)


def _tool_call_steps(reply: Reply) -> list[AIMessageChunk]:
    """Tool-call chunks: `id`+`name` on the first chunk of an index, then `args` deltas."""
    per_call: list[list[ToolCallChunk]] = []
    for index, call in enumerate(reply.tool_calls):
        hint = f"{call.id_hint}_" if call.id_hint else ""
        call_id = f"call_{hint}{uuid.uuid4().hex[:12]}"
        head = ToolCallChunk(name=call.name, args="", id=call_id, index=index, type="tool_call_chunk")
        args = json.dumps(call.args, ensure_ascii=False)
        deltas = [
            ToolCallChunk(name=None, args=piece, id=None, index=index, type="tool_call_chunk")
            for piece in iter_json_pieces(args)
        ]
        per_call.append([head, *deltas])
    ordered: list[ToolCallChunk] = []
    if reply.interleave_tool_args:
        longest = max((len(c) for c in per_call), default=0)
        for i in range(longest):
            ordered.extend(c[i] for c in per_call if i < len(c))
    else:
        for chunks in per_call:
            ordered.extend(chunks)
    return [AIMessageChunk(content="", tool_call_chunks=[tc]) for tc in ordered]


def plan_chunks(reply: Reply, *, input_tokens: int, model_name: str) -> list[Step]:
    """Turn a scripted reply into the exact chunk sequence a provider would stream."""
    blocks = bool(reply.thinking)
    steps: list[Step] = []
    if blocks:
        steps.extend(
            AIMessageChunk(content=[{"type": "thinking", "thinking": piece, "index": 0}])
            for piece in Reply(text=reply.thinking).text_pieces()
        )
        steps.extend(
            AIMessageChunk(content=[{"type": "text", "text": piece, "index": 1}]) for piece in reply.text_pieces()
        )
    else:
        steps.extend(AIMessageChunk(content=piece) for piece in reply.text_pieces())
    if reply.crash_after is not None:
        steps = steps[: reply.crash_after]
        steps.append(Crash(reply.crash_message or "scripted model failure"))
    else:
        steps.extend(_tool_call_steps(reply))
        output = reply.thinking + "".join(reply.text_pieces())
        output += "".join(json.dumps(c.args) for c in reply.tool_calls)
        # Like OpenAI's final usage chunk: no content, output tokens and finish reason.
        steps.append(
            AIMessageChunk(
                content=[] if blocks else "",
                usage_metadata=_usage(0, count_tokens(output)),
                response_metadata={"finish_reason": "tool_calls" if reply.tool_calls else "stop"},
            )
        )
    first = steps[0]
    if isinstance(first, AIMessageChunk):
        # The provider reports input tokens and its model name up front (Anthropic-style).
        steps[0] = AIMessageChunk(
            content=first.content,
            tool_call_chunks=first.tool_call_chunks,
            usage_metadata=_usage(input_tokens, 0)
            if first.usage_metadata is None
            else _usage(input_tokens, first.usage_metadata["output_tokens"]),
            response_metadata={**first.response_metadata, "model_name": model_name},
            id=f"msg_demo_{uuid.uuid4().hex[:24]}" if reply.provider_id else None,
        )
    return steps


def current_run_settings() -> RunSettings | None:
    """The settings of the graph run this call belongs to (its `context` and `configurable`),
    or None when called outside a run."""
    try:
        config = get_config()
        runtime = get_runtime()
    except (RuntimeError, KeyError):  # not inside a graph run (or a runnable outside langgraph)
        return None
    context = runtime.context if runtime is not None else None
    return resolve_settings(context, config.get("configurable"))


class ScriptedChatModel(BaseChatModel):
    """A chat model that streams canned replies chosen from the conversation.

    `role` selects the script family (`agent`, `planner`, `writer`, `researcher`, `echo`,
    `approvals`). `delay_ms=None` means: `CHAT_TUI_DEMO_DELAY_MS` from the environment (read per
    call), else 20.
    """

    role: str = "agent"
    model_name: str = "scripted-fast"
    persona: str = "friendly"
    delay_ms: int | None = None
    extras: dict[str, Any] = Field(default_factory=dict)
    per_run: bool = False
    """Read the settings from the graph run at each call, not from these fields: for graphs
    such as `create_agent` that are built once with one model instance for every run."""
    fixed_text: str | None = None
    """Stream this text instead of a script (a node that already knows what to say)."""

    @property
    def _llm_type(self) -> str:
        return "scripted-chat"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"role": self.role, "model_name": self.model_name}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> Any:
        params = super()._get_ls_params(stop=stop, **kwargs)
        params["ls_provider"] = "scripted"
        params["ls_model_name"] = self.settings().model_name
        return params

    @classmethod
    def for_run(cls, role: str, settings: RunSettings) -> ScriptedChatModel:
        """A model configured for one run's settings."""
        return cls(
            role=role,
            model_name=settings.model_name,
            persona=settings.persona,
            delay_ms=settings.delay_ms,
            extras=dict(settings.extras),
        )

    def settings(self) -> RunSettings:
        if self.per_run:
            found = current_run_settings()
            if found is not None:
                return found
        return RunSettings(
            model_name=self.model_name,
            persona=self.persona,
            delay_ms=self.delay_ms,
            extras=self.extras,
        )

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Accept tools like a provider would; the scripts decide which ones get called."""
        formatted = [convert_to_openai_tool(t) for t in tools]
        if tool_choice is not None:
            kwargs["tool_choice"] = tool_choice
        return self.bind(tools=formatted, **kwargs)

    def _plan(self, messages: list[BaseMessage]) -> tuple[list[Step], float, float]:
        settings = self.settings()
        if self.fixed_text is not None:
            reply = Reply(text=self.fixed_text)
        else:
            reply = plan_reply(self.role, messages, settings)
        steps = plan_chunks(reply, input_tokens=input_token_count(messages), model_name=settings.model_name)
        return steps, float(settings.effective_delay_ms()), reply.pace

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        steps, delay_ms, factor = self._plan(messages)
        for i, step in enumerate(steps):
            wait = pace(delay_ms, i, factor)
            if wait:
                time.sleep(wait)
            if isinstance(step, Crash):
                raise ValueError(step.message)
            yield ChatGenerationChunk(message=step)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        steps, delay_ms, factor = self._plan(messages)
        for i, step in enumerate(steps):
            wait = pace(delay_ms, i, factor)
            if wait:
                await asyncio.sleep(wait)
            if isinstance(step, Crash):
                raise ValueError(step.message)
            yield ChatGenerationChunk(message=step)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        """Non-streaming call: the same reply in one message (no delays)."""
        steps, _, _ = self._plan(messages)
        chunks: list[ChatGenerationChunk] = []
        for step in steps:
            if isinstance(step, Crash):
                raise ValueError(step.message)
            chunks.append(ChatGenerationChunk(message=step))
        return generate_from_stream(iter(chunks))
