"""Every demo behaviour through our client, checked against what the server stored."""

from __future__ import annotations

import re

import pytest

from chat_tui.client import LangGraphClient
from chat_tui.conversation import ErrorEntry, MessageStatus, RunOutcome, ToolStatus
from tests.support.runs import assert_matches_state, run_turn

pytestmark = pytest.mark.server


async def test_default_markdown_answer(client: LangGraphClient) -> None:
    conversation, result = await run_turn(client, "hello there")
    assert result.outcome is RunOutcome.SUCCESS and result.error is None
    (answer,) = conversation.run_messages(result.run_id)
    assert answer.status is MessageStatus.COMPLETE and answer.node == "agent"
    assert re.search(r"^#+ ", answer.text, re.M) and "|" in answer.text and "```" in answer.text
    assert answer.usage.total_tokens > 0
    run = conversation.run
    assert run is not None and run.time_to_first_token is not None and run.chunks > 5
    assert_matches_state([answer], await client.threads.get_state(result.thread_id or ""))


async def test_weather_tool_call_like_the_seed(client: LangGraphClient) -> None:
    conversation, result = await run_turn(client, "what's the weather in sf")
    first, tool, summary = conversation.run_messages(result.run_id)
    (call,) = first.tool_calls
    assert (call.name, call.args) == ("get_weather", {"city": "San Francisco"})
    assert len(call.args_parts) > 2  # the arguments really streamed in pieces
    assert call.status is ToolStatus.DONE and call.result is tool and tool.tool_call_id == call.id
    assert "San Francisco" in summary.text
    assert_matches_state([first, tool, summary], await client.threads.get_state(result.thread_id or ""))


async def test_parallel_tool_calls_stay_separate(client: LangGraphClient) -> None:
    conversation, result = await run_turn(client, "compare the weather in paris and tokyo")
    messages = conversation.run_messages(result.run_id)
    calls = messages[0].tool_calls
    assert [c.args for c in calls] == [{"city": "Paris"}, {"city": "Tokyo"}]
    assert all(c.status is ToolStatus.DONE for c in calls)
    assert {c.result.tool_call_id for c in calls if c.result} == {c.id for c in calls}
    assert_matches_state(messages, await client.threads.get_state(result.thread_id or ""))


async def test_failing_tool_is_an_error_result(client: LangGraphClient) -> None:
    conversation, result = await run_turn(client, "this tool will fail")
    assert result.outcome is RunOutcome.SUCCESS
    call = conversation.run_messages(result.run_id)[0].tool_calls[0]
    assert call.status is ToolStatus.ERROR and call.result is not None and call.result.tool_status == "error"


async def test_model_crash_mid_stream(client: LangGraphClient) -> None:
    conversation, result = await run_turn(client, "crash now")
    assert result.outcome is RunOutcome.ERROR
    errors = [e for e in conversation.entries if isinstance(e, ErrorEntry)]
    assert len(errors) == 1 and errors[0].error == "ValueError" and "crash" in errors[0].message.lower()
    partial = conversation.run_messages(result.run_id)[0]
    assert partial.text and partial.status is MessageStatus.FAILED
    assert partial.persisted is False  # the server does not keep a failed node's tokens
    thread = await client.threads.get(result.thread_id or "")
    assert thread.status == "error"


@pytest.mark.parametrize(("answer", "done"), [("yes", "deleted"), ("no", "not")])
async def test_interrupt_then_resume(client: LangGraphClient, answer: str, done: str) -> None:
    conversation, result = await run_turn(client, "please delete the report")
    assert result.outcome is RunOutcome.INTERRUPTED
    (interrupt,) = conversation.pending_interrupts
    assert "delete_file" in interrupt.question
    thread = await client.threads.get(result.thread_id or "")
    assert thread.status == "interrupted" and thread.interrupts
    conversation, resumed = await run_turn(client, thread_id=result.thread_id, conversation=conversation, resume=answer)
    assert resumed.outcome is RunOutcome.SUCCESS and not conversation.pending_interrupts
    assert done in conversation.run_messages(resumed.run_id)[-1].text.lower()


async def test_two_llm_nodes_are_labelled(client: LangGraphClient) -> None:
    conversation, result = await run_turn(client, "plan my week")
    nodes = [m.node for m in conversation.run_messages(result.run_id)]
    assert nodes == ["planner", "writer"] and conversation.show_node_labels


async def test_subgraph_tokens_only_with_stream_subgraphs(client: LangGraphClient) -> None:
    plain, result = await run_turn(client, "research quantum tea")
    assert any(m.node == "researcher" and not m.streamed for m in plain.run_messages(result.run_id))
    streamed, result = await run_turn(client, "research quantum tea", stream_subgraphs=True)
    inner = [m for m in streamed.run_messages(result.run_id) if m.namespace]
    assert inner and inner[0].streamed and inner[0].namespace[0].startswith("researcher:")


async def test_thinking_blocks_and_provider_id_on_first_chunk(client: LangGraphClient) -> None:
    conversation, result = await run_turn(client, "think about it")
    (message,) = conversation.run_messages(result.run_id)
    assert message.thinking and message.text
    assert message.id and message.id.startswith("msg_demo_")  # one message despite the id change
    assert_matches_state([message], await client.threads.get_state(result.thread_id or ""))


@pytest.mark.parametrize(("prompt", "script"), [("你好", r"[\u4e00-\u9fff]"), ("안녕", r"[\uac00-\ud7a3]")])
async def test_non_english_replies(client: LangGraphClient, prompt: str, script: str) -> None:
    conversation, result = await run_turn(client, prompt)
    assert re.search(script, conversation.run_messages(result.run_id)[-1].text)


async def test_config_reaches_the_graph_as_configurable_or_context(client: LangGraphClient) -> None:
    conversation, result = await run_turn(client, "echo config", config={"configurable": {"model_name": "openai"}})
    assert "openai" in conversation.run_messages(result.run_id)[-1].text
    conversation, result = await run_turn(client, "echo config", context={"model_name": "anthropic"})
    assert "anthropic" in conversation.run_messages(result.run_id)[-1].text


async def test_hostile_output_arrives_cleaned(client: LangGraphClient) -> None:
    conversation, result = await run_turn(client, "hostile")
    everything = []
    for message in conversation.run_messages(result.run_id):
        everything.append(message.text)
        everything += [c.name + c.args_text for c in message.tool_calls]
    text = "".join(everything)
    assert "[@click=app.quit]" in text  # markup survives as text...
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", text)  # ...control characters do not
    assert "␛" in text
