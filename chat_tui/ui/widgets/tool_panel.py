"""A panel per tool call: live arguments, status, and the result attached when it arrives.

While arguments stream they show as raw text (plain :class:`Content`, never markup); once
they parse they show as pretty-printed, highlighted JSON. When the result arrives the
panel collapses to one line (name, key arguments, result size) unless the user opened it.
Large results are mounted only when the panel is expanded, in a line-virtualised
:class:`~chat_tui.ui.widgets.line_view.LineView`, never as one giant ``Static`` or ``Markdown``;
folded, they show what they are (their JSON shape, or a text's line count) and their first lines.
"""

from __future__ import annotations

import json

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import var
from textual.widget import Widget
from textual.widgets import Static

from chat_tui.conversation import ChatMessage, InterruptEntry, ToolCallEntry, ToolStatus
from chat_tui.conversation.json_text import pretty_json, preview, split_lines
from chat_tui.ui.clipboard import save_text
from chat_tui.ui.format import args_summary, human_size
from chat_tui.ui.widgets.focus import OwnFocusStyles
from chat_tui.ui.widgets.line_view import LineView

__all__ = ["ToolPanel", "ToolResultView", "result_text"]

SMALL_RESULT = 2_000  # characters: above this a result is shown in a LineView, and only when expanded
WRAP_MIN, WRAP_MARGIN = 40, 12  # a large result's lines are cut to the window's width less the pane's margins
ARGS_SHOWN = 20_000  # characters of streaming arguments kept on screen
PREVIEW_WIDTH = 200  # characters of each of a large result's first lines, shown while it is folded

_ICONS = {
    ToolStatus.STREAMING: ("◌", "$warning"),
    ToolStatus.WAITING: ("⏳", "$warning"),
    ToolStatus.UNANSWERED: ("∅", "$text-muted"),
    ToolStatus.DONE: ("✓", "$success"),
    ToolStatus.ERROR: ("✗", "$error"),
}


def highlight(code: str, language: str) -> Content:
    """Textual's highlighter, imported on first use (it brings Pygments: start-up time)."""
    from textual.highlight import highlight as textual_highlight

    return textual_highlight(code, language=language)


def _section(name: str) -> Content:
    """A small label over a block of the expanded panel (arguments, result): they read as one otherwise."""
    return Content.styled(f"{name}\n", "italic $text-muted")


def _tail(parts: list[str], limit: int) -> str:
    """The last *limit* characters of the joined parts, joining only those (per flush: not O(all))."""
    size, start = 0, len(parts)
    while start > 0 and size < limit:
        start -= 1
        size += len(parts[start])
    return "".join(parts[start:])[-limit:]


def result_text(result: ChatMessage) -> str:
    """A tool result for display: pretty JSON when it is JSON, else the text as is."""
    return pretty_json(result.text)[0]


def preview_content(result: ChatMessage) -> Content:
    """A large result, folded: what it is (its JSON shape, or a text's line count) and its first lines."""
    shown = preview(result.text)
    head = "\n".join(line[:PREVIEW_WIDTH] for line in shown.head)
    return Content.assemble(
        (f"{shown.summary} · Enter shows all\n", "italic $text-muted"),  # (the header gives its size)
        (head + ("\n…" if shown.more else ""), "$text-muted"),
    )


class ToolResultView(Vertical):
    """The result of a tool call: a Static when small, a line-virtualised LineView when large."""

    def __init__(self, result: ChatMessage) -> None:
        super().__init__(classes="tool-result" + (" -error" if result.tool_status == "error" else ""))
        self.result = result

    def compose(self) -> ComposeResult:
        text, is_json = pretty_json(self.result.text)
        label = _section("error" if self.result.tool_status == "error" else "result")
        if len(text) <= SMALL_RESULT:
            shown = highlight(text, language="json") if is_json else Content(text or "(empty result)")
            yield Static(Content.assemble(label, shown), classes="tool-result-text")
        else:  # (long lines are cut to the pane's width here, so all of it can be read without scrolling sideways)
            width = max(WRAP_MIN, self.app.size.width - WRAP_MARGIN)
            lines = split_lines(text, width)
            size = human_size(len(self.result.text.encode("utf-8")))
            about = f" · {size} · {len(lines):,} lines · s saves it to a file"
            yield Static(Content.assemble(label.rstrip("\n"), (about, "$text-muted")), classes="tool-result-label")
            yield LineView(lines, classes="tool-result-log")


DECIDE_GROUP = Binding.Group("Decide", compact=True)  # (a e r t: one footer entry, so the footer still fits)


