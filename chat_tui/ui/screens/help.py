"""The help screen: every key binding, grouped by where it applies, read from the bindings."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from chat_tui.ui.textual_compat import PacedFrames

__all__ = ["HelpScreen", "binding_sections"]

INTRO = (
    "chat-tui talks to a LangGraph Agent Server. Type a message and press Enter; Ctrl+J adds a newline. "
    "Esc cancels a streaming run on the server. Ctrl+P opens the command palette (threads, actions, themes)."
)


_KEY_NAMES = {
    "escape": "esc",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "slash": "/",
    "delete": "Del",
    "ctrl+backslash": "ctrl+\\",
}


def _keys(binding: Binding) -> str:
    """Every key of a binding (the footer shows abbreviations; help shows them all)."""
    return " / ".join(_KEY_NAMES.get(k.strip(), k.strip()) for k in binding.key.split(","))


def binding_sections() -> list[tuple[str, list[tuple[str, str]]]]:
    """(section, [(keys, description)]) for the app, the screen and each focusable widget."""
    from chat_tui.ui.app import ChatApp
    from chat_tui.ui.screens.chat import ChatScreen
    from chat_tui.ui.screens.chat_graph import ChatGraph
    from chat_tui.ui.screens.chat_inspector import ChatInspector
    from chat_tui.ui.screens.chat_recordings import ChatRecordings
    from chat_tui.ui.screens.chat_timetravel import ChatTimeTravel
    from chat_tui.ui.widgets.composer import Composer
    from chat_tui.ui.widgets.conversation_view import ConversationView
    from chat_tui.ui.widgets.entries import AssistantMessage, UserMessage
    from chat_tui.ui.widgets.event_inspector import EventInspector
    from chat_tui.ui.widgets.event_list import EventList
    from chat_tui.ui.widgets.graph_view import GraphCanvas
    from chat_tui.ui.widgets.subgraph_block import SubgraphHeader
    from chat_tui.ui.widgets.thread_list import ThreadList
    from chat_tui.ui.widgets.tool_panel import ToolPanel

    sections = [
        (
            "Everywhere",
            [
                *ChatApp.BINDINGS,
                *ChatScreen.BINDINGS,
                *ChatTimeTravel.BINDINGS,
                *ChatInspector.BINDINGS,
                *ChatGraph.BINDINGS,
                *ChatRecordings.BINDINGS,
            ],
        ),
        ("Composer", Composer.BINDINGS),
        (
            "Messages",
            [*ConversationView.BINDINGS, *UserMessage.BINDINGS, *AssistantMessage.BINDINGS, *SubgraphHeader.BINDINGS],
        ),
        ("Tool call panel", ToolPanel.BINDINGS),
        ("Thread sidebar", ThreadList.BINDINGS),
        ("Event inspector", [*EventInspector.BINDINGS, *EventList.BINDINGS]),
        ("Graph view", GraphCanvas.BINDINGS),
    ]
    result = []
    for title, bindings in sections:
        unique = {b.id or b.key: b for b in bindings if isinstance(b, Binding) and b.description}.values()
        rows = [(_keys(b), b.tooltip or b.description) for b in unique]
        result.append((title, rows))
    result[0][1].append(("ctrl+p", "Command palette"))
    return result


class HelpScreen(PacedFrames, ModalScreen[None]):
    BINDINGS = [Binding("escape,q,f1", "dismiss", "Close", id="help.close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="help"):
            yield Static(Content.styled("chat-tui — keys", "bold $accent"), classes="help-title")
            yield Static(Content(INTRO), classes="help-intro")
            thread_id = self._open_thread_id()
            if thread_id:  # what `chat-tui --thread` and `chat-tui stream --thread` need
                yield Static(
                    Content.assemble(
                        ("This thread: ", "bold"),
                        (thread_id, "bold $accent"),
                        ("  (Ctrl+P → Copy thread id)", "$text-muted"),
                    ),
                    classes="help-section",
                )
            for title, rows in binding_sections():
                yield Static(Content.styled(title, "bold $accent"), classes="help-section")
                width = max((len(keys) for keys, _ in rows), default=0) + 2
                lines = [Content.assemble((keys.ljust(width), "bold"), description) for keys, description in rows]
                yield Static(Content("\n").join(lines), classes="help-rows")
            yield Static(Content.styled("Esc closes this screen", "$text-muted"), classes="help-intro")

    def _open_thread_id(self) -> str | None:
        from chat_tui.ui.screens.chat import ChatScreen

        chat = next((s for s in reversed(self.app.screen_stack) if isinstance(s, ChatScreen)), None)
        return chat.conversation.thread_id if chat is not None else None

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
