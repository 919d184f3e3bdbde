"""Subgraph namespaces: the node path cut from a namespace (task ids stripped, cleaned), the group a
subgraph's entries nest in, and its interrupt kept once however its copies arrive."""

from __future__ import annotations

import itertools
import uuid

from hypothesis import given
from hypothesis import strategies as st

from chat_tui.conversation import ChatMessage, InterruptEntry, SubgraphGroup
from chat_tui.conversation.state import Conversation
from chat_tui.conversation.subgraphs import (
    DEPTH,
    PATH_SEPARATOR,
    group_key,
    namespace_from_checkpoint_ns,
    node_path,
    path_label,
)
from tests.unit.test_conversation import chunk, run_events, tcc

NODE = st.text(st.characters(codec="utf-8", exclude_characters=":|", categories=("L", "N", "Pc")), min_size=1)
TASK = st.uuids().map(str)
SEGMENTS = st.lists(st.tuples(NODE, TASK), min_size=1, max_size=DEPTH)


@given(SEGMENTS)
def test_the_node_path_is_the_nodes_without_their_task_ids(segments: list[tuple[str, str]]) -> None:
    namespace = tuple(f"{node}:{task}" for node, task in segments)
    assert node_path(namespace) == tuple(node for node, _ in segments)
    assert namespace_from_checkpoint_ns("|".join(namespace)) == namespace  # the same, from langgraph_checkpoint_ns
    assert group_key(namespace) == namespace[0]
    label = path_label(namespace, "inner")
    assert label == PATH_SEPARATOR.join([*(node for node, _ in segments), "inner"])
    assert not any(task in label for _, task in segments)


@given(st.lists(st.text(), max_size=20))
def test_any_namespace_gives_a_clean_bounded_path(namespace: list[str]) -> None:
    path = node_path(namespace)
    assert len(path) <= DEPTH and all(node and ":" not in node for node in path)
    assert not any(ord(ch) < 32 or 127 <= ord(ch) < 160 for node in path for ch in node)  # (no control characters)


def test_odd_namespaces() -> None:
    assert node_path(()) == () and namespace_from_checkpoint_ns("") == () and namespace_from_checkpoint_ns(None) == ()
    assert group_key(()) is None and path_label(()) == ""
    assert node_path(["researcher"]) == ("researcher",)  # (no task id)
    assert node_path([":abc", "a:b:c"]) == ("a",)  # (an empty node is skipped; the first ':' ends a node)
    assert path_label(["researcher:1"], "researcher") == "researcher"  # (the inner node unknown: the parent's)
    ((node,),) = (node_path(["\x1b[31mred\x1b[0m:1"]),)
    assert "\x1b" not in node and "red" in node


NS = "researcher:0d2a799b-2ca7-715c-95f6-bfccd2221bb8"
INNER_META = {"langgraph_node": "research_llm", "langgraph_step": 1, "langgraph_checkpoint_ns": f"{NS}|research_llm:1"}
INTERRUPT = {"__interrupt__": [{"value": {"question": "approve?"}, "id": "cbc2dd88", "response_schema": None}]}
COPIES = [  # one interrupt raised in a subgraph: as the subgraph's updates and values, and again at the root
    (f"updates|{NS}", INTERRUPT),
    (f"values|{NS}", {"messages": [], **INTERRUPT}),
    ("updates", INTERRUPT),
    ("values", {"messages": [], **INTERRUPT}),
]


def nested_stream() -> list[tuple[str, object]]:
    return [
        ("values", {"messages": []}),
        (f"messages|{NS}", [chunk("Let me ", id="lc_run--s"), INNER_META]),
        (f"messages|{NS}", [chunk(tool_call_chunks=[tcc(0, '{"q": 1}', "c1", "search")], id="lc_run--s"), INNER_META]),
        (f"messages|{NS}", [chunk(last=True, id="lc_run--s"), INNER_META]),
    ]


