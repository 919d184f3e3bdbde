"""``chat-tui stream``: one turn, printed as it arrives, for scripts and quick checks.

Three output modes:

* default: human-readable and streamed: assistant text token by token, each tool call as
  its name and arguments (arguments appear as they stream), tool results (truncated),
  a node label where the node changes; errors on stderr; the thread id at the end;
* ``--raw``: every SSE event the way the LangGraph docs print them
  (``Receiving new event of type: <event>...`` then the data);
* ``--json``: after the run, one JSON document with the run's messages and the pending
  interrupts (:func:`~chat_tui.headless_answers.interrupt_json`).

Answers to interrupts (``--decide``, ``--resume``, ``--interrupt``) are built and checked in
:mod:`chat_tui.headless_answers`, after reading the thread: what cannot be sent is a usage error.
``--raw`` and ``--json`` are printed by :mod:`chat_tui.headless_output`; ``--record`` and
``--replay`` (a recording played through :func:`printers` and :func:`report`, as a live run is)
are :mod:`chat_tui.headless_record`'s.

Everything printed from the server is cleaned of control characters first.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from chat_tui.client.errors import ClientError, NotFound
from chat_tui.client.events import StreamEvent
from chat_tui.client.modes import DEFAULT_STREAM_MODES
from chat_tui.connection import Connection
from chat_tui.conversation import (
    ChatMessage,
    Conversation,
    ErrorEntry,
    InterruptEntry,
    RunOutcome,
    TextCursor,
    ToolStatus,
)
from chat_tui.conversation.interrupts import Decision
from chat_tui.conversation.subgraphs import path_label
from chat_tui.headless_answers import (
    Refused,
    answer_hints,
    answer_outgoing,
    interrupt_lines,
    parse_decisions,
)
from chat_tui.headless_output import json_document, message_json, raw_printer
from chat_tui.sanitize import clean_line, truncate
from chat_tui.service.chat import ChatService
from chat_tui.service.outcomes import Outgoing, SendOutcome
from chat_tui.service.recording import Recorder
from chat_tui.service.turn import TurnRequest

__all__ = [
    "EXIT_CODES",
    "HumanPrinter",
    "StreamCommand",
    "json_document",
    "message_json",
    "printers",
    "raw_printer",
    "report",
    "run_stream",
]

EXIT_CODES = {
    "success": 0,
    "run_error": 1,  # the run failed, was cancelled or its outcome is unknown
    "usage": 2,
    "interrupted": 3,  # the run stopped at an interrupt() and waits for --decide or --resume
    "connection": 4,  # the server could not be reached or refused the request
    "nothing": 5,  # nothing ran (a recording without a run)
}
RESULT_LIMIT = 500


@dataclass(slots=True)
class StreamCommand:
    """What one ``chat-tui stream`` invocation asks for."""

    message: str | None
    assistant_id: str  # for a new thread; an existing one continues with its own unless this is explicit
    thread_id: str | None = None
    explicit_assistant: bool = False  # --assistant given: a --thread switches to it
    config: dict[str, Any] | None = None
    context: dict[str, Any] | None = None
    resume: Any = None
    has_resume: bool = False
    decisions: tuple[str, ...] = ()  # --decide, one per gated call in order
    interrupt_id: str | None = None  # --interrupt: the pending interrupt to answer
    output: str = "human"  # human | raw | json
    stream_subgraphs: bool = False
    stream_mode: tuple[str, ...] = DEFAULT_STREAM_MODES
    checkpoint_id: str | None = None  # --checkpoint: run from it (with a message: an edit; without: a regenerate)


@dataclass
class _CallCursor:
    header: bool = False
    parts: int = 0
    done: bool = False


@dataclass
class HumanPrinter:
    """Prints conversation changes as they happen, one message at a time."""

    out: TextIO
    err: TextIO
    color: bool = False
    _text: dict[int, TextCursor] = field(default_factory=dict)
    _thinking: dict[int, int] = field(default_factory=dict)
    _calls: dict[int, _CallCursor] = field(default_factory=dict)
    _results: set[int] = field(default_factory=set)
    _started: set[int] = field(default_factory=set)  # messages whose output began
    _node: str | None = None
    _at_line_start: bool = True

    def _write(self, text: str) -> None:
        if text:
            self.out.write(text)
            self._at_line_start = text.endswith("\n")

    def _newline(self) -> None:
        if not self._at_line_start:
            self._write("\n")

    def _dim(self, text: str) -> str:
        return f"\x1b[2m{text}\x1b[0m" if self.color else text

    def show(self, conversation: Conversation) -> None:
        changes = conversation.take_changes()
        run_id = conversation.run.run_id if conversation.run else None
        for fault in changes.faults:
            self._newline()
            self.err.write(f"warning: {clean_line(fault)}\n")
        for entry in (*changes.added, *changes.updated):
            if isinstance(entry, ChatMessage) and not entry.streamed and entry.run_id != run_id:
                continue  # older history of a --thread, filled in from the stored state
            if isinstance(entry, ChatMessage):
                if entry.role == "ai":
                    self._show_ai(entry)
                elif entry.role == "tool" and entry.tool_call_id is None:
                    self._show_result(entry)
            elif isinstance(entry, ErrorEntry) and entry.seq not in self._results:
                self._results.add(entry.seq)
                self._newline()
                self.out.flush()
                detail = clean_line(entry.message, 500)
                self.err.write(f"error: {entry.error}: {detail}\n" if detail else f"error: {entry.error}\n")
            elif isinstance(entry, InterruptEntry):
                self._show_interrupt(entry)
        self.out.flush()

    def _show_interrupt(self, entry: InterruptEntry) -> None:
        if not entry.resolved and entry.seq not in self._results:
            self._results.add(entry.seq)
            self._newline()
            self._write("".join(f"{line}\n" for line in interrupt_lines(entry)))

    def show_pending(self, conversation: Conversation) -> None:
        """Interrupts still waiting that were not printed (one raised again after a partial answer)."""
        for entry in conversation.pending_interrupts:
            self._show_interrupt(entry)
        self.out.flush()

    def _show_ai(self, message: ChatMessage) -> None:
        if message.seq not in self._started and (message.text_parts or message.tool_calls or message.thinking_parts):
            self._started.add(message.seq)
            label = path_label(message.namespace, message.node) if message.namespace else message.node
            if label and label != self._node:  # (inside a subgraph: its node path, researcher › research_llm)
                self._node = label
                self._newline()
                self._write(self._dim(f"[{label}]") + "\n")
        done = self._thinking.get(message.seq, 0)
        if len(message.thinking_parts) > done:
            self._write(self._dim("".join(message.thinking_parts[done:])))
            self._thinking[message.seq] = len(message.thinking_parts)
        if message.text_epoch == 0:  # a replaced text is not printed again: what streamed is already out
            new, _ = self._text.setdefault(message.seq, TextCursor()).take(message)
            self._write(new)
        for call in message.tool_calls:
            cursor = self._calls.setdefault(id(call), _CallCursor())
            if cursor.done:
                if call.result is not None and id(call.result) not in self._results:
                    self._show_result(call.result)
                continue
            if not cursor.header:
                self._newline()
                self._write(f"⚙ {call.name or '?'} ")
                cursor.header = True
            if len(call.args_parts) > cursor.parts:
                self._write("".join(call.args_parts[cursor.parts :]))
                cursor.parts = len(call.args_parts)
            if call.status is ToolStatus.STREAMING:
                break  # parallel calls print one after another, never interleaved
            cursor.done = True
            if call.args_valid is False:
                self._write("  (invalid JSON)")
            self._write("\n")
            if call.result is not None:
                self._show_result(call.result)

    def _show_result(self, result: ChatMessage) -> None:
        if id(result) in self._results:
            return
        self._results.add(id(result))
        self._newline()
        mark = "✗" if result.tool_status == "error" else "→"
        text = result.text
        shown = truncate(text.replace("\n", " "), RESULT_LIMIT)
        size = f" ({len(text):,} chars)" if len(text) > RESULT_LIMIT else ""
        self._write(f"  {mark} {shown}{size}\n")

    def finish(self) -> None:
        self._newline()
        self.out.flush()


async def run_stream(
    connection: Connection,
    options: StreamCommand,
    *,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    recorder: Recorder | None = None,
) -> int:
    """Run one turn and print it; returns the process exit code.

    Nothing is sent when the command cannot work: an unknown ``--thread``, an answer for a thread
    with nothing waiting, several waiting and no ``--interrupt``, decisions that do not parse, do not
    match the gated calls in number or are not allowed: a usage error (exit 2, one line) found by
    reading the thread first. With a *recorder*, the run is recorded (``--record``).
    """
    answering = options.has_resume or bool(options.decisions)
    try:
        decisions = parse_decisions(options.decisions)
    except Refused as exc:
        err.write(f"error: {exc}; nothing was sent\n")
        return EXIT_CODES["usage"]
    if connection.api_key is not None and connection.plaintext_remote:
        err.write(f"warning: the API key is sent unencrypted to {connection.host} (http://)\n")
    async with connection.client() as client:
        service = ChatService(
            connection,
            client,
            assistant_id=options.assistant_id,
            config=options.config,
            context=options.context,
            stream_subgraphs=options.stream_subgraphs,
        )
        conversation = Conversation(options.thread_id)
        if options.thread_id is not None:
            try:
                opened = await service.open(options.thread_id)
            except NotFound:
                err.write(f"error: {connection.host} has no thread {clean_line(options.thread_id, 60)}\n")
                return EXIT_CODES["usage"]
            except ClientError as exc:
                err.write(f"error: {exc}\n")
                return EXIT_CODES["connection"]
            conversation = opened.conversation
            if options.explicit_assistant:
                service.use_assistant(options.assistant_id, options.assistant_id, thread_id=options.thread_id)
        if options.checkpoint_id is not None:
            try:
                problem = await _from_checkpoint(service, conversation, options)
            except ClientError as exc:
                err.write(f"error: {exc}\n")
                return EXIT_CODES["connection"]
            if problem is not None:
                err.write(f"error: {problem}; nothing was sent\n")
                return EXIT_CODES["usage"]
        outgoing = _outgoing(service, conversation, options, decisions) if answering else None
        if isinstance(outgoing, Refused):
            err.write(f"error: {outgoing}; nothing was sent\n")
            return EXIT_CODES["usage"]
        if outgoing is None and options.checkpoint_id is not None and options.message is None:
            outgoing = service.run_from(conversation, options.checkpoint_id)
        if outgoing is None:
            outgoing = Outgoing(conversation, _message_request(service, options))
            outgoing.request.checkpoint_id = options.checkpoint_id
            if conversation.pending_interrupts:  # (the app asks first; here there is no one to ask)
                count = len(conversation.pending_interrupts)
                err.write(f"warning: a new message drops the thread's {count} pending interrupt(s)\n")
        outgoing.request.stream_mode = options.stream_mode
        service.recorder = recorder
        printer, on_event = printers(options.output, conversation, out, err)
        result = await service.send(outgoing, on_event=on_event)
        if not result.sent:
            err.write(f"error: {result.problem}\n")
            return EXIT_CODES["connection"]
        return report(result, conversation, options.output, printer, out, err)


def printers(
    output: str, conversation: Conversation, out: TextIO, err: TextIO
) -> tuple[HumanPrinter, Callable[[StreamEvent], None] | None]:
    """The printer of *output* (human, raw or json) and what to call after each event."""
    printer = HumanPrinter(out, err, color=out.isatty() and "NO_COLOR" not in os.environ)
    if output == "raw":
        return printer, raw_printer(out, err)
    if output == "human":
        return printer, lambda _event: printer.show(conversation)
    return printer, None


def report(
    result: SendOutcome, conversation: Conversation, output: str, printer: HumanPrinter, out: TextIO, err: TextIO
) -> int:
    """What is printed once the run is over (live or played back), and the exit code."""
    if output == "human":
        printer.show(conversation)
        printer.show_pending(conversation)
        printer.finish()
    outcome = result.outcome or RunOutcome.UNKNOWN
    if output == "json":
        out.write(json_document(conversation, result.thread_id, result.run_id, str(outcome)) + "\n")
        out.flush()
    if result.problem is not None:
        err.write(f"error: {result.problem}\n")
    if output != "json":
        err.write(f"thread {result.thread_id}  run {result.run_id}  {outcome}\n")
    if outcome is RunOutcome.SUCCESS:
        return EXIT_CODES["success"]
    if outcome is RunOutcome.INTERRUPTED:
        if output != "json":
            err.write("".join(f"{line}\n" for line in answer_hints(conversation.pending_interrupts, result.thread_id)))
        return EXIT_CODES["interrupted"]
    return EXIT_CODES["run_error"]


async def _from_checkpoint(service: ChatService, conversation: Conversation, options: StreamCommand) -> str | None:
    """Start the conversation at ``--checkpoint`` (after checking the thread's history has it: an
    unknown checkpoint would put the thread into error); why not, when it cannot be."""
    thread_id, checkpoint_id = options.thread_id or "", options.checkpoint_id or ""
    if await service.timeline(thread_id).get(checkpoint_id) is None:
        return f"thread {clean_line(thread_id, 60)} has no checkpoint {clean_line(checkpoint_id, 60)}"
    await service.show_checkpoint(conversation, checkpoint_id)
    return None


def _message_request(service: ChatService, options: StreamCommand) -> TurnRequest:
    return TurnRequest(
        assistant_id=service.assistant_for(options.thread_id),
        thread_id=options.thread_id,
        text=options.message,
        config=options.config,
        context=options.context,
        stream_subgraphs=options.stream_subgraphs,
    )


def _outgoing(
    service: ChatService, conversation: Conversation, options: StreamCommand, decisions: list[Decision]
) -> Outgoing | Refused:
    """The answer to send, or why it cannot be (with ``--thread``: the cli makes sure of it)."""
    try:
        return answer_outgoing(
            service,
            conversation,
            decisions=decisions,
            resume=options.resume,
            has_resume=options.has_resume,
            interrupt_id=options.interrupt_id,
        )
    except Refused as exc:
        return exc
