"""The app under Pilot on the second server (the suite's own tests, collected here again with
this folder's ``server_url``; see ``test_headless_compat.py``)."""

from __future__ import annotations

import pytest

from tests.faults.test_other_servers import (
    test_a_refused_rollback_keeps_the_second_message_in_the_composer_and_says_why,
    test_the_app_connects_to_a_server_without_ok_and_says_nothing_alarming,
)
from tests.ui.test_attach_and_busy import (
    test_a_restart_mid_run_resumes_it,
    test_cancelling_the_busy_question_keeps_the_text,
    test_opening_a_busy_thread_follows_its_run_live,
    test_sending_into_our_own_running_thread_can_interrupt_it,
)
from tests.ui.test_chat_app import (
    test_drafts_survive_switching_threads_and_restarts,
    test_escape_cancels_the_run_on_the_server,
    test_history_of_an_existing_thread_loads,
    test_send_and_see_the_streamed_markdown_answer,
    test_switching_threads_while_streaming_keeps_the_run,
    test_thinking_is_open_while_the_model_thinks_and_folds_once_it_answers,
    test_tool_error_and_model_error_leave_the_app_usable,
    test_tool_panels_fill_get_results_and_collapse,
)

pytestmark = pytest.mark.server

__all__ = [
    "test_a_refused_rollback_keeps_the_second_message_in_the_composer_and_says_why",
    "test_a_restart_mid_run_resumes_it",
    "test_cancelling_the_busy_question_keeps_the_text",
    "test_drafts_survive_switching_threads_and_restarts",
    "test_escape_cancels_the_run_on_the_server",
    "test_history_of_an_existing_thread_loads",
    "test_opening_a_busy_thread_follows_its_run_live",
    "test_send_and_see_the_streamed_markdown_answer",
    "test_sending_into_our_own_running_thread_can_interrupt_it",
    "test_switching_threads_while_streaming_keeps_the_run",
    "test_the_app_connects_to_a_server_without_ok_and_says_nothing_alarming",
    "test_thinking_is_open_while_the_model_thinks_and_folds_once_it_answers",
    "test_tool_error_and_model_error_leave_the_app_usable",
    "test_tool_panels_fill_get_results_and_collapse",
]
