"""Thread-level use cases: list, title, rename, delete, and what is remembered per thread.

A mixin of :class:`~chat_tui.service.chat.ChatService` (kept apart so each file holds one
kind of work): everything here is one or two requests plus the store that goes with them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chat_tui.run_config import RunConfig
from chat_tui.sanitize import clean_line

if TYPE_CHECKING:
    from chat_tui.client import LangGraphClient
    from chat_tui.client.models import Thread, ThreadState
    from chat_tui.conversation import Conversation
    from chat_tui.settings.userdata import UserData

__all__ = ["TITLE_CHARS", "ThreadActions", "stored_outcome", "thread_title"]

TITLE_CHARS = 80  # a title made from the first message
RECALL_MIN, RECALL_MAX = 4, 40  # checkpoints read to recall a thread's live details...
RECALL_BUDGET = 4000  # ...about this many stored messages in all (each checkpoint holds every message)
RECALL_RUNS = 100
RECALL_SUBGRAPHS = 8  # the subgraph runs (newest first) whose own checkpoints are read to nest their messages
RENAME_CHARS = 200  # a title the user typed


def thread_title(title: str | None, first_message: str | None, limit: int = TITLE_CHARS) -> str:
    """``metadata.title``, else the first human message's first line, else ``New thread``."""
    for candidate in (title, first_message):
        if candidate and candidate.strip():
            first_line = candidate.strip().splitlines()[0]
            return clean_line(first_line, limit)
    return "New thread"


def stored_outcome(conversation: Conversation) -> str | None:
    """How a thread opened from history last ended, when this app did not see it run."""
    from chat_tui.conversation import ErrorEntry

    if conversation.run is not None or not conversation.entries:
        return None
    if conversation.pending_interrupts:
        return "interrupted"
    if isinstance(conversation.entries[-1], ErrorEntry):
        return "error"
    return None


