"""Focus changes that restyle one widget, not its whole subtree."""

from __future__ import annotations

from textual.widget import Widget

__all__ = ["OwnFocusStyles"]


class OwnFocusStyles(Widget):
    """A widget whose focus changes restyle only itself.

    Textual restyles a widget *and every descendant* when it gains or loses focus
    (``Widget.watch_has_focus`` → ``App.update_styles``). For the message pane that is every
    widget of every mounted message: with 50 Markdown answers mounted, one focus change of
    the pane took about a second (``python -m tests.benchmarks --only long_thread``). In our
    stylesheets only the focused widget's own ``:focus`` rule depends on it (children draw on
    its background), so restyling the widget alone gives the same picture.

    List it *after* the Textual base (``class Pane(VerticalScroll, OwnFocusStyles)``):
    Textual takes a widget's default CSS from the first base class only.
    """

    def watch_has_focus(self, _has_focus: bool) -> None:
        self.app.stylesheet.update_nodes([self], animate=True)
