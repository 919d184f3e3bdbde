"""The chat screen's event inspector (F12): a pane beside the messages with every SSE event of
the open thread's runs (:mod:`chat_tui.ui.widgets.event_inspector`). Made the first time it is
asked for; hidden, it stops refreshing. And the store browser (F9, :mod:`chat_tui.ui.screens.store`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding

from chat_tui.ui.screens.chat_graph import ChatGraph

if TYPE_CHECKING:
    from chat_tui.ui.widgets.event_inspector import EventInspector

__all__ = ["ChatInspector"]


class ChatInspector(ChatGraph):
    BINDINGS = [
        Binding(
            "f12",
            "inspector",
            "Events",
            show=False,
            priority=True,  # (also from the composer)
            tooltip="Event inspector: every SSE event of this thread's runs",
            id="chat.inspector",
        ),
        Binding(
            "f9",
            "store",
            "Store",
            show=False,
            priority=True,  # (also from the composer)
            tooltip="Store browser: the server's namespaces and items",
            id="chat.store",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.inspector: EventInspector | None = None

    @property
    def inspector_shown(self) -> bool:
        return self.inspector is not None and self.inspector.display

    async def action_inspector(self) -> None:
        """Show the event inspector (and focus it), or hide it (the composer gets the focus)."""
        inspector = self.inspector
        if inspector is None:
            from chat_tui.ui.widgets.event_inspector import EventInspector

            inspector = self.inspector = EventInspector(lambda: self.conversation.events, id="inspector")
            await self.query_one("#main").mount(inspector)
            inspector.focus_list()
            return
        if inspector.display:
            inspector.shown(False)
            self.composer.focus()
        else:
            inspector.shown(True)
            inspector.focus_list()

    def action_store(self) -> None:
        if self.service is None:
            self.notify("not connected to a server", severity="warning", markup=False)
            return
        from chat_tui.ui.screens.store import StoreScreen

        self.app.push_screen(StoreScreen(self.service.client))

    def on_event_inspector_leave(self) -> None:
        self.composer.focus()
