"""The message pane's window plan, without Textual: hypothesis drives every operation.

A model of the mounted widgets applies each returned :class:`Step` the way the pane does
(mount above or below, drop from the other end) and must always equal ``items[start:end]``:
the window stays contiguous, and steps extend and drop it in the right direction.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from chat_tui.conversation import ChatMessage, ErrorEntry
from chat_tui.ui.window_plan import LIMITS, Limits, Placement, Step, TextSizes, WindowPlan


@dataclass(eq=False)
class Item:
    """An entry: compared by identity, as conversation entries are."""

    size: int
    hidden: bool = False  # in the conversation, but not rendered on its own (a tool result in its panel)
    streaming: bool = False


def size(item: Item) -> int:
    return item.size


sizes = st.integers(0, 60_000)
small_limits = st.builds(
    Limits,
    entries=st.integers(1, 12),
    chars=st.integers(0, 200_000),
    min_entries=st.integers(1, 4),
    prune_slack=st.integers(0, 5),
    step=st.integers(1, 6),
    first_paint=st.integers(1, 6),
    fill_batch=st.integers(1, 4),
).filter(lambda limits: limits.min_entries <= limits.entries and limits.first_paint <= limits.entries)


def plan_of(item_sizes: list[int], limits: Limits = LIMITS) -> WindowPlan[Item]:
    plan: WindowPlan[Item] = WindowPlan(size, limits)
    plan.reset(Item(n) for n in item_sizes)
    return plan


@settings(max_examples=300)
@given(item_sizes=st.lists(sizes, max_size=80), limits=small_limits | st.just(LIMITS), data=st.data())
def test_a_full_window_is_as_long_as_the_budget_allows(
    item_sizes: list[int], limits: Limits, data: st.DataObject
) -> None:
    plan = plan_of(item_sizes, limits)
    end = data.draw(st.integers(0, len(item_sizes)))
    start = plan.full_start(end)
    window = item_sizes[start:end]
    assert 0 <= start <= end and len(window) <= limits.entries
    assert len(window) <= limits.min_entries or sum(window) <= limits.chars  # over the budget: only the newest few
    if start > 0 and len(window) < limits.entries:  # ...and it could not be one longer
        assert len(window) >= limits.min_entries and sum(window) + item_sizes[start - 1] > limits.chars
    # the same from the other side
    begin = data.draw(st.integers(0, len(item_sizes)))
    stop = plan.full_end(begin)
    window = item_sizes[begin:stop]
    assert begin <= stop <= len(item_sizes) and len(window) <= limits.entries
    assert len(window) <= limits.min_entries or sum(window) <= limits.chars
    if stop < len(item_sizes) and len(window) < limits.entries:
        assert len(window) >= limits.min_entries and sum(window) + item_sizes[stop] > limits.chars


def test_a_new_window_at_the_end_paints_the_newest_first_then_fills_upwards() -> None:
    plan = plan_of([100] * 200)
    first = plan.open(at_end=True)
    assert first.mount == tuple(plan.items[-LIMITS.first_paint :]) and not first.above
    assert plan.at_end and plan.incomplete
    steps = []
    while step := plan.fill():
        steps.append(step)
    assert all(s.above and not s.drop and len(s.mount) <= LIMITS.fill_batch for s in steps)
    assert (plan.start, plan.end) == (200 - LIMITS.entries, 200) and plan.earlier == 150 and plan.later == 0


def test_long_messages_make_a_shorter_window_but_the_newest_few_always_show() -> None:
    plan = plan_of([50_000] * 10)
    plan.open(at_end=True)
    while plan.fill():
        pass
    assert plan.end - plan.start == LIMITS.min_entries  # 150,000 characters: over the budget, still three


class WindowMachine(RuleBasedStateMachine):
    """Random shows, fills, new entries, removals, prunes and scrolls past either edge."""

    def __init__(self) -> None:
        super().__init__()
        self.limits = LIMITS
        self.plan: WindowPlan[Item] = WindowPlan(size)
        self.order: list[Item] = []  # the conversation's entries, rendered or not
        self.mounted: list[Item] = []  # what the pane would have mounted, from the steps

    def apply(self, step: Step[Item]) -> None:
        if step.above:
            self.mounted[:0] = step.mount
            if step.drop:
                assert tuple(self.mounted[-len(step.drop) :]) == step.drop  # dropped below
                del self.mounted[-len(step.drop) :]
        else:
            self.mounted += step.mount
            if step.drop:
                assert tuple(self.mounted[: len(step.drop)]) == step.drop  # dropped above
                del self.mounted[: len(step.drop)]

    def bound(self, count: int | None) -> int:
        """The most entries a window pruned after re-creating *count* entries can hold."""
        limits = self.limits
        return max(limits.entries + limits.prune_slack, (limits.step if count is None else count) + limits.first_paint)

    @initialize(limits=small_limits, item_sizes=st.lists(sizes, max_size=40), at_end=st.booleans())
    def show(self, limits: Limits, item_sizes: list[int], at_end: bool) -> None:
        self.limits = limits
        self.plan = WindowPlan(size, limits)
        self.order = [Item(n) for n in item_sizes]
        self.plan.reset(self.order)
        self.mounted = []
        self.apply(self.plan.open(at_end=at_end))
        assert self.plan.start == 0 or at_end
        assert self.plan.at_end or not at_end

    @rule(at_end=st.booleans())
    def jump(self, at_end: bool) -> None:
        self.mounted = []  # (the pane unmounts the whole window)
        self.apply(self.plan.open(at_end=at_end))
        if at_end:
            assert self.plan.at_end and self.plan.end - self.plan.start <= self.limits.first_paint
        else:
            assert self.plan.start == 0

    @rule()
    def fill(self) -> None:
        plan = self.plan
        incomplete, at_end, start, end = plan.incomplete, plan.at_end, plan.start, plan.end
        step = plan.fill()
        assert bool(step) == incomplete and not step.drop
        if step:
            assert step.above == at_end and len(step.mount) <= self.limits.fill_batch
            assert (plan.end == end and plan.start < start) if at_end else (plan.start == start and plan.end > end)
        self.apply(step)

    @rule()
    def fill_completely(self) -> None:
        while step := self.plan.fill():
            self.apply(step)
        plan = self.plan  # at least a full window (one that grew past it is pruned, not filled)
        assert plan.start <= plan.full_start(plan.end) if plan.at_end else plan.end >= plan.full_end(plan.start)

    @rule(item_size=sizes, where=st.integers(0, 10_000), at_the_end=st.booleans(), hidden=st.booleans())
    def add(self, item_size: int, where: int, at_the_end: bool, hidden: bool) -> None:
        plan = self.plan
        item = Item(item_size, hidden=hidden)
        position = len(self.order) if at_the_end else where % (len(self.order) + 1)
        self.order.insert(position, item)
        if hidden:
            return  # (the pane never sees it)
        was_at_end, start, end = plan.at_end, plan.start, plan.end
        placement = plan.add(item, self.order)
        index = next(n for n, i in enumerate(plan.items) if i is item)
        if placement is Placement.MOUNT:
            assert start <= index < plan.end and plan.end == end + 1
            self.mounted.insert(index - plan.start, item)
        elif placement is Placement.ABOVE:
            assert index < plan.start and (plan.start, plan.end) == (start + 1, end + 1)
        else:
            assert not was_at_end and index >= plan.end and (plan.start, plan.end) == (start, end)
        if was_at_end:  # following: the newest is always in the window
            assert plan.at_end and (placement is Placement.MOUNT or not at_the_end)

    @precondition(lambda self: self.plan.items)
    @rule(which=st.integers(0, 10_000))
    def remove(self, which: int) -> None:
        item = self.plan.items[which % len(self.plan.items)]
        mounted = item in self.mounted
        assert self.plan.remove(item) and not self.plan.remove(item)
        item.hidden = True  # (it now shows inside another entry)
        if mounted:
            self.mounted.remove(item)

    @precondition(lambda self: self.plan.items)
    @rule(which=st.integers(0, 10_000))
    def start_streaming(self, which: int) -> None:
        self.plan.items[which % len(self.plan.items)].streaming = True

    @precondition(lambda self: self.plan.at_end)
    @rule()
    def prune(self) -> None:
        plan = self.plan
        limits = self.limits
        start, end = plan.start, plan.end
        over = end - start > limits.entries + limits.prune_slack or plan.full_start(end) > start
        step = plan.prune(keep=lambda item: item.streaming)
        assert not step.mount and not step.above and plan.end == end and plan.at_end
        assert not any(item.streaming for item in step.drop)
        if not over:
            assert not step
        else:
            assert plan.start == plan.full_start(end) or plan.items[plan.start].streaming
        self.apply(step)

    @rule(count=st.none() | st.integers(0, 20), prune=st.booleans())
    def hydrate(self, count: int | None, prune: bool) -> None:
        plan = self.plan
        start, end = plan.start, plan.end
        reading = plan.items[start : min(end, start + self.limits.first_paint)]
        step = plan.hydrate(count, prune=prune)
        assert step.above and plan.start <= start
        assert step.mount == tuple(plan.items[plan.start : start])
        assert all(item in plan.mounted for item in reading)  # what the user was reading stays
        if not prune:
            assert not step.drop and plan.end == end
        elif step:
            assert plan.end - plan.start <= self.bound(count)
        self.apply(step)

    @rule(count=st.none() | st.integers(0, 20), prune=st.booleans())
    def extend(self, count: int | None, prune: bool) -> None:
        plan = self.plan
        start, end = plan.start, plan.end
        reading = plan.items[max(start, end - self.limits.first_paint) : end]
        step = plan.extend(count, prune=prune)
        assert not step.above and plan.end >= end
        assert step.mount == tuple(plan.items[end : plan.end])
        assert all(item in plan.mounted for item in reading)
        if not prune:
            assert not step.drop and plan.start == start
        elif step:
            assert plan.end - plan.start <= self.bound(count)
        self.apply(step)

    @invariant()
    def the_mounted_widgets_are_the_window(self) -> None:
        plan = self.plan
        assert 0 <= plan.start <= plan.end <= len(plan.items)
        assert self.mounted == list(plan.mounted)
        assert plan.earlier == plan.start and plan.later == len(plan.items) - plan.end

    @invariant()
    def the_items_are_the_rendered_entries_in_conversation_order(self) -> None:
        assert list(self.plan.items) == [item for item in self.order if not item.hidden]


TestWindowMachine = WindowMachine.TestCase
TestWindowMachine.settings = settings(max_examples=300, stateful_step_count=30, deadline=None)


def test_text_sizes_count_only_new_parts_and_start_over_when_the_text_is_replaced() -> None:
    sizes = TextSizes()
    message = ChatMessage(seq=1, role="ai")
    assert sizes(message) == 0
    message.append_text("hello")
    message.append_text(" world")
    assert sizes(message) == 11
    message.append_text("!")
    assert sizes(message) == 12
    message.replace_text("hi")
    assert sizes(message) == 2
    assert sizes(ErrorEntry(seq=2, error="E", message="m")) == TextSizes.OTHER
    sizes.clear()  # (a new conversation shown: everything is counted again)
    message.append_text("abc")
    assert sizes(message) == 5


@settings(max_examples=100, deadline=None)
@given(steps=st.lists(st.one_of(st.text(max_size=20), st.none()), max_size=30))
def test_text_sizes_follow_a_message_as_it_grows_without_joining_it(steps: list[str | None]) -> None:
    """Appends are counted as they arrive; a replaced text (None here) is counted afresh."""
    sizes = TextSizes()
    message = ChatMessage(1, "ai")
    for step in steps:
        if step is None:
            message.replace_text("replaced")
        else:
            message.append_text(step)
        assert sizes(message) == len(message.text)


def test_the_plan_imports_no_textual() -> None:
    import subprocess
    import sys

    code = (
        "import sys, chat_tui.ui.window_plan; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
