"""Every module chat-tui imports late on purpose, and why: the one list.

The app's first frame waits for nothing it does not draw: the typed protocol (pydantic),
httpx and Markdown were about 0.15 s of a 0.5 s start (``python -m tests.benchmarks
--only startup``). So some modules are imported inside the function that first needs them,
or through a package's module ``__getattr__``. Each such import names a module listed here
(``tests/unit/test_deferred_imports.py`` checks both ways), and
``tests/ui/test_startup_imports.py`` proves at run time that the ``CONNECTED`` and
``ON_USE`` modules are not loaded when the first frame is written, and that the
``CONNECTED`` ones are once the app has connected.

An entry with ``via`` is not imported late itself: the listed module *via* loads it.
No imports here: this module is read by tests and must not change what it lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

__all__ = ["DEFERRED", "Deferred", "Load"]


class Load(Enum):
    """When a deferred module is loaded."""

    CONNECTED = "after the first frame, when the app connects"
    ON_USE = "after the first frame, when what needs it is first used"
    LOCAL = "where it is used, for a reason other than the first frame"


@dataclass(frozen=True, slots=True)
class Deferred:
    module: str
    load: Load
    why: str
    via: str | None = None


_C, _U, _L = Load.CONNECTED, Load.ON_USE, Load.LOCAL

DEFERRED: tuple[Deferred, ...] = (
    # -- loaded when the app connects (after its first frame) --------------------------------
    Deferred("chat_tui.client.client", _C, "the HTTP client (Connection.client, chat_tui.client's __getattr__)"),
    Deferred("chat_tui.client.stream", _C, "the run stream (chat_tui.client's __getattr__)"),
    Deferred("chat_tui.client.events", _C, "the typed stream events (Turn, on its first event)"),
    Deferred("chat_tui.client.models", _C, "the protocol's pydantic models", via="chat_tui.client.client"),
    Deferred("chat_tui.client.http", _C, "the HTTP policy, on httpx", via="chat_tui.client.client"),
    Deferred(
        "pydantic", _C, "its import and first models: with httpx, 0.15 s of a 0.5 s start", via="chat_tui.client.models"
    ),
    Deferred("httpx", _C, "the HTTP library", via="chat_tui.client.http"),
    Deferred(
        "chat_tui.conversation.state",
        _C,
        "the conversation state reads the typed models (the screen's new_conversation, the sidebar's "
        "first messages, chat_tui.conversation's __getattr__)",
    ),
    Deferred("chat_tui.service.recording", _C, "the app's recorder (F10 saves the last run), made when it connects"),
    # -- loaded when a feature is first used ---------------------------------------------------
    Deferred("httpx_sse._decoders", _U, "the SSE field decoder (it imports httpx), made for a run's first stream"),
    Deferred("chat_tui.ui.widgets.markdown", _U, "assistant messages' Markdown (the first one built): markdown-it"),
    Deferred("textual.widgets._markdown", _U, "Markdown's block classes (textual_compat's __getattr__)"),
    Deferred("markdown_it", _U, "the Markdown parser", via="textual.widgets._markdown"),
    Deferred("textual.highlight", _U, "a tool panel's highlighted JSON, when first expanded: Pygments"),
    Deferred("pygments", _U, "syntax highlighting", via="textual.highlight"),
    Deferred("chat_tui.ui.screens.connect", _U, "the connect screen: no saved connection, or the palette"),
    Deferred("chat_tui.ui.screens.help", _U, "F1 (and it imports the app to read its bindings: a cycle)"),
    Deferred("chat_tui.ui.screens.assistants", _U, "F2"),
    Deferred("chat_tui.ui.screens.run_config", _U, "F3"),
    Deferred("chat_tui.ui.screens.options", _U, "F4"),
    Deferred("chat_tui.ui.screens.inbox", _U, "F6: the threads waiting for a human"),
    Deferred("chat_tui.ui.widgets.event_inspector", _U, "F12: the event inspector"),
    Deferred("chat_tui.ui.screens.store", _U, "F9: the store browser"),
    Deferred("chat_tui.ui.widgets.graph_view", _U, "ctrl+\\: the graph view (its layout modules with it)"),
    Deferred("chat_tui.service.graph", _U, "ctrl+\\: the graph view's graphs"),
    Deferred("chat_tui.ui.screens.answer_form", _U, "`f` on a question whose interrupt has a response schema"),
    Deferred("chat_tui.ui.screens.edit_args", _U, "`e` on a gated tool call: its arguments as JSON"),
    Deferred("chat_tui.demo.launcher", _U, "--demo (the app, `chat-tui stream --demo`, the screenshots)"),
    Deferred("rich.traceback", _U, "a crash report (textual_compat)"),
    Deferred("chat_tui.logfile", _U, "a failed task's report: the log file is set up on the first failure"),
    Deferred("logging", _L, "the log file's writer, on the first failure (Textual loads it anyway)"),
    Deferred("logging.handlers", _U, "the log file's rotation, on the first failure"),
    Deferred("traceback", _L, "a failed task's traceback, for the log file (Textual loads it anyway)"),
    Deferred("chat_tui.ui.screens.save_test", _U, "Ctrl+L: the dialog that saves the thread as a test"),
    Deferred("chat_tui.ui.screens.file_dialogs", _U, "F10 and Ctrl+S: where to write a recording or an export"),
    Deferred("chat_tui.service.recording_files", _U, "F10: runs recorded to a file, or the last run saved"),
    Deferred("chat_tui.service.export", _U, "Ctrl+S and Ctrl+G: the thread as Markdown, JSON or JSONL"),
    Deferred("chat_tui.conversation.recall", _U, "opening a thread: its live details, recalled after the first paint"),
    # -- imported where they are used, for other reasons -----------------------------------------
    Deferred("chat_tui.launch", _L, "cli: each command imports what it runs (config and stream never load Textual)"),
    Deferred("chat_tui.settings.commands", _L, "cli: `chat-tui config` only"),
    Deferred("chat_tui.headless", _L, "cli: `chat-tui stream` only"),
    Deferred("chat_tui.inbox_command", _L, "cli: `chat-tui inbox` only"),
    Deferred("chat_tui.headless_record", _L, "cli: `chat-tui stream --record` and `--replay` only"),
    Deferred("chat_tui.client.recording", _L, "launch: `chat-tui replay` reads its file before the app starts"),
    Deferred("chat_tui.client.recording_reader", _L, "launch: `chat-tui replay` reads its file before the app starts"),
    Deferred("chat_tui.ui.replay_app", _L, "launch: `chat-tui replay` only"),
    Deferred("chat_tui.screenshots.png", _L, "the screenshots: PNGs, once the SVGs are written"),
    Deferred("chat_tui.ui.screens.replay", _L, "the screenshots' replay scene (`chat-tui replay`: with its app)"),
    Deferred("chat_tui.service.replay", _L, "the replay screen's playback (`chat-tui replay` only)"),
    Deferred("chat_tui.export_command", _L, "cli: `chat-tui export` only"),
    Deferred("chat_tui.history_command", _L, "cli: `chat-tui history`, `state` and `runs` only"),
    Deferred("chat_tui.store_command", _L, "cli: `chat-tui store` only"),
    Deferred("chat_tui.testing.command", _L, "cli: `chat-tui test` only (it loads PyYAML and the runner)"),
    Deferred("chat_tui.testing.session", _L, "cli: `chat-tui test --tui` and `test view` only (and the screenshots)"),
    Deferred("chat_tui.testing.loader", _L, "the screenshots' test results scene (PyYAML: only when it runs)"),
    Deferred("chat_tui.ui.screens.test_results", _U, "the test results view: only with --tui or `test view`"),
    Deferred("chat_tui.screenshots", _L, "the screenshots' extra scenes use its helpers (it imports them: a cycle)"),
    Deferred("chat_tui.demo.embeddings", _L, "the demo server's child: the store index's size, when it starts"),
    Deferred("chat_tui.testing.result_file", _L, "cli: `chat-tui test view` reads a results file (pydantic)"),
    Deferred("chat_tui.testing.diff", _L, "cli: `chat-tui test diff` only (it loads pydantic)"),
    Deferred(
        "chat_tui.testing.record_command",
        _L,
        "cli: `chat-tui test record` only; the app: saving a thread as a test (Ctrl+L), when it is first used",
    ),
    Deferred("chat_tui.testing.record", _L, "the app: a thread read to save it as a test (Ctrl+L), when first used"),
    Deferred("chat_tui.testing.yaml_edit", _L, "a scenario file edited (ruamel.yaml): only when one is written"),
    Deferred("chat_tui.testing.arguments", _L, "cli: the `test` options live beside the runner (light: argparse)"),
    Deferred("chat_tui.settings.profiles", _L, "cli: `chat-tui stream --profile` only"),
    Deferred("chat_tui.connection", _L, "cli and launch: only once arguments are parsed (and the screenshots)"),
    Deferred("chat_tui.client.errors", _L, "cli: `chat-tui stream` and `chat-tui inbox` only"),
    Deferred(
        "chat_tui.client.modes", _L, "chat_tui.client's __getattr__ (light: loaded before the first frame anyway)"
    ),
    Deferred("chat_tui.client", _L, "Connection.client: importing the package loads nothing heavy"),
    Deferred("chat_tui.settings.manager", _L, "launch: only when the app runs (and the screenshots)"),
    Deferred("chat_tui.settings.userdata", _L, "the screenshots: only when they run"),
    Deferred("chat_tui.ui.app", _L, "launch and the screenshots: Textual only when the app runs; help's cycle"),
    Deferred("chat_tui.ui.screens.chat", _L, "the palette's provider and help import the screen that imports them"),
    Deferred("chat_tui.ui.widgets.composer", _L, "help reads its bindings (help is imported on F1)"),
    Deferred("chat_tui.ui.widgets.conversation_view", _L, "help reads its bindings (help is imported on F1)"),
    Deferred("chat_tui.ui.widgets.entries", _L, "help reads a message's bindings (help is imported on F1)"),
    Deferred("chat_tui.ui.screens.chat_timetravel", _L, "help reads its bindings (help is imported on F1)"),
    Deferred("chat_tui.ui.screens.chat_recordings", _L, "help reads its bindings (help is imported on F1)"),
    Deferred("chat_tui.ui.widgets.thread_list", _L, "help reads its bindings (help is imported on F1)"),
    Deferred("chat_tui.ui.screens.chat_inspector", _L, "help reads its bindings (help is imported on F1)"),
    Deferred("chat_tui.ui.screens.chat_graph", _L, "help reads its bindings (help is imported on F1)"),
    Deferred("chat_tui.ui.widgets.event_list", _L, "help reads the inspector's bindings (help is imported on F1)"),
    Deferred("chat_tui.ui.widgets.tool_panel", _L, "help reads its bindings; the screenshots expand panels"),
    Deferred(
        "chat_tui.ui.widgets.subgraph_block", _L, "help reads the subgraph header's bindings (help is imported on F1)"
    ),
    Deferred("chat_tui.ui.screens.dialogs", _L, "the sidebar's rename and delete (the chat screen loads it anyway)"),
    Deferred("chat_tui.conversation", _L, "the screenshots: only when they run"),
    Deferred("chat_tui.service.turn", _L, "the screenshots: only when they run"),
    Deferred("chat_tui.settings.paths", _L, "the demo launcher: where the server's log goes (the demo imports little)"),
    Deferred("platformdirs", _L, "paths are resolved on first use, never at import"),
    Deferred("pydantic_core", _L, "pretty JSON of big values (Rust: 3x json's indent); pydantic loads it anyway"),
    Deferred("asyncio", _L, "cli: `chat-tui stream` only"),
    Deferred("fcntl", _L, "the demo server's working-directory lock (POSIX only)"),
    Deferred("ctypes", _L, "the demo server's child process: Linux's parent-death signal"),
    Deferred("ctypes.util", _L, "the demo server's child process: Linux's parent-death signal"),
    Deferred("langgraph_cli.cli", _L, "the demo server's child process only"),
)
