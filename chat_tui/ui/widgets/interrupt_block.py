"""A pending (or answered) ``interrupt()`` in the message pane: what the graph asks, and how to answer.

A value interrupt is answered from the composer. An interrupt about gated tool calls lists them,
one line each with what each allows and what was chosen; the decisions are made on the calls'
tool panels (``a e r t``), or here, in order, for a call no panel shows (an agent-inbox request
about an action the model did not stream).
"""

from __future__ import annotations

import json

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from chat_tui.conversation import InterruptEntry
from chat_tui.conversation.interrupts import DECISIONS
from chat_tui.conversation.subgraphs import path_label
from chat_tui.run_config import schema_fields
from chat_tui.ui.format import args_summary
from chat_tui.ui.widgets.entries_base import EntryWidget
from chat_tui.ui.widgets.tool_panel import DECIDE_GROUP, DECISION_KEYS, DEFAULT_DESCRIPTION, ToolPanel

__all__ = ["InterruptBlock"]


class InterruptBlock(EntryWidget):
    """A pending ``interrupt()``: what the graph asks, and how to answer."""

    BINDINGS = [
        Binding("a", "decide('approve')", "Approve", id="interrupt.approve", group=DECIDE_GROUP),
        Binding("e", "decide('edit')", "Edit", id="interrupt.edit", group=DECIDE_GROUP),
        Binding("r", "decide('reject')", "Reject", id="interrupt.reject", group=DECIDE_GROUP),
        Binding("t", "decide('respond')", "Respond", id="interrupt.respond", group=DECIDE_GROUP),
        Binding(
            "f", "form", "Form", tooltip="Answer with a form built from the question's schema", id="interrupt.form"
        ),
    ]

    class FormRequested(Message):
        """The user wants to answer *entry* with the form its schema describes."""

        def __init__(self, entry: InterruptEntry) -> None:
            super().__init__()
            self.entry = entry

    def __init__(self, entry: InterruptEntry) -> None:
        super().__init__(entry.seq, "interrupt-block")
        self.entry = entry
        self._label = Static(classes="label")
        self._calls = Static(classes="body")
        self._hint = Static(classes="hint")

    def compose(self) -> ComposeResult:
        yield self._label
        entry = self.entry
        if entry.calls:
            yield self._calls
        else:
            yield Static(Content(entry.question), classes="body")
            value = entry.value
            if isinstance(value, dict) and len(value) > 1:
                details = {k: v for k, v in value.items() if k not in ("question", "message")}
                yield Static(Content(json.dumps(details, indent=2, ensure_ascii=False, default=str)), classes="details")
        yield self._hint

    def on_mount(self) -> None:
        self._render_state()

    def _render_state(self) -> None:
        entry = self.entry
        resolved = entry.resolved
        waiting = "your decision" if entry.calls else "your answer"
        label = f"⏸ waiting for {waiting}" if not resolved else "⏸ answered" if entry.answered else "⏸ not answered"
        where = f"  · in {path_label(entry.namespace)}" if entry.namespace else ""  # raised inside a subgraph
        self._label.update(Content.assemble((label, "bold $warning"), (where, "$accent")))
        self.set_class(bool(entry.namespace), "-nested")
        if entry.calls:
            self._calls.update(self._calls_content())
        if not resolved:
            hint = Content.styled(self._how_to_answer(), "$text-muted italic")
        elif (
            entry.answered and not entry.answered_decisions
        ):  # the answer stays with the question, live and when the thread is reopened
            hint = Content.assemble(("you answered: ", "$text-muted"), (entry.answer_text, "bold"))
        else:
            hint = Content("")
        self._hint.update(hint)
        self.set_class(resolved, "-resolved")
        self.refresh_bindings()

    def _calls_content(self) -> Content:
        entry = self.entry
        chosen = entry.answered_decisions if entry.resolved else entry.decisions
        lines: list[Content] = []
        for position, call in enumerate(entry.calls):
            decision = chosen[position] if position < len(chosen) else None
            parts: list[tuple[str, str] | str] = [
                (f"{position + 1}. ", "$text-muted"),
                (call.name or "tool", "bold"),
                (f"  {args_summary(call.args, 40)}", "$text-muted"),
            ]
            if decision is not None:
                parts.append((f"  ✓ {decision.summary}"[:200], "$success"))
            elif not entry.resolved:
                parts.append((f"  ({' · '.join(call.allowed)})", "$text-muted"))
            description = call.description.strip()
            if description and not description.startswith(DEFAULT_DESCRIPTION):
                parts.append((f"\n   {description.splitlines()[0][:200]}", "italic"))
            lines.append(Content.assemble(*parts))
        return Content("\n").join(lines)

    def _how_to_answer(self) -> str:
        entry = self.entry
        if not entry.calls:
            if self.has_form:
                return "Tab, then f: a form for the answer it expects (or type the answer as JSON and press Enter)."
            return "Type an answer (yes / no / JSON) and press Enter to resume the run."
        allowed = {d for call in entry.calls for d in call.allowed}  # (only the keys that do something here)
        keys = " · ".join(f"{DECISION_KEYS[d]} {d}" for d in DECISIONS if d in allowed)
        how = f"Here, call by call: {keys}." if self._unattached() is not None else f"Tab, then on each call: {keys}."
        if len(entry.calls) == 1:
            return f"{how} Sent after asking."
        return f"{how} Nothing is sent until every call has a decision; then all go as one answer (after asking)."

    def _unattached(self) -> int | None:
        """The first undecided call no tool panel shows (decided here, in order): known from the
        conversation, not from what is mounted yet."""
        entry = self.entry
        if entry.resolved:
            return None
        return next((p for p, d in enumerate(entry.decisions) if d is None and p not in entry.attached), None)

    async def sync(self) -> None:
        self._render_state()

    def action_decide(self, decision: str) -> None:
        position = self._unattached()
        if position is None:
            return
        call = self.entry.calls[position]
        if decision not in call.allowed:
            self.notify(f"{call.name} allows {' or '.join(call.allowed)}, not {decision}", markup=False)
            return
        self.post_message(ToolPanel.Decide(self, self.entry, position, decision))

    @property
    def has_form(self) -> bool:
        """The question describes its answer with fields a form can show."""
        entry = self.entry
        return not entry.resolved and entry.schema is not None and bool(schema_fields(dict(entry.schema)))

    def action_form(self) -> None:
        if self.has_form:
            self.post_message(self.FormRequested(self.entry))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "form":
            return self.has_form
        if action == "decide":
            return self.is_mounted and self._unattached() is not None
        return True

    def copy_text(self) -> str:
        return json.dumps(self.entry.value, ensure_ascii=False, default=str)
