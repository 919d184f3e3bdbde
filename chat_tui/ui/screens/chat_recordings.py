"""The chat screen's recordings and exports: F10 records the current and next runs to a file (● REC
in the status line until stopped) or saves the last run; Ctrl+S exports the thread (md, json, jsonl,
as ``chat-tui export``); Ctrl+G copies the thread as Markdown (OSC 52, and the clipboard file);
Ctrl+L saves the thread as a test (a scenario appended to a ``chat-tui test`` file).

A base class of :class:`~chat_tui.ui.screens.chat.ChatScreen`. What is written, and how, is the
service's (:mod:`chat_tui.service.recording_files`, :mod:`chat_tui.service.export`) and the test
use case's (:mod:`chat_tui.testing.record`, :mod:`chat_tui.testing.record_command`); this maps
keys to it and its outcomes to notifications.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.binding import Binding

from chat_tui.client.errors import ClientError
from chat_tui.errors import ChatTuiError
from chat_tui.sanitize import clean_line
from chat_tui.ui.screens.chat_extras import ChatExtras
from chat_tui.ui.widgets.conversation_view import ConversationView

if TYPE_CHECKING:
    from chat_tui.service.recording_files import RecordingToFile
    from chat_tui.testing.record import RecordOptions

__all__ = ["ChatRecordings"]


def _where(path: Path) -> str:
    """The file as the notification names it: its absolute path (the app's folder may be anywhere)."""
    return clean_line(str(path.absolute()), 200)


class ChatRecordings(ChatExtras):
    BINDINGS = [
        Binding(
            "f10",
            "record",
            "Record",
            show=False,
            tooltip="Record the current and next runs to a file (or stop), or save the last run",
            id="chat.record",
        ),
        Binding("ctrl+s", "export", "Export", show=False, tooltip="Export this thread to a file", id="chat.export"),
        Binding(
            "ctrl+g",
            "copy_thread",
            "Copy thread",
            show=False,
            tooltip="Copy this thread as Markdown",
            id="chat.copy-thread",
        ),
        Binding(
            "ctrl+l",
            "save_test",
            "Save as test",
            show=False,
            tooltip="Save this thread as a test: a scenario appended to a chat-tui test file",
            id="chat.save-test",
        ),
    ]

    recording_file: RecordingToFile | None = None  # the file the runs are recorded to, while they are
    record_path = ""  # the path last typed in the recording dialog (offered again)
    export_format = "md"
    test_path = ""  # the scenario file last saved to (offered again)
    test_options: RecordOptions | None = None  # the expectations kept last time (offered again)

    def _stem(self) -> str:
        return f"./{self.conversation.thread_id or 'conversation'}"

    # -- recordings -----------------------------------------------------------------------------

    @work(group="record", exclusive=True, exit_on_error=False)
    async def action_record(self) -> None:
        service = self.service
        recorder = service.recorder if service is not None else None
        if recorder is None:
            self.notify("recordings are made of runs on a server: connect first", severity="warning", markup=False)
            return
        from chat_tui.ui.screens.file_dialogs import RecordScreen

        recording = self.recording_file
        dialog = RecordScreen(
            self.record_path or f"{self._stem()}.sse",
            recording_to=str(recording.path) if recording is not None else None,
            runs=recording.runs if recording is not None else 0,
            can_save=bool(recorder.kept),
        )
        choice = await self.app.push_screen_wait(dialog)
        if choice is None:
            return
        if choice.typed:
            self.record_path = choice.typed
        if choice.action == "stop":
            self.stop_recording()
            return
        assert choice.path is not None
        from chat_tui.service.recording_files import RecordingToFile, save_last_run

        try:
            if choice.action == "save":
                save_last_run(recorder, choice.path, force=choice.force)
                self.notify(f"saved the last run to {_where(choice.path)}", markup=False)
                return
            self.recording_file = RecordingToFile(recorder, choice.path, force=choice.force)
        except ChatTuiError as exc:  # (OutputRefused, NothingToSave: one line)
            self.notify(str(exc), severity="error", markup=False)
            return
        self.status.marker = "● REC"
        self._update_status()
        self.notify(f"recording the current and next runs to {_where(choice.path)} (F10 stops)", markup=False)

    def stop_recording(self) -> None:
        recording, self.recording_file = self.recording_file, None
        if recording is None:
            return
        stopped = recording.stop()
        self.status.marker = ""
        self._update_status()
        if stopped.path is None:
            self.notify("recording stopped: no run was recorded (no file was left)", markup=False)
        else:
            self.notify(f"recorded {stopped.runs} run(s) to {_where(stopped.path)}", markup=False)
        if stopped.error is not None:
            self.notify(f"the recording stopped early: {stopped.error}", severity="warning", markup=False)

    def on_unmount(self) -> None:
        recording, self.recording_file = self.recording_file, None
        if recording is not None:  # (the app is closing: a run streaming is kept as cut short)
            recording.stop()

    # -- export and copy ------------------------------------------------------------------------

    @work(group="export", exclusive=True, exit_on_error=False)
    async def action_export(self) -> None:
        service = self.service
        thread_id = self.conversation.thread_id
        if service is None:
            self.notify("exporting reads the thread from a server: Ctrl+G copies it as Markdown", markup=False)
            return
        if thread_id is None:
            self.notify("nothing to export: this thread has no message yet", markup=False)
            return
        from chat_tui.service.export import export_thread, save_export
        from chat_tui.ui.screens.file_dialogs import ExportScreen

        choice = await self.app.push_screen_wait(ExportScreen(self._stem(), self.export_format))
        if choice is None or choice.path is None:
            return
        self.export_format = choice.action
        shown = self.conversation if choice.action == "md" else None  # (what the pane shows, as it shows it)
        try:
            text = await export_thread(service, thread_id, choice.action, conversation=shown)
            save_export(choice.path, text, force=choice.force)
        except ClientError as exc:
            self.notify(f"could not export the thread: {exc}", severity="error", markup=False)
            return
        except ChatTuiError as exc:  # (OutputRefused: the file appeared meanwhile, or cannot be written)
            self.notify(str(exc), severity="error", markup=False)
            return
        self.notify(f"exported the thread ({choice.action}) to {_where(choice.path)}", markup=False)

    @work(group="copy-thread", exclusive=True, exit_on_error=False)
    async def action_copy_thread(self) -> None:
        """The thread as Markdown, as ``chat.export`` writes it, to the clipboard (and its file)."""
        from chat_tui.service.export import export_thread, thread_markdown

        conversation = self.conversation
        service = self.service
        if not conversation.entries:
            self.notify("nothing to copy: this thread has no message yet", markup=False)
            return
        text = None
        if service is not None and conversation.thread_id is not None:
            try:
                text = await export_thread(service, conversation.thread_id, "md", conversation=conversation)
            except ClientError:
                text = None  # (the title is the server's: without it, the first message's)
        if text is None:
            text = thread_markdown(conversation)
        self.post_message(ConversationView.CopyRequested(text, "thread as Markdown"))

    # -- save as a test -------------------------------------------------------------------------

    @work(group="save-test", exclusive=True, exit_on_error=False)
    async def action_save_test(self) -> None:
        """The open thread as a ``chat-tui test`` scenario: read its runs, then the dialog."""
        service = self.service
        thread_id = self.conversation.thread_id
        if service is None:
            self.notify("a test is made from a thread's runs on a server: connect first", markup=False)
            return
        if thread_id is None:
            self.notify("nothing to save: this thread has no message yet", markup=False)
            return
        if service.is_live(thread_id):
            self.notify("a run is still going: save the thread as a test once it has ended", markup=False)
            return
        from chat_tui.testing.record import RecordOptions, default_test_file, read_thread
        from chat_tui.testing.record_command import save_scenario
        from chat_tui.ui.screens.save_test import SaveTestScreen

        try:
            record = await read_thread(service.client, thread_id)
        except ClientError as exc:
            self.notify(f"could not read the thread's runs: {exc}", severity="error", markup=False)
            return
        except ValueError as exc:  # (the first run answers an interrupt: no scenario can start there)
            self.notify(str(exc), severity="warning", markup=False)
            return
        if not record.turns:
            self.notify("this thread has no run a test could replay", markup=False)
            return
        save = partial(save_scenario, thread_id=thread_id, host=service.host)
        path = self.test_path or str(default_test_file(record.graph))
        saved = await self.app.push_screen_wait(
            SaveTestScreen(record, path, self.test_options or RecordOptions(), save)
        )
        if saved is None:
            return
        self.test_path = saved.typed_path
        self.test_options = replace(saved.options, scenario_id=None)  # (the next thread's id is its own)
        self.notify(f"saved scenario {saved.scenario_id} to {_where(saved.path)}:{saved.line}", markup=False)