@given(st.permutations(range(len(COPIES))))
def test_an_interrupt_inside_a_subgraph_is_kept_once_whatever_the_order(order: list[int]) -> None:
    conversation = run_events([*nested_stream(), *(COPIES[n] for n in order)])
    (interrupt,) = [e for e in conversation.entries if isinstance(e, InterruptEntry)]
    assert interrupt.interrupt_id == "cbc2dd88" and len(conversation.pending_interrupts) == 1
    first_nested = order[0] in (0, 1)
    assert interrupt.namespace == ((NS,) if first_nested else ())  # (in a real stream the nested copy comes first)
    conversation.resolve_interrupts({"cbc2dd88": "yes"})
    assert conversation.pending_interrupts == [] and interrupt.answer == "yes"


def test_a_subgraph_s_entries_nest_under_one_group_before_them() -> None:
    conversation = run_events([*nested_stream(), *COPIES])
    group, message, interrupt = conversation.entries
    assert (
        isinstance(group, SubgraphGroup) and isinstance(message, ChatMessage) and isinstance(interrupt, InterruptEntry)
    )
    assert group.key == NS and group.node == "researcher" and group.members == [message, interrupt]
    assert conversation.group_of(message) is group and conversation.group_of(interrupt) is group
    assert path_label(message.namespace, message.node) == "researcher › research_llm"
    assert group.summary() == "1 message · 1 tool call · 1 interrupt (waiting)"
    conversation.take_changes()
    conversation.resolve_interrupts("yes")
    assert group in conversation.take_changes().updated  # (its summary changed)
    assert group.summary() == "1 message · 1 tool call · 1 interrupt"


def test_two_runs_of_the_parent_node_are_two_groups_and_the_root_stays_flat() -> None:
    other = "researcher:" + str(uuid.uuid4())
    events = [
        *nested_stream(),
        ("messages", [chunk("root", id="lc_run--r", last=True), {"langgraph_node": "summarize"}]),
        (f"messages|{other}", [chunk("again", id="lc_run--o", last=True), INNER_META]),
    ]
    conversation = run_events(events)
    kinds = [type(e).__name__ for e in conversation.entries]
    assert kinds == ["SubgraphGroup", "ChatMessage", "ChatMessage", "SubgraphGroup", "ChatMessage"]
    root = conversation.entries[2]
    assert isinstance(root, ChatMessage) and conversation.group_of(root) is None
    assert [g.key for g in conversation.groups.values()] == [NS, other]


def test_a_removed_member_leaves_its_group_and_an_empty_group_goes() -> None:
    conversation = run_events(nested_stream())
    (message,) = conversation.messages
    conversation.remove(message)
    assert conversation.entries == [] and conversation.groups == {}


def test_loaded_nesting_from_a_pending_subgraph_state() -> None:
    from chat_tui.client.models import Thread, ThreadState

    state = ThreadState.model_validate(
        {
            "values": {"messages": [{"type": "human", "id": "h1", "content": "go"}]},
            "next": ["researcher"],
            "tasks": [
                {
                    "id": "t",
                    "name": "researcher",
                    "interrupts": [{"id": "cbc2dd88", "value": {"question": "approve?"}}],
                    "checkpoint": None,
                    "state": {
                        "values": {
                            "messages": [
                                {"type": "human", "id": "h1", "content": "go"},
                                {"type": "ai", "id": "a1", "content": "found \x1b[2Jit"},
                            ]
                        },
                        "next": ["review"],
                        "checkpoint": {"checkpoint_ns": NS},
                    },
                }
            ],
            "interrupts": [{"id": "cbc2dd88", "value": {"question": "approve?"}}],
        }
    )
    thread = Thread.model_validate({"thread_id": "x", "status": "interrupted"})
    flat = Conversation("x")
    flat.load(state, thread)  # subgraphs not streamed: nothing nested, and the subgraph's messages not shown
    assert [type(e).__name__ for e in flat.entries] == ["ChatMessage", "InterruptEntry"]
    nested = Conversation("x")
    nested.load(state, thread, subgraphs=True)
    human, group, answer, interrupt = nested.entries
    assert isinstance(group, SubgraphGroup) and group.members == [answer, interrupt]
    assert isinstance(answer, ChatMessage) and answer.namespace == (NS,)
    assert "\x1b" not in answer.text and answer.text.startswith("found")  # (cleaned, as any stored message)
    assert isinstance(human, ChatMessage) and human.namespace == ()
    assert list(itertools.chain(nested.take_changes().added)) == []  # (a reset: the pane shows it all)
