"""A thread's checkpoints as a tree: the timeline, where a message first appeared, and its branches.

The server keeps every checkpoint of every branch. History comes newest first, a page at a time
(``GET /threads/{id}/history?limit=&before=``: ``before`` is creation order across all branches,
not ancestry), so the tree is built from ``parent_checkpoint_id`` as pages arrive, and any walk
that needs an older checkpoint loads pages until it has it.

* **Where a message came from**: the oldest checkpoint on the shown branch whose messages hold its
  id (``first_seen``); the checkpoint before it is the **fork point**. Editing a human message runs
  the new text from there (that checkpoint is the turn's input checkpoint, whose values do not yet
  hold the message); regenerating an AI message runs from there with no input (the node runs again).
* **Branches**: the children of a fork point are the versions of the message; each child's newest
  descendant is that branch's head. Showing a branch means loading the state at its head and sending
  the next message with that head's checkpoint, so it continues the shown branch rather than the
  server's newest checkpoint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chat_tui.conversation.subgraphs import PATH_SEPARATOR, node_path
from chat_tui.sanitize import clean_line

if TYPE_CHECKING:
    from chat_tui.client import LangGraphClient
    from chat_tui.client.models import ThreadState, ThreadTask

__all__ = ["Branch", "CheckpointInfo", "SubgraphState", "Timeline"]

PAGE = 100  # (a script reading the whole history: few requests)
WALK_PAGE = 25  # (the app: each page is parsed on the UI's loop; a long thread's page of 100 can be 10 MB)
PREVIEW = 80


def _message_text(message: Any) -> str:
    content = message.get("content") if isinstance(message, dict) else None
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(b.get("text", "")) for b in content if isinstance(b, dict) and b.get("type") == "text")
    return ""


@dataclass(frozen=True, slots=True)
class CheckpointInfo:
    """One checkpoint, as the timeline and ``chat-tui history`` show it."""

    checkpoint_id: str
    parent_id: str | None
    step: int | None
    source: str | None  # input | loop | update | fork
    next: tuple[str, ...]
    created_at: datetime | None
    run_id: str | None
    message_ids: tuple[str, ...]
    preview: str  # the last message, on one line
    values: Any = field(default=None, compare=False, repr=False)
    writes: tuple[str, ...] = ()  # the nodes ``metadata.writes`` names (older langgraph; 0.16 sends none)
    subgraphs: bool = False  # a task of it runs a subgraph (whose own state the state view shows)

    @classmethod
    def from_state(cls, state: ThreadState) -> CheckpointInfo:
        metadata = state.metadata or {}
        messages = state.messages
        ids = tuple(str(m["id"]) for m in messages if isinstance(m, dict) and m.get("id"))
        last = messages[-1] if messages else None
        kind = last.get("type", "") if isinstance(last, dict) else ""
        preview = f"{kind}: {_message_text(last)}" if last is not None else ""
        step = metadata.get("step")
        writes = metadata.get("writes")
        return cls(
            checkpoint_id=state.checkpoint_id or "",
            parent_id=state.parent_checkpoint_id,
            step=step if isinstance(step, int) else None,
            source=str(metadata.get("source")) if metadata.get("source") else None,
            next=tuple(state.next),
            created_at=state.created_at,
            run_id=str(metadata["run_id"]) if metadata.get("run_id") else None,
            message_ids=ids,
            preview=clean_line(preview, PREVIEW),
            values=state.values,
            writes=tuple(str(node) for node in writes) if isinstance(writes, dict) else (),
            subgraphs=any(t.checkpoint_ns for t in state.tasks),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "checkpoint_id": self.checkpoint_id,
            "parent_checkpoint_id": self.parent_id,
            "step": self.step,
            "source": self.source,
            "next": list(self.next),
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "run_id": self.run_id,
            "messages": len(self.message_ids),
        }


@dataclass(frozen=True, slots=True)
class SubgraphState:
    """A subgraph's own state, as ``?subgraphs=true`` gives it for a checkpoint's task: while the
    subgraph waits (an interrupt inside it) or failed, where it stopped; once it ended, its last."""

    path: str  # "researcher", or "researcher › inner" for one nested deeper
    values: Any
    next: tuple[str, ...]
    waiting: tuple[str, ...]  # what its pending interrupts ask, one line each

    @classmethod
    def from_tasks(cls, tasks: list[ThreadTask], above: str = "", depth: int = 0) -> list[SubgraphState]:
        from chat_tui.client.models import ThreadState  # (pydantic: deferred)

        found: list[SubgraphState] = []
        for task in tasks:
            if not isinstance(task.state, dict) or depth > 3:
                continue
            try:
                state = ThreadState.model_validate(task.state)
            except ValueError:
                continue
            path = PATH_SEPARATOR.join(p for p in (above, *node_path([task.name or "?"])) if p)
            asks = [
                i.value.get("question", i.value) if isinstance(i.value, dict) else i.value for i in state.interrupts
            ]
            waiting = tuple(clean_line(str(a), PREVIEW) for a in asks)
            nodes = tuple(clean_line(n, PREVIEW) for n in state.next)
            found.append(cls(path, state.values, nodes, waiting))
            found += cls.from_tasks(state.tasks, path, depth + 1)
        return found


@dataclass(frozen=True, slots=True)
class Branch:
    """Where a message sits among its versions: ``index`` of ``count`` (1-based), and the heads to switch to."""

    fork_point: str
    index: int
    count: int
    heads: tuple[str, ...]  # each version's newest checkpoint, oldest version first


class Timeline:
    """The checkpoints of one thread loaded so far, newest first, and the tree they make."""

    def __init__(self, client: LangGraphClient, thread_id: str, *, page: int = PAGE) -> None:
        self.client = client
        self.thread_id = thread_id
        self.page = page
        self.order: list[str] = []  # newest first, as loaded
        self.by_id: dict[str, CheckpointInfo] = {}
        self.children: dict[str | None, list[str]] = {}
        self.complete = False

    def __len__(self) -> int:
        return len(self.order)

    @property
    def newest(self) -> CheckpointInfo | None:
        return self.by_id[self.order[0]] if self.order else None

    async def more(self, limit: int | None = None) -> list[CheckpointInfo]:
        """The next page of older checkpoints ([] once the first checkpoint is loaded). Each holds
        the whole state at that step, so a first page for people to look at is small."""
        if self.complete:
            return []
        before = self.order[-1] if self.order else None
        page = limit or self.page
        states = await self.client.threads.get_history(self.thread_id, limit=page, before=before)
        added = self.add(states)
        if len(states) < page or not added:
            self.complete = True
        return added

    def add(self, states: list[ThreadState]) -> list[CheckpointInfo]:
        """Index a page of history (newest first, older than what is loaded); returns what was new."""
        added = []
        for state in states:
            info = CheckpointInfo.from_state(state)
            if not info.checkpoint_id or info.checkpoint_id in self.by_id:
                continue
            self.by_id[info.checkpoint_id] = info
            self.order.append(info.checkpoint_id)
            added.append(info)
        for info in added:
            self.children.setdefault(info.parent_id, []).append(info.checkpoint_id)
        for siblings in self.children.values():
            siblings.sort()  # ids are time-ordered: oldest version first
        return added

    def writers(self, info: CheckpointInfo) -> tuple[str, ...]:
        """The node(s) that wrote *info*, when the history says: ``metadata.writes`` (any source, from
        servers that send it), else, for a ``loop`` checkpoint, what its parent had next. langgraph-api
        0.16 names no writer for an ``update`` (its metadata is only source, step and parents)."""
        if info.writes:
            return info.writes
        parent = self.by_id.get(info.parent_id or "")
        return parent.next if info.source == "loop" and parent is not None else ()

    async def subgraph_states(self, checkpoint_id: str) -> list[SubgraphState]:
        """The own states of the subgraphs a checkpoint's tasks run (``GET /state/{id}?subgraphs=true``)."""
        state = await self.client.threads.get_state_at(self.thread_id, checkpoint_id, subgraphs=True)
        return SubgraphState.from_tasks(state.tasks)

    async def get(self, checkpoint_id: str) -> CheckpointInfo | None:
        """A checkpoint of this thread, loading older pages until it is found (None: not in its history)."""
        while checkpoint_id not in self.by_id and not self.complete:
            await self.more()
        return self.by_id.get(checkpoint_id)

    async def path(self, head: str | None = None) -> list[CheckpointInfo]:
        """The checkpoints from *head* (default: the newest) back to the thread's first, newest first."""
        if not self.order:
            await self.more()
        current = head or (self.order[0] if self.order else None)
        path: list[CheckpointInfo] = []
        while current is not None:
            info = await self.get(current)
            if info is None:
                break
            path.append(info)
            current = info.parent_id
        return path

    def _version_point(self, first_seen: CheckpointInfo) -> str | None:
        """Where the versions of the message first seen at *first_seen* branch off: its parent, or,
        when that parent is a copy made by an earlier branch (a regenerate's ``fork`` checkpoint, an
        edit's input checkpoint: one child, the same messages as its own parent, and that parent
        has several children), the checkpoint it copied."""
        point = first_seen.parent_id
        while point is not None:
            info = self.by_id.get(point)
            parent = self.by_id.get(info.parent_id or "") if info is not None else None
            if (
                info is None
                or parent is None
                or len(self.children.get(point, ())) != 1
                or len(self.children.get(parent.checkpoint_id, ())) < 2
                or parent.message_ids != info.message_ids
            ):
                break
            point = parent.checkpoint_id
        return point

    async def fork_point(self, message_id: str, head: str | None = None) -> str | None:
        """The checkpoint before the one where *message_id* first appears on *head*'s branch: what an
        edit (a human message) or a regenerate (an AI message) runs from. None when it is not there."""
        path = await self.path(head)
        first_seen = None
        for info in path:  # newest first: stop at the first checkpoint that does not hold it
            if message_id not in info.message_ids:
                break
            first_seen = info
        return self._version_point(first_seen) if first_seen is not None else None

    def head_of(self, checkpoint_id: str) -> str:
        """The newest checkpoint descending from *checkpoint_id* (among those loaded)."""
        best = checkpoint_id
        stack = [checkpoint_id]
        while stack:
            current = stack.pop()
            best = max(best, current)  # ids are time-ordered
            stack.extend(self.children.get(current, ()))
        return best

    async def branches(self, head: str | None = None) -> dict[str, Branch]:
        """Every message on *head*'s branch that has other versions, by message id (one pass)."""
        path = await self.path(head)
        on_path = {info.checkpoint_id for info in path}
        found: dict[str, Branch] = {}
        seen: set[str] = set()
        for info in reversed(path):  # oldest first: the first checkpoint holding a message is where it appeared
            for message_id in info.message_ids:
                if message_id in seen:
                    continue
                seen.add(message_id)
                point = self._version_point(info)
                versions = self.children.get(point, []) if point is not None else []
                if len(versions) > 1 and point is not None:
                    index = next((n for n, v in enumerate(versions) if v in on_path), 0)
                    heads = tuple(self.head_of(v) for v in versions)
                    found[message_id] = Branch(point, index + 1, len(versions), heads)
        return found

    async def branch(self, message_id: str, head: str | None = None) -> Branch | None:
        """The versions of *message_id* (None when it has none: its fork point has one child)."""
        point = await self.fork_point(message_id, head)
        if point is None:
            return None
        while not self.complete:  # every version is newer than the fork point: load down to it
            if point in self.by_id:
                break
            await self.more()
        versions = self.children.get(point, [])
        if len(versions) < 2:
            return None
        on_path = {info.checkpoint_id for info in await self.path(head)}
        index = next((n for n, v in enumerate(versions) if v in on_path), 0)
        return Branch(point, index + 1, len(versions), tuple(self.head_of(v) for v in versions))