def approval_content(entry: InterruptEntry, position: int) -> Content:
    """The line under a gated call: what is allowed, on which keys, and what was chosen."""
    call = entry.calls[position]
    keys = " · ".join(f"{DECISION_KEYS[d]} {d}" for d in call.allowed)
    chosen = entry.decisions[position] if position < len(entry.decisions) else None
    if chosen is None:
        description = call.description.strip()
        said = "" if not description or description.startswith(DEFAULT_DESCRIPTION) else description.splitlines()[0]
        return Content.assemble(
            ("⏸ your decision: ", "bold $warning"), (keys, "$text"), (f"  {said[:160]}" if said else "", "italic")
        )
    said = f" — {chosen.message}" if chosen.message else ""
    if chosen.type == "edit":
        said = " — " + json.dumps(dict(chosen.args or {}), ensure_ascii=False)
    waiting = sum(1 for d in entry.decisions if d is None)
    more = f" · {waiting} more to decide" if waiting else ""
    return Content.assemble(
        ("✓ you chose: ", "bold $success"),
        (f"{chosen.type}{said}"[:120], "bold"),
        (f"{more} · {''.join(DECISION_KEYS[d] for d in call.allowed)} to change", "$text-muted"),
    )


DEFAULT_DESCRIPTION = "Tool execution requires approval"  # the middleware's default: it repeats the arguments
DECISION_KEYS = {"approve": "a", "edit": "e", "reject": "r", "respond": "t"}


