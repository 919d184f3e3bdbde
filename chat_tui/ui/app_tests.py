"""The app's side of the test results view: the view lives on (installed) while the user opens a
test run's thread, and the suite runs on the app's connection, with a service of its own."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from textual.app import App

from chat_tui.service.chat import ChatService

if TYPE_CHECKING:
    from chat_tui.testing.session import TestLaunch
    from chat_tui.ui.screens.chat import ChatScreen

__all__ = ["TestResultsHost"]


class TestResultsHost(App[int]):
    # Provided by ChatApp:
    service: ChatService | None

    @property
    def chat(self) -> ChatScreen:
        raise NotImplementedError

    def init_tests(self, launch: TestLaunch | None) -> None:
        self.test_launch = launch
        self.service_ready = asyncio.Event()  # set while a service is connected
        self._test_service: ChatService | None = None

    def install_test_results(self) -> None:
        """``chat-tui test --tui`` / ``test view``: the results view opens over the chat screen."""
        if self.test_launch is None:
            return
        from chat_tui.ui.screens.test_results import RESULTS_SCREEN, TestResultsScreen

        if self.is_screen_installed(RESULTS_SCREEN):
            return
        self.install_screen(TestResultsScreen(self.test_launch), RESULTS_SCREEN)
        self.push_screen(RESULTS_SCREEN)

    @property
    def has_test_results(self) -> bool:
        return self.test_launch is not None

    def show_test_results(self) -> None:
        from chat_tui.ui.screens.test_results import RESULTS_SCREEN, TestResultsScreen

        if self.test_launch is not None and not isinstance(self.screen, TestResultsScreen):
            self.push_screen(RESULTS_SCREEN)

    def open_test_thread(self, thread_id: str, anchor: tuple[int, bool] | None) -> None:
        """A test run's thread in the chat screen, at *anchor* (the results view stays installed)."""
        from chat_tui.ui.screens.test_results import TestResultsScreen

        if isinstance(self.screen, TestResultsScreen):
            self.pop_screen()
        self.chat.open_thread_at(thread_id, anchor)

    def service_connected(self, connected: bool) -> None:
        if connected:
            self.service_ready.set()
        else:
            self.service_ready.clear()
            self._test_service = None

    async def wait_for_service(self) -> ChatService:
        while True:
            await self.service_ready.wait()
            if self.service is not None:
                return self.service
            self.service_ready.clear()

    def test_service(self, service: ChatService) -> ChatService:
        """The service a suite runs on: the app's client, but none of its user data (a test run
        keeps no drafts or partial answers) and the default assistant resolution of `chat-tui test`."""
        if self._test_service is None or self._test_service.client is not service.client:
            self._test_service = ChatService(service.connection, service.client)
        return self._test_service

    def test_exit_code(self) -> Any:
        """What ``chat-tui test --tui`` exits with: the suite's verdict once every scenario ran, else 1
        (``test view`` only shows a file: it exits as the app does)."""
        launch = self.test_launch
        if launch is None or not launch.run_now:
            return None
        result = launch.session.suite_result()
        return result.exit_code if result is not None else 1
