"""Export formats without a server: Markdown fences nothing can close and no control character
reaches it; JSON reads back equal and holds nothing a terminal acts on."""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from chat_tui.client.models import Thread, ThreadState
from chat_tui.conversation.state import Conversation
from chat_tui.service.export import messages_jsonl, safe_json, thread_json, thread_markdown
from chat_tui.service.markdown import code_span, conversation_markdown, fenced

HOSTILE = "a\x1b]52;c;UFdORUQ=\x07b\x1b[2J\x9b31m\u202ec\r\nd\x00e ```` `` ~~~"
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
TERMINAL_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _conversation() -> tuple[Conversation, ThreadState, Thread]:
    messages = [
        {"type": "human", "id": "h1", "content": HOSTILE},
        {
            "type": "ai",
            "id": "a1",
            "name": "planner",
            "content": [{"type": "thinking", "thinking": "hmm"}, {"type": "text", "text": "Let me look " + HOSTILE}],
            "tool_calls": [{"id": "c1", "name": "get_weather", "args": {"city": HOSTILE}}],
        },
        {"type": "tool", "id": "t1", "tool_call_id": "c1", "name": "get_weather", "content": '{"ok": "```"}'},
        {"type": "tool", "id": "t2", "tool_call_id": "c1", "status": "error", "content": "no " + HOSTILE},
    ]
    state = ThreadState.model_validate(
        {"values": {"messages": messages}, "interrupts": [{"id": "i1", "value": {"question": HOSTILE}}]}
    )
    thread = Thread.model_validate(
        {
            "thread_id": "th1",
            "status": "error",
            "error": {"error": "ValueError", "message": HOSTILE},
            "metadata": {"title": "A title\x1b[2J", "k": HOSTILE},
        }
    )
    conversation = Conversation("th1")
    conversation.load(state, thread)
    return conversation, state, thread


def test_markdown_has_speakers_tool_calls_results_interrupts_and_errors_and_no_control_character() -> None:
    conversation, _, thread = _conversation()
    text = thread_markdown(conversation, thread)
    assert CONTROL.search(text) is None and "\r" not in text
    assert text.startswith("# A title␛[2J\n")
    for needle in (
        "## User\n",
        "## Assistant · planner\n",
        "**Tool call** `get_weather` · `c1`",
        "## Tool result · get_weather\n",
        "## Tool result · get_weather *(error)*",
        "## ⏸ Interrupt · i1",
        "## ✗ Error · ValueError",
        "> hmm",
        "a␛]52;c;UFdORUQ=␇b␛[2J",  # the text is there, its controls shown as pictures
    ):
        assert needle in text, needle
    assert '\n````json\n{\n  "ok": "```"\n}\n````\n' in text  # a fence its content cannot close


@given(st.text(max_size=40))
def test_a_fence_is_longer_than_any_backtick_run_in_it(content: str) -> None:
    block = fenced(content)
    fence = block.split("\n", 1)[0]
    assert len(fence) >= 3 and set(fence) == {"`"}
    inner = block[len(fence) + 1 : -len(fence) - 1]
    assert all(len(run) < len(fence) for run in re.findall("`+", inner))
    span = code_span(content)
    ticks = re.match("`+", span)
    assert ticks is not None and all(
        len(run) < len(ticks.group()) for run in re.findall("`+", span[len(ticks.group()) : -len(ticks.group())])
    )


def test_the_markdown_of_a_live_conversation_and_entries_alone() -> None:
    assert conversation_markdown([]) == ""
    assert conversation_markdown([], title="t\x1b", about="x\x07") == "# t␛\n\nx␇\n"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=100, deadline=None)
@given(json_values)
def test_json_reads_back_equal_and_holds_nothing_a_terminal_acts_on(value: object) -> None:
    for indent in (None, 2):
        text = safe_json(value, indent=indent)
        assert json.loads(text) == value
        assert TERMINAL_UNSAFE.search(text.replace("\n", "")) is None


def test_json_is_the_stored_messages_and_the_metadata_and_jsonl_one_message_a_line() -> None:
    _, state, thread = _conversation()
    document = json.loads(thread_json(thread, state))
    assert document["messages"] == state.messages and document["metadata"] == thread.metadata
    assert document["thread_id"] == "th1" and document["status"] == "error"
    lines = messages_jsonl(state).splitlines()
    assert [json.loads(line) for line in lines] == state.messages
