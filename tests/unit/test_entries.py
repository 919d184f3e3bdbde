"""The entry types: where server strings are cleaned (and nowhere else), and the text cursor."""

from __future__ import annotations

import ast
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from chat_tui.conversation import ChatMessage, ErrorEntry, InterruptEntry, TextCursor, ToolCallEntry
from chat_tui.conversation.entries import ERROR_TEXT_CHARS, ID_CHARS, LABEL_CHARS, NAME_CHARS

PACKAGE = Path(__file__).resolve().parents[2] / "chat_tui"
CONVERSATION = PACKAGE / "conversation"
SANITIZERS = {"clean", "clean_line", "clean_obj", "truncate"}
HOSTILE = "a\x1b]52;c;UFdORUQ=\x07b\x1b[2J\x9b2J\u202e\r\n\tz"


def dangerous(text: str) -> bool:
    return any((ord(c) < 0x20 and c not in "\t\n") or 0x7F <= ord(c) < 0xA0 or c == "\u202e" for c in text)


def one_line(text: str) -> bool:
    return not dangerous(text) and "\n" not in text and "\t" not in text


# -- one home for sanitising -----------------------------------------------------------------


def _sanitizing(path: Path) -> list[str]:
    """Where a module imports the sanitizer or calls one of its functions."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            modules = [node.module or ""]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        else:
            modules = []
        if "chat_tui.sanitize" in modules:
            found.append(f"{path.name}:{node.lineno} imports chat_tui.sanitize")
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in SANITIZERS:
                found.append(f"{path.name}:{node.lineno} calls {name}()")
    return found


def test_the_fold_the_history_and_the_state_never_clean_anything_themselves() -> None:
    factories = ("entries.py", "interrupts.py")  # (an interrupt's entry is made beside its kinds)
    factories += ("subgraphs.py",)  # (a subgraph group's entry, and the node paths cut from namespaces)
    # The event inspector's text is made from raw SSE events, not entries: its summaries, its filter's
    # description and pretty JSON are cleaned where they are made.
    factories += ("event_log.py", "event_view.py", "json_text.py")
    # The graph view's node names, tools and task input/output come from the graph JSON and `tasks`
    # events, not entries: cleaned where the graph model is made from them.
    factories += ("graph_model.py",)
    modules = sorted(p for p in CONVERSATION.glob("*.py") if p.name not in factories)
    assert {"fold.py", "history.py", "state.py"} <= {p.name for p in modules}
    assert [hit for path in modules for hit in _sanitizing(path)] == []
    assert _sanitizing(CONVERSATION / "entries.py")  # (the scan does see calls where they are)


def test_only_chat_message_touches_its_text_cache() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        allowed: set[int] = set()
        if path == CONVERSATION / "entries.py":
            chat_message = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "ChatMessage")
            allowed = {id(n) for n in ast.walk(chat_message)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "_text_cache" and id(node) not in allowed:
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert offenders == []


# -- the factories clean, within named limits --------------------------------------------------


def test_error_entries_are_cleaned_and_cut_to_their_limits() -> None:
    entry = ErrorEntry.from_server(1, HOSTILE * 20, HOSTILE * 500, "r1")
    assert one_line(entry.error) and len(entry.error) == LABEL_CHARS
    assert not dangerous(entry.message) and len(entry.message) == ERROR_TEXT_CHARS
    assert ErrorEntry.from_server(2, "\r", "").error == "Error"  # nothing left of the label


def test_a_thread_error_reads_the_same_from_any_shape() -> None:
    def read(value: object) -> tuple[str, str]:
        entry = ErrorEntry.from_thread_error(1, value)
        return entry.error, entry.message

    assert read({"error": "ValueError", "message": "bad input"}) == ("ValueError", "bad input")
    assert read({"error": "ValueError"}) == ("ValueError", "")
    assert read("it broke") == ("Error", "it broke")
    assert read(None) == ("Error", "")
    label, message = read({"error": HOSTILE, "message": HOSTILE})
    assert one_line(label) and not dangerous(message) and message.endswith("\n\tz")


def test_tool_call_identity_is_cleaned_once_and_never_overwritten() -> None:
    call = ToolCallEntry(index=0)
    assert call.identify(HOSTILE * 30, HOSTILE * 30)
    assert one_line(call.id or "") and len(call.id or "") == ID_CHARS
    assert one_line(call.name) and len(call.name) == NAME_CHARS
    first = (call.id, call.name)
    assert not call.identify("other", "other") and (call.id, call.name) == first
    assert not ToolCallEntry(index=1).identify("\r", None)  # an id that cleans to nothing is no id
    call.append_args('{"k": "\x1b[2J"}')
    assert not dangerous(call.args_text)


def test_invalid_and_parsed_calls_are_cleaned() -> None:
    message = ChatMessage(1, "ai")
    bad = ToolCallEntry.invalid(0, message, {"id": HOSTILE, "name": HOSTILE, "args": '{"a": "\x1b'})
    assert one_line(bad.id or "") and one_line(bad.name) and not dangerous(bad.args_text)
    assert bad.args_valid is False
    good = ToolCallEntry.parsed(1, message, HOSTILE, HOSTILE, {HOSTILE: [HOSTILE]})
    assert one_line(good.id or "") and one_line(good.name)
    ((key, (value,)),) = good.args.items()
    assert not dangerous(key) and not dangerous(value) and not dangerous(good.args_text)


def test_messages_clean_their_text_thinking_names_and_answers() -> None:
    content = [
        {"type": "thinking", "thinking": HOSTILE},
        {"type": "text", "text": HOSTILE},
        {"type": HOSTILE},
    ]
    message = ChatMessage.from_content(1, "ai", content, id="m", node=HOSTILE, name=HOSTILE * 30)
    assert not dangerous(message.text) and not dangerous(message.thinking)
    assert one_line(message.node or "") and one_line(message.name or "") and len(message.name or "") == NAME_CHARS
    message.append_text(HOSTILE)
    assert message.append_blocks([HOSTILE, {"type": "thinking", "thinking": HOSTILE}, {"type": HOSTILE}])
    message.answers(HOSTILE * 30, "error")
    assert not dangerous(message.text) and not dangerous(message.thinking)
    assert all(one_line(block["type"]) for block in message.blocks)
    assert one_line(message.tool_call_id or "") and len(message.tool_call_id or "") == ID_CHARS
    assert message.tool_status == "error"
    message.replace_text(HOSTILE)
    assert not dangerous(message.text) and message.text_epoch == 1
    assert not dangerous(ChatMessage.human(2, HOSTILE).text)
    assert one_line(ChatMessage(3, "ai", node=HOSTILE).node or "")  # the constructor cleans it too


def test_interrupt_values_are_cleaned_deeply() -> None:
    entry = InterruptEntry.from_server(1, "i1", {"question": HOSTILE, HOSTILE: [HOSTILE]})
    assert not dangerous(entry.question) and not dangerous(str(entry.value))


# -- the text cursor ----------------------------------------------------------------------------

texts = st.text(max_size=12)  # control characters included: what the cursor returns is the cleaned text
operations = st.lists(
    st.one_of(
        st.tuples(st.just("append"), texts),
        st.tuples(st.just("replace"), texts),
        st.tuples(st.just("read"), st.just("")),
        st.tuples(st.just("join"), st.just("")),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(operations)
def test_what_a_reader_takes_always_adds_up_to_the_text(ops: list[tuple[str, str]]) -> None:
    """Readers that start at any time, take at any time, and start over when told the text was
    replaced, always hold exactly the message's text."""
    message = ChatMessage(1, "ai")
    readers: list[tuple[TextCursor, list[str]]] = [(TextCursor(), [""])]

    def read(cursor: TextCursor, seen: list[str]) -> None:
        new, replaced = cursor.take(message)
        seen[0] = new if replaced else seen[0] + new
        assert seen[0] == message.text
        assert cursor.caught_up(message)
        assert cursor.take(message) == ("", False)  # nothing new since

    for op, text in ops:
        if op == "append":
            message.append_text(text)
        elif op == "replace":
            message.replace_text(text)
        elif op == "join":
            readers.append((TextCursor.after(message), [message.text]))  # a reader that starts now
        else:
            for cursor, seen in readers:
                read(cursor, seen)
    for cursor, seen in readers:
        read(cursor, seen)


def test_a_cursor_reports_a_replacement_once_then_only_what_is_appended() -> None:
    message = ChatMessage(1, "ai")
    cursor = TextCursor()
    message.append_text("Hel")
    message.append_text("lo")
    assert cursor.take(message) == ("Hello", False)
    message.replace_text("Hello!")
    assert not cursor.caught_up(message)
    assert cursor.take(message) == ("Hello!", True)
    message.append_text(" more")
    assert cursor.take(message) == (" more", False)