class ToolPanel(Vertical, OwnFocusStyles, can_focus=True):
    """One tool call. Enter or space toggles it; a call waiting for approval takes a, e, r or t."""

    BINDINGS = [
        Binding("enter,space", "toggle_panel", "Toggle", tooltip="Expand or collapse the tool call", id="tool.toggle"),
        Binding("s", "save_result", "Save", tooltip="Save the whole result to a file", id="tool.save"),
        Binding("a", "decide('approve')", "Approve", tooltip="Approve the call", id="tool.approve", group=DECIDE_GROUP),
        Binding(
            "e", "decide('edit')", "Edit", tooltip="Edit its arguments, then run it", id="tool.edit", group=DECIDE_GROUP
        ),
        Binding(
            "r", "decide('reject')", "Reject", tooltip="Reject it (with a reason)", id="tool.reject", group=DECIDE_GROUP
        ),
        Binding(
            "t",
            "decide('respond')",
            "Respond",
            tooltip="Answer for the tool (the text it returns)",
            id="tool.respond",
            group=DECIDE_GROUP,
        ),
    ]

    class Decide(Message):
        """The user chose a decision on a gated call (the screen asks what it needs and records it)."""

        def __init__(self, panel: Widget, entry: InterruptEntry, position: int, decision: str) -> None:
            super().__init__()
            self.panel = panel
            self.entry = entry
            self.position = position
            self.decision = decision

    expanded: var[bool] = var(True, toggle_class="-expanded")

    def __init__(self, call: ToolCallEntry) -> None:
        super().__init__(classes="tool-panel")
        self.call = call
        self._header = Static(classes="tool-header")
        self._approval = Static(classes="tool-approval")  # a pending approval's decision line
        self._approval.display = False
        self._gated = False  # the approval line (and its keys) shown
        self._args = Static(classes="tool-args")
        self._preview = Static(classes="tool-preview")  # a large result's summary and first lines, folded
        self._preview.display = False
        self._previewed: ChatMessage | None = None
        self._args_parts = -1
        self._args_final = False
        self._status: ToolStatus | None = None
        self._result_view: ToolResultView | None = None
        self._user_toggled = False
        # Finished calls (history) are built folded, so they never flash open.
        self.set_reactive(ToolPanel.expanded, call.status not in (ToolStatus.DONE, ToolStatus.ERROR))

    def compose(self) -> ComposeResult:
        yield self._header
        yield self._approval
        yield self._preview
        yield self._args

    def on_mount(self) -> None:
        self.set_class(self.expanded, "-expanded")
        self.sync()

    # -- rendering ----------------------------------------------------------------------

    def header_content(self) -> Content:
        call = self.call
        icon, color = _ICONS[call.status]
        if call.args_valid is False:
            icon, color = "⚠", "$warning"
        arrow = "▼" if self.expanded else "▶"
        parts: list[tuple[str, str] | str | Content] = [
            (f"{arrow} ", "$text-muted"),
            (f"{icon} ", color),
            (call.name or "tool", "bold"),
        ]
        summary = args_summary(call.args) if call.args_valid else ""
        if summary:
            parts.append((f"  {summary}", "$text-muted"))
        if call.args_valid is False:
            parts.append(("  invalid JSON arguments", "$warning"))
        if call.result is not None:
            size = human_size(len(call.result.text.encode("utf-8")))
            label = "error" if call.status is ToolStatus.ERROR else "result"
            parts.append((f"  → {label} {size}", "$error" if call.status is ToolStatus.ERROR else "$text-muted"))
        elif call.status is ToolStatus.WAITING and call.gate is not None:
            parts.append(("  waits for your decision", "$warning italic"))
        elif call.status is ToolStatus.WAITING:
            parts.append(("  waiting for result…", "$text-muted italic"))
        elif call.status is ToolStatus.UNANSWERED:
            parts.append(("  no result: the run ended first", "$text-muted italic"))
        elif call.status is ToolStatus.STREAMING:
            parts.append(("  arguments streaming…", "$text-muted italic"))
        return Content.assemble(*parts)

    def sync(self) -> None:
        """Bring the panel up to date with its call (cheap when nothing changed)."""
        call = self.call
        if call.status is not self._status:
            finished = call.status in (ToolStatus.DONE, ToolStatus.ERROR)
            if finished and not self._user_toggled:
                self.expanded = False
            self._status = call.status
            self.set_class(call.status is ToolStatus.ERROR, "-error")
        if call.args_valid is not None and not self._args_final:
            self._args_final = True
            if call.args_valid:
                pretty = json.dumps(call.args, indent=2, ensure_ascii=False, default=str)
                self._args.update(Content.assemble(_section("arguments"), highlight(pretty, language="json")))
            else:
                self._args.update(Content.assemble(_section("arguments"), call.args_text[-ARGS_SHOWN:]))
        elif not self._args_final and len(call.args_parts) != self._args_parts:
            self._args_parts = len(call.args_parts)
            self._args.update(Content.assemble(_section("arguments"), _tail(call.args_parts, ARGS_SHOWN) or "…"))
        self._header.update(self.header_content())
        gate = call.gate
        if (gate is not None) != self._gated:  # (not per streamed chunk: that redoes the footer every time)
            self._gated = gate is not None
            self._approval.display = self._gated
            self.refresh_bindings()  # a e r t come and go with the approval
        if gate is not None:
            self._approval.update(approval_content(*gate))
        result = call.result
        large = result is not None and len(result.text) > SMALL_RESULT
        if result is not None and large and result is not self._previewed:
            self._previewed = result
            self._preview.update(preview_content(result))  # (the pretty text is kept for expanding)
        self._preview.display = large and not self.expanded
        if self.expanded and call.result is not None and self._result_view is None:
            self._result_view = ToolResultView(call.result)
            self.mount(self._result_view)

    def watch_expanded(self, expanded: bool) -> None:
        if not self.is_mounted:
            return
        if not expanded and self._result_view is not None and len(self._result_view.result.text) > SMALL_RESULT:
            self._result_view.remove()  # large results leave the DOM when folded away
            self._result_view = None
        self.sync()

    def action_toggle_panel(self) -> None:
        self._user_toggled = True
        self.expanded = not self.expanded
        if self.expanded:
            self.call_after_refresh(self.scroll_visible)

    def action_save_result(self) -> None:
        result = self.call.result
        if result is None:
            self.notify("no result to save yet", markup=False)
            return
        text, is_json = pretty_json(result.text)
        name = f"{self.call.name or 'tool'}-{self.call.id or 'result'}.{'json' if is_json else 'txt'}"
        path = save_text("tool-results", name, text)
        if path is None:
            self.notify("could not save the result to the data directory", severity="error", markup=False)
        else:
            self.notify(f"saved the result ({human_size(len(text.encode('utf-8')))}) to {path}", markup=False)

    def action_decide(self, decision: str) -> None:
        gate = self.call.gate
        if gate is None:
            return
        allowed = gate[0].calls[gate[1]].allowed
        if decision not in allowed:  # (said, not typed into the composer: the user meant a decision)
            self.notify(f"{self.call.name} allows {' or '.join(allowed)}, not {decision}", markup=False)
            return
        self.post_message(self.Decide(self, gate[0], gate[1], decision))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        gate = self.call.gate
        if action == "save_result":
            return self.call.result is not None
        if action == "decide":
            return gate is not None
        if action == "toggle_panel":
            return gate is None  # (a call waiting for approval stays open: its arguments are the question)
        return True

    def copy_text(self) -> str:
        """What the copy action puts on the clipboard for this call."""
        call = self.call
        args = json.dumps(call.args, indent=2, ensure_ascii=False, default=str) if call.args_valid else call.args_text
        text = f"{call.name}({args})"
        if call.result is not None:
            text += f"\n→ {result_text(call.result)}"
        return text