class ThreadActions:
    client: LangGraphClient
    userdata: UserData | None
    assistant_id: str
    thread_assistants: dict[str, str]
    assistant_names: dict[str, str]
    stream_subgraphs: bool

    @property
    def data_key(self) -> str:
        raise NotImplementedError

    async def list_threads(
        self, *, limit: int, offset: int = 0, metadata: dict[str, Any] | None = None
    ) -> list[Thread]:
        """A page of the server's threads, most recently updated first (only those whose metadata
        contains *metadata*, when given)."""
        threads = await self.client.threads.search(limit=limit, offset=offset, metadata=metadata)
        for thread in threads:
            self.learn_thread(thread)
        return threads

    async def first_message(self, thread_id: str) -> str:
        """The first thing the user said in a thread (what an untitled thread is shown as)."""
        from chat_tui.conversation.state import Conversation  # (after the first frame: pydantic)

        state = await self.client.threads.get_state(thread_id)
        conversation = Conversation(thread_id)
        conversation.load(state)
        return conversation.first_human_text() or ""

    async def title_thread(self, thread_id: str, text: str) -> Thread | None:
        """Title a thread just created from its first message; None if the server refused."""
        from chat_tui.client.errors import ClientError

        try:
            return await self.client.threads.update(thread_id, metadata={"title": thread_title(None, text)})
        except ClientError:
            return None  # an untitled thread shows its first message instead

    async def rename_thread(self, thread_id: str, title: str) -> Thread:
        return await self.client.threads.update(thread_id, metadata={"title": title.strip()[:RENAME_CHARS]})

    async def delete_thread(self, thread_id: str) -> None:
        """Delete on the server, then forget what was kept for the thread here."""
        await self.client.threads.delete(thread_id)
        if self.userdata is not None:
            self.userdata.forget_thread(self.data_key, thread_id)

    async def recall(self, conversation: Conversation) -> bool:
        """Put back what the live view showed (node labels, answered interrupts, errors, partial
        answers) from the thread's recent checkpoints and runs; False when the server would not say.

        Each checkpoint carries the whole state, so the number read shrinks as threads grow.
        """
        from chat_tui.client.errors import ClientError
        from chat_tui.conversation.recall import UnsavedAnswer

        thread_id = conversation.thread_id
        if thread_id is None:
            return False
        limit = max(RECALL_MIN, min(RECALL_MAX, RECALL_BUDGET // max(1, len(conversation.entries))))
        try:
            checkpoints = await self.client.threads.get_history(thread_id, limit=limit)
            runs = await self.client.runs.list(thread_id, limit=RECALL_RUNS)
        except ClientError:
            return False  # (a server without history or run lists: the thread shows as loaded)
        kept = self.userdata.unsaved_answers(self.data_key, thread_id) if self.userdata is not None else []
        unsaved = [
            UnsavedAnswer(
                str(a["run_id"]), str(a["after"]), str(a.get("text", "")), a.get("node"), bool(a.get("failed"))
            )
            for a in kept
            if isinstance(a.get("run_id"), str) and isinstance(a.get("after"), str)
        ]
        subgraphs = await self._subgraph_histories(thread_id, checkpoints) if self.stream_subgraphs else None
        conversation.recall(checkpoints, runs, unsaved, subgraphs)
        return True

    async def _subgraph_histories(self, thread_id: str, checkpoints: list[ThreadState]) -> dict[str, list[ThreadState]]:
        """The own checkpoints of the subgraphs the recent ones ran (one request each, the newest
        few): which inner node wrote each message. One that cannot be read is left out (its
        messages nest under the parent node, unlabelled within)."""
        from chat_tui.client.errors import ClientError

        found: dict[str, list[ThreadState]] = {}
        namespaces = [t.checkpoint_ns for c in checkpoints for t in c.tasks if t.checkpoint_ns]
        for ns in list(dict.fromkeys(namespaces))[:RECALL_SUBGRAPHS]:
            try:
                found[ns] = await self.client.threads.get_subgraph_history(thread_id, ns)
            except ClientError:
                continue
        return found

    def keep_unsaved(self, conversation: Conversation, run_id: str | None, *, failed: bool) -> None:
        """A cancelled or failed run's partial answer is not stored by the server: keep it here."""
        from chat_tui.conversation import ChatMessage

        thread_id = conversation.thread_id
        if self.userdata is None or thread_id is None or run_id is None:
            return
        after: str | None = None
        for entry in conversation.entries:
            if not isinstance(entry, ChatMessage):
                continue
            if entry.persisted and entry.id:
                after = entry.id
            elif entry.role == "ai" and entry.run_id == run_id and entry.persisted is False and entry.text and after:
                answer = {"run_id": run_id, "after": after, "text": entry.text, "node": entry.node, "failed": failed}
                self.userdata.keep_unsaved_answer(self.data_key, thread_id, answer)

    # -- what is remembered per thread --------------------------------------------------------

    def run_config_for(self, thread_id: str | None, current: RunConfig | None) -> RunConfig | None:
        """The run configuration a thread uses: its own, else (a new thread) the one in use now."""
        stored = RunConfig.from_json(self.userdata.run_config(self.data_key, thread_id)) if self.userdata else None
        if stored is None and thread_id is None:
            return current
        return stored

    def set_run_config(self, thread_id: str | None, config: RunConfig | None) -> RunConfig | None:
        """Keep *config* for *thread_id* (an empty one clears it); returns what is now in use."""
        kept = config if config is not None and config.values else None
        if self.userdata is not None:
            self.userdata.set_run_config(self.data_key, thread_id, kept.to_json() if kept else None)
        return kept

    def prompt_history(self, conversation: Conversation) -> list[str]:
        """Up in the composer: this thread's messages last (nearest), after what was sent elsewhere."""
        mine = [m.text for m in conversation.messages if m.role == "human" and m.text.strip()]
        sent = self.userdata.prompts(self.data_key) if self.userdata is not None else []
        seen = set(mine)
        return [p for p in sent if p not in seen] + mine

    # -- which assistant --------------------------------------------------------------------------

    def assistant_for(self, thread_id: str | None) -> str:
        """The assistant a thread's runs use: the one that made it; a new thread uses the chosen one."""
        return self.thread_assistants.get(thread_id, self.assistant_id) if thread_id else self.assistant_id

    def assistant_label(self, thread_id: str | None) -> str:
        """The assistant as a person reads it: its graph name rather than a UUID, when known."""
        assistant = self.assistant_for(thread_id)
        return self.assistant_names.get(assistant, assistant)

    def learn_thread(self, thread: Thread) -> None:
        """Note which assistant made *thread* (from the metadata the server keeps on it)."""
        metadata = thread.metadata if isinstance(thread.metadata, dict) else {}
        assistant, graph = metadata.get("assistant_id"), metadata.get("graph_id")
        assistant = assistant if isinstance(assistant, str) and assistant else graph
        if isinstance(assistant, str) and assistant:
            self.thread_assistants[thread.thread_id] = assistant
            if isinstance(graph, str) and graph:
                self.assistant_names[assistant] = graph

    def use_assistant(self, assistant_id: str, label: str, *, thread_id: str | None = None) -> None:
        """New threads use *assistant_id*; with *thread_id*, that thread's next runs too."""
        self.assistant_names[assistant_id] = label
        if thread_id is None:
            self.assistant_id = assistant_id
        else:
            self.thread_assistants[thread_id] = assistant_id
