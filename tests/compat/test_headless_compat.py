"""`chat-tui stream`, the demo graphs and the application service, on the second server.

The tests are the suite's own (imported, so they are collected here again with this folder's
``server_url``); each was chosen because it holds on any Agent Protocol server that serves the
demo graphs. What does not hold on Aegra, and why, is in the README ("Other servers").
"""

from __future__ import annotations

import pytest

from chat_tui.client import LangGraphClient
from tests.faults.proxy import FaultProxy
from tests.faults.test_drops import RUN_STREAM, check_against_state, streamed_turn
from tests.faults.test_other_servers import (
    test_a_refused_cancel_leaves_the_run_going_and_followed,
    test_a_server_without_ok_is_checked_with_info_then_assistants,
    test_an_error_event_after_the_users_own_cancel_means_cancelled,
    test_every_run_is_created_with_on_disconnect_continue,
    test_without_heartbeats_a_silent_node_is_not_taken_for_a_stall,
)
from tests.integration.test_demo_runs import (
    test_config_reaches_the_graph_as_configurable_or_context,
    test_default_markdown_answer,
    test_failing_tool_is_an_error_result,
    test_hostile_output_arrives_cleaned,
    test_model_crash_mid_stream,
    test_non_english_replies,
    test_parallel_tool_calls_stay_separate,
    test_subgraph_tokens_only_with_stream_subgraphs,
    test_thinking_blocks_and_provider_id_on_first_chunk,
    test_two_llm_nodes_are_labelled,
    test_weather_tool_call_like_the_seed,
)
from tests.integration.test_stream_command import (
    test_a_thread_continues_with_its_own_assistant_unless_one_is_named,
    test_config_json_is_passed_as_the_run_config,
    test_continuing_a_thread_prints_only_the_new_run,
    test_human_output_streams_text_tool_calls_and_results,
    test_interrupt_exit_code_then_resume,
    test_json_output_agrees_with_thread_state,
    test_parity_with_the_official_sdk,
    test_raw_output_prints_events_like_the_seed_documents,
    test_run_error_exit_code,
)
from tests.integration.test_time_travel import test_a_graph_without_messages_is_driven_by_json_input
from tests.service.test_chat_service import (
    test_a_first_message_creates_titles_and_remembers_its_thread,
    test_a_refused_send_gives_the_text_back_or_keeps_it_as_the_draft,
    test_an_answer_resumes_the_pending_interrupt,
    test_attach_follows_a_run_and_open_finds_it,
    test_cancel_stops_the_run_on_the_server,
)

pytestmark = pytest.mark.server

__all__ = [
    "test_a_first_message_creates_titles_and_remembers_its_thread",
    "test_a_graph_without_messages_is_driven_by_json_input",
    "test_a_refused_cancel_leaves_the_run_going_and_followed",
    "test_a_refused_send_gives_the_text_back_or_keeps_it_as_the_draft",
    "test_a_server_without_ok_is_checked_with_info_then_assistants",
    "test_a_thread_continues_with_its_own_assistant_unless_one_is_named",
    "test_an_answer_resumes_the_pending_interrupt",
    "test_an_error_event_after_the_users_own_cancel_means_cancelled",
    "test_attach_follows_a_run_and_open_finds_it",
    "test_cancel_stops_the_run_on_the_server",
    "test_config_json_is_passed_as_the_run_config",
    "test_config_reaches_the_graph_as_configurable_or_context",
    "test_continuing_a_thread_prints_only_the_new_run",
    "test_default_markdown_answer",
    "test_every_run_is_created_with_on_disconnect_continue",
    "test_failing_tool_is_an_error_result",
    "test_hostile_output_arrives_cleaned",
    "test_human_output_streams_text_tool_calls_and_results",
    "test_interrupt_exit_code_then_resume",
    "test_json_output_agrees_with_thread_state",
    "test_model_crash_mid_stream",
    "test_non_english_replies",
    "test_parallel_tool_calls_stay_separate",
    "test_parity_with_the_official_sdk",
    "test_raw_output_prints_events_like_the_seed_documents",
    "test_run_error_exit_code",
    "test_subgraph_tokens_only_with_stream_subgraphs",
    "test_thinking_blocks_and_provider_id_on_first_chunk",
    "test_two_llm_nodes_are_labelled",
    "test_weather_tool_call_like_the_seed",
    "test_without_heartbeats_a_silent_node_is_not_taken_for_a_stall",
]


async def test_a_stream_cut_while_the_run_goes_on_is_rejoined_whole(proxy: FaultProxy, client: LangGraphClient) -> None:
    """The server's own rejoin (on Aegra: its unique ids, and the stretch it sends twice): the
    run is slow enough to be still going when the stream is rejoined, and what streamed is
    already the server's text, each token once."""
    proxy.add(method="POST", path=RUN_STREAM, action="cut", after=6000)
    conversation, result, _ = await streamed_turn(proxy.url, "hello there", context={"delay_ms": 20})
    await check_against_state(client, conversation, result)
    assert result.reconnects == 1
