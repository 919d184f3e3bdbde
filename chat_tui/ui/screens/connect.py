"""The connect screen: saved profiles, a form to add or edit one, test, save, or run the demo.

Keys are never shown: the key field is a password input, a stored key appears only as its
last four characters, and the values of extra headers are masked the same way. What the
form's fields mean (checks, keys, headers) is :mod:`chat_tui.settings.profile_form`.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option

from chat_tui.client.errors import ClientError, NotFound
from chat_tui.client.urls import display_host
from chat_tui.connection import KEY_SOURCES, Connection, KeySource
from chat_tui.sanitize import clean_line
from chat_tui.settings.manager import SettingsManager
from chat_tui.settings.profile_form import (
    ProfileEdit,
    ProfileForm,
    form_connection,
    kept_headers_note,
    key_rule,
    read_form,
    stored_key_note,
    suggested_key_env,
)
from chat_tui.settings.store import StoreError
from chat_tui.ui.screens.dialogs import ConfirmScreen
from chat_tui.ui.textual_compat import PacedFrames

__all__ = ["ConnectChoice", "ConnectScreen", "ProfileList"]

# The form's inputs by the ProfileForm field they hold (the key source is the radio set).
_INPUTS = {
    "name": "name",
    "url": "url",
    "key_env": "key-env",
    "key": "key",
    "assistant": "assistant",
    "timeout": "timeout",
    "header_name": "header-name",
    "header_value": "header-value",
}


class ProfileList(OptionList):
    """The saved profiles; its keys (edit, delete) apply only while it has focus."""

    BINDINGS = [
        Binding("e", "screen.edit_profile", "Edit", id="connect.edit"),
        Binding("d,delete", "screen.delete_profile", "Delete", id="connect.delete"),
    ]


@dataclass(slots=True)
class ConnectChoice:
    """What the user picked: a connection (maybe from a profile), or the demo."""

    connection: Connection | None
    profile: str | None = None
    demo: bool = False


class ConnectScreen(PacedFrames, Screen[ConnectChoice | None]):
    BINDINGS = [
        Binding("ctrl+s", "save", "Save & connect", id="connect.save"),
        Binding("ctrl+t", "test", "Test", id="connect.test"),
        Binding("ctrl+r", "demo", "Run the demo", id="connect.demo"),
        Binding("escape", "cancel", "Back", id="connect.cancel"),
    ]

    def __init__(self, manager: SettingsManager, *, can_cancel: bool = False) -> None:
        super().__init__()
        self.manager = manager
        self.can_cancel = can_cancel
        self.editing: str | None = None  # the profile being edited (its name before any rename)

    def compose(self) -> ComposeResult:
        with Horizontal(id="connect"):
            with Vertical(id="connect-profiles"):
                yield Static(Content.styled("Saved profiles", "bold"), classes="connect-title")
                yield ProfileList(id="profile-list")
                yield Static(
                    Content.styled("Enter: connect · e: edit · d: delete", "$text-muted"), classes="connect-hint"
                )
            with VerticalScroll(id="connect-form"):
                yield Static(
                    Content.styled("Connect to a LangGraph Agent Server", "bold $accent"), classes="connect-title"
                )
                yield Label("Profile name")
                yield Input(placeholder="e.g. staging", id="name")
                yield Label("Server URL")
                yield Input(placeholder="https://my-deployment.example.com or http://127.0.0.1:2024", id="url")
                yield Label("API key (sent as x-api-key)")
                with RadioSet(id="key-source"):
                    yield RadioButton("none", value=True, id="source-none")
                    yield RadioButton("from an environment variable", id="source-env")
                    yield RadioButton("stored in secrets.json (mode 0600)", id="source-stored")
                yield Input(placeholder="variable name, e.g. LANGSMITH_API_KEY", id="key-env")
                yield Input(
                    placeholder="paste the key (leave empty to keep the stored one)",
                    password=True,
                    id="key",
                )
                yield Static(id="key-note", classes="connect-note")
                yield Label("Default assistant (graph name or assistant id; optional)")
                yield Input(placeholder="agent", id="assistant")
                yield Label("Extra header (e.g. a custom auth header; optional)")
                with Horizontal(classes="header-row"):
                    yield Input(placeholder="Header-Name", id="header-name")
                    yield Input(placeholder="value", password=True, id="header-value")
                yield Static(id="header-note", classes="connect-note")
                yield Label("Request timeout (seconds)")
                yield Input("30", type="number", id="timeout")
                yield Static(id="rule", classes="connect-note")
                yield Static(id="result", classes="connect-result")
                with Horizontal(classes="connect-buttons"):
                    yield Button("Test (^t)", id="test")
                    yield Button("Save & connect (^s)", variant="primary", id="save")
                    yield Button("Connect once", id="once")
                    yield Button("Start the demo instead (^r)", id="demo")
        yield Footer()

    def on_mount(self) -> None:
        self._load_profiles()
        for notice in self.manager.take_notices():
            self.notify(notice.message, severity="warning", markup=False)
        self._update_key_fields()
        # The first field of the form (or the saved profiles, when there are some).
        self.query_one("#name" if not self.manager.load().profiles else "#profile-list").focus()

    # -- profiles list ------------------------------------------------------------------------

    def _load_profiles(self) -> None:
        settings = self.manager.load()
        options = []
        for name, profile in sorted(settings.profiles.items()):
            key = {"none": "no key", "env": f"key from ${profile.key_env}", "stored": "stored key"}[profile.key_source]
            last = "  (last used)" if name == settings.last_profile else ""
            prompt = Content.assemble(
                (name, "bold"), (last, "$accent"), "\n", (f"  {display_host(profile.url)} · {key}", "$text-muted")
            )
            options.append(Option(prompt, id=name))
        profile_list = self.query_one("#profile-list", OptionList)
        profile_list.clear_options()
        profile_list.add_options(options)
        if options:  # start on the last used profile, so Enter / e / d act at once
            names = [option.id for option in options]
            profile_list.highlighted = names.index(settings.last_profile) if settings.last_profile in names else 0
        else:
            profile_list.add_option(Option(Content.styled("none yet: fill in the form", "$text-muted"), disabled=True))

    @on(OptionList.OptionSelected, "#profile-list")
    def _use_profile(self, event: OptionList.OptionSelected) -> None:
        name = event.option.id
        if not name:
            return
        try:
            connection = self.manager.connection(name)
        except ClientError as exc:
            self._result(str(exc), error=True)
            return
        self.manager.use_profile(name)
        self.dismiss(ConnectChoice(connection, profile=name))

    def action_edit_profile(self) -> None:
        self._edit_highlighted()

    def action_delete_profile(self) -> None:
        if isinstance(self.focused, OptionList):
            self._delete_highlighted()

    def _highlighted(self) -> str | None:
        profile_list = self.query_one("#profile-list", OptionList)
        if profile_list.highlighted is None:
            return None
        return profile_list.get_option_at_index(profile_list.highlighted).id

    def _edit_highlighted(self) -> None:
        name = self._highlighted()
        if not isinstance(self.focused, OptionList) or name is None:
            return
        profile = self.manager.load().profiles.get(name)
        if profile is None:
            return
        self.editing = name
        headers = self.manager.header_values(name)
        self._fill(ProfileForm.for_profile(profile, headers), header_note=kept_headers_note(headers))
        self._update_key_fields()
        self.query_one("#url", Input).focus()

    @work(exclusive=True, group="delete-profile", exit_on_error=False)
    async def _delete_highlighted(self) -> None:
        name = self._highlighted()
        if name is None:
            return
        question = Content.assemble("Delete the profile ", (name, "bold"), " and its stored key?")
        if await self.app.push_screen_wait(ConfirmScreen(question, yes="Delete", danger=True)):
            try:
                self.manager.delete_profile(name)
            except StoreError as exc:
                self._result(str(exc), error=True)
                return
            self._load_profiles()

    # -- the form ----------------------------------------------------------------------------

    @on(RadioSet.Changed, "#key-source")
    @on(Input.Changed, "#url")
    @on(Input.Changed, "#key-env")
    def _update_key_fields(self) -> None:
        source = self._source()
        self.query_one("#key-env", Input).display = source == "env"
        self.query_one("#key", Input).display = source == "stored"
        note = stored_key_note(self.manager, self.editing) if source == "stored" else ""
        if source == "env" and not self.query_one("#key-env", Input).value.strip():
            self.query_one("#key-env", Input).value = suggested_key_env()
        self.query_one("#key-note", Static).update(Content.styled(note, "$text-muted"))
        rule = key_rule(self.query_one("#url", Input).value, source)
        self.query_one("#rule", Static).update(Content.styled(rule, "$text-muted italic"))

    def _source(self) -> KeySource:
        pressed = self.query_one("#key-source", RadioSet).pressed_index
        return KEY_SOURCES[pressed] if 0 <= pressed < len(KEY_SOURCES) else "none"

    # The form's inputs to and from a ProfileForm; what they mean is settings.profile_form's.

    def _form(self) -> ProfileForm:
        def value(field: str) -> str:
            return self.query_one(f"#{_INPUTS[field]}", Input).value

        return ProfileForm(
            name=value("name"),
            url=value("url"),
            key_source=self._source(),
            key_env=value("key_env"),
            key=value("key"),
            assistant=value("assistant"),
            header_name=value("header_name"),
            header_value=value("header_value"),
            timeout=value("timeout"),
        )

    def _fill(self, form: ProfileForm, *, header_note: str) -> None:
        for field, input_id in _INPUTS.items():
            self.query_one(f"#{input_id}", Input).value = getattr(form, field)
        self.query_one("#header-note", Static).update(Content.styled(header_note, "$text-muted"))
        self.query_one(f"#source-{form.key_source}", RadioButton).value = True

    def _read_form(self) -> ProfileEdit:
        return read_form(self._form(), self.manager, editing=self.editing)

    def _result(self, text: str, *, error: bool = False) -> None:
        style = "$error" if error else "$success"
        self.query_one("#result", Static).update(Content.styled(clean_line(text, 300), style))

    # -- actions -------------------------------------------------------------------------------

    @on(Button.Pressed, "#test")
    def _test_pressed(self) -> None:
        self.action_test()

    def _form_connection(self) -> Connection | None:
        """The connection the form describes (not saved); None after showing why it is invalid."""
        try:
            return form_connection(self._read_form(), self.manager, editing=self.editing)
        except ClientError as exc:
            self._result(str(exc), error=True)
            return None

    @work(exclusive=True, group="test-connection", exit_on_error=False)
    async def action_test(self) -> None:
        connection = self._form_connection()
        if connection is None:
            return
        self._result("testing…")
        try:
            async with connection.client() as client:
                await client.ok()
                try:
                    info = await client.info()
                except NotFound:  # (a server without /info answered the health check another way)
                    info = {}
                count = await client.assistants.count()
        except ClientError as exc:
            self._result(str(exc), error=True)
            return
        # langgraph-api's /info has no name; another server's (Aegra's) does.
        name = info.get("name") if isinstance(info.get("name"), str) else "langgraph-api"
        server = clean_line(f"{name} {info.get('version', '?')}", 60)
        self._result(f"✓ {connection.host} answers: {server}, {count} assistant(s)")

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        try:
            edit = self._read_form()
            profile = edit.profile
            self.manager.save_profile(profile, api_key=edit.api_key, headers=edit.headers, previous_name=self.editing)
            self.manager.use_profile(profile.name)
            connection = self.manager.connection(profile.name)
        except (ClientError, StoreError) as exc:
            self._result(str(exc), error=True)
            return
        self.query_one("#key", Input).value = ""
        self.dismiss(ConnectChoice(connection, profile=profile.name))

    @on(Button.Pressed, "#once")
    def _connect_once(self) -> None:
        connection = self._form_connection()
        if connection is not None:
            self.dismiss(ConnectChoice(connection))

    @on(Button.Pressed, "#demo")
    def action_demo(self) -> None:
        self.dismiss(ConnectChoice(None, demo=True))

    def action_cancel(self) -> None:
        if self.can_cancel:
            self.dismiss(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.can_cancel if action == "cancel" else True
