"""Canned reply texts of the scripted model (deterministic; no model, no network)."""

from __future__ import annotations

# What to say to the demo, and what it does: the one table (the README shows the same rows, a test
# checks both, and that each example picks the scenario it names).
KEYWORD_HELP: tuple[tuple[str, str, str], ...] = (
    # (an example to type, the scenario it picks, what happens)
    ("anything", "default", "a Markdown answer with a heading, a list, a table and a code block"),
    ("weather in sf", "weather", "a weather tool call whose arguments stream in pieces, its result, then a summary"),
    ("compare paris and tokyo", "compare", "two parallel tool calls whose argument chunks interleave"),
    ("fail", "fail", "a tool that fails (an error result), then an apology"),
    ("crash", "crash", "the model raises mid-stream: the run fails with an error"),
    ("delete the report", "approve", "an `interrupt()` asks for approval before the tool runs; answer `yes` or `no`"),
    ("plan", "plan", "two model nodes in sequence (`planner`, then `writer`), labelled in the pane"),
    ("research", "research", "a subgraph with its own model; its tokens stream only when subgraph streaming is on"),
    ("think", "think", "thinking and text content blocks (and a provider id on the first chunk only)"),
    ("你好", "chinese", "an answer in Chinese"),
    ("안녕", "korean", "an answer in Korean"),
    ("long", "long", "an 8 KB answer"),
    ("big export", "big", "a tool returns 1 MB of JSON: its panel shows a summary and the first lines, Enter all"),
    ("slow", "slow", "a slow answer, to cancel with Esc"),
    ("config", "config", "echoes the run's configuration (`model_name`, `persona`, …)"),
    ("hostile", "hostile", "a security self-test: markup, action links and escape sequences that must show as text"),
)

# The demo server's graphs (its assistants): the README shows this table, and a test checks that it
# names every graph of `langgraph.json`.
GRAPH_HELP: tuple[tuple[str, str, str], ...] = (
    # (the graph, what to say to it, what happens)
    ("agent", "a keyword from the table below", "every scenario of the keyword table below"),
    ("echo", "anything", "echoes your message and the run's configuration"),
    (
        "approvals",
        "`email bob` · `delete /tmp/report.txt` · `email alice and delete the report` · `look up carol`",
        "langchain's `create_agent` + `HumanInTheLoopMiddleware`, batched: one interrupt lists every gated call "
        "of the model's turn, answered with one decision per call, in order. `send_email` allows approve, edit, "
        "reject and respond; `delete_file` only approve and reject; `lookup_contact` is never gated",
    ),
    (
        "approvals_per_call",
        "the same as `approvals`",
        'the same agent with `interrupt_mode="per_call"`: one interrupt per gated call, each with a '
        "`response_schema` of the decisions it allows, answered by its interrupt id",
    ),
    (
        "parallel",
        "anything",
        "two nodes ask a question each at once (two interrupts pending, answered by id, together or one at a "
        "time); then `join` reports both answers",
    ),
    (
        "legacy_inbox",
        "anything",
        "asks in agent-inbox's older format (`action_request` + `config`): post a message? approve (accept), "
        "edit, respond or reject (ignore), then says what it did",
    ),
    (
        "booking",
        "anything",
        "asks which room and for how long, with a `response_schema` for the answer: the app builds a form "
        "from it (`f` on the question); then confirms the booking",
    ),
    (
        "structured",
        'JSON input `{"text": "..."}` (F7, or `input:` in a test)',
        "a graph without `messages`: counts the words (`count`), then summarises (`summarise`); the state view "
        "shows `text`, `words`, `longest`, `summary`",
    ),
    (
        "coin",
        "anything · `escalate`",
        "a deliberately flaky agent (the one demo graph that is not deterministic): it calls `search`, then "
        "flips a coin: answers `Found it in one search.` or searches again and answers `Found it after two "
        "searches.`; a message saying `escalate` takes the branch to the `escalate` node instead (for "
        "`chat-tui test`'s flaky paths and graph coverage)",
    ),
    (
        "nested_approval",
        "anything",
        "the `researcher` subgraph searches and reports, then its `review` node asks `Publish these findings?` "
        "from inside the subgraph (an interrupt that streams twice, answered once); `report` says what became "
        "of them",
    ),
)

PERSONA_OPENERS: dict[str, str] = {
    "friendly": "Hi! I'm the **chat-tui demo assistant**, a scripted model running offline.",
    "terse": "Scripted demo model. Offline.",
    "pirate": "Ahoy! I be the **chat-tui demo assistant**, a scripted model sailin' offline.",
}


def keyword_table() -> str:
    rows = "\n".join(f"| `{say}` | {what} |" for say, _scenario, what in KEYWORD_HELP)
    return f"| say | what happens |\n|---|---|\n{rows}\n"


def graph_table() -> str:
    rows = "\n".join(f"| `{graph}` | {say} | {what} |" for graph, say, what in GRAPH_HELP)
    return f"| assistant | say | what happens |\n|---|---|---|\n{rows}\n"


def default_reply(persona: str) -> str:
    opener = PERSONA_OPENERS.get(persona, PERSONA_OPENERS["friendly"])
    return (
        f"## Welcome to the demo\n\n{opener} No API key needed.\n\n"
        "- replies **stream** token by token\n"
        "- tool calls show their arguments *as they arrive*\n"
        "- threads live on a real `langgraph dev` server\n\n"
        "Put a keyword in your message to try a scenario:\n\n"
        f"{keyword_table()}\n"
        "A tool, in Python:\n\n"
        "```python\n"
        "from langchain_core.tools import tool\n\n"
        "@tool\n"
        "def get_weather(city: str) -> str:\n"
        '    return f"Sunny in {city}."\n'
        "```\n\n"
        "Try `what's the weather in sf`."
    )


APPROVALS_HELP_TEXT = (
    "I can **send an email**, **delete a file** and **look up a contact**. Sending and deleting "
    "wait for your decision; looking up never does. Try:\n\n"
    "- `email bob`: one call to approve, edit, reject or answer yourself\n"
    "- `delete /tmp/report.txt`: one call to approve or reject (nothing else)\n"
    "- `email alice and delete the report` (or `both`): both at once, plus a lookup that needs no approval\n"
    "- `look up carol`: a tool that is never gated\n\n"
    "Nothing is really sent or deleted: the tools are offline fakes."
)

PLAN_TEXT = (
    "Here's my plan:\n\n"
    "1. Clarify what you want to achieve.\n"
    "2. Gather the facts that matter.\n"
    "3. Draft a short answer.\n"
    "4. Review it and point out open questions.\n"
)

WRITER_TEXT = (
    "## Result\n\n"
    "Following the plan above:\n\n"
    "- **Goal**: a clear, short answer to your request.\n"
    "- **Facts**: in this demo they are canned, but a real agent would look them up.\n"
    "- **Draft**: you are reading it. It was written by a second model node (`writer`) "
    "after the `planner` node finished.\n\n"
    "Open question: would you like more detail on any step?"
)

RESEARCH_START_TEXT = "I'll search my notes first."

RESEARCH_SUMMARY_TEXT = (
    "### Research findings\n\n"
    "From my notes:\n\n"
    "1. **Streaming** sends one server-sent event per model chunk.\n"
    "2. **Human-in-the-loop** pauses a node with `interrupt()` until you resume it.\n"
    "3. **Subgraphs** (like this `researcher`) stream under a namespaced event name, "
    "`messages|researcher:<task id>`, when the client asks for `stream_subgraphs`.\n\n"
    "_This answer came from a model node inside a compiled subgraph._"
)

CHINESE_TEXT = (
    "## 你好！\n\n"
    "我是 **chat-tui** 的演示助手，所有回复都是预先写好的，不需要网络，也不需要 API 密钥。\n\n"
    "你可以试试下面这些功能：\n\n"
    "- 输入 `weather`，查看**工具调用**如何逐步流式显示\n"
    "- 输入 `approve`，体验需要你批准的操作（中断与恢复）\n"
    "- 输入 `long`，看看很长的 Markdown 回复\n\n"
    "| 功能 | 说明 |\n|---|---|\n| 流式输出 | 逐个片段显示 |\n| 工具调用 | 参数分段到达 |\n\n"
    "祝你使用愉快！🚀"
)

KOREAN_TEXT = (
    "## 안녕하세요!\n\n"
    "저는 **chat-tui** 데모 어시스턴트입니다. 모든 답변은 미리 준비된 것이라 네트워크나 API 키가 "
    "필요 없습니다.\n\n"
    "다음 기능을 사용해 보세요:\n\n"
    "- `weather` 를 입력하면 **도구 호출**이 스트리밍되는 모습을 볼 수 있습니다\n"
    "- `approve` 를 입력하면 승인이 필요한 작업(인터럽트와 재개)을 체험할 수 있습니다\n"
    "- `long` 을 입력하면 긴 Markdown 답변을 볼 수 있습니다\n\n"
    "| 기능 | 설명 |\n|---|---|\n| 스트리밍 | 조각 단위로 표시 |\n| 도구 호출 | 인자가 나뉘어 도착 |\n\n"
    "즐거운 시간 되세요! 👍🏽"
)

THINKING_TEXT = (
    "The user asked me to think. I'll reason briefly: the client should show this block as "
    "'thinking', separate from the answer, and must not start a new bubble when the message id "
    "changes after the first chunk."
)

THINK_ANSWER_TEXT = (
    "Here is my answer after thinking it over: this message used **list content blocks** "
    "(a `thinking` block, then a `text` block), and only its first chunk carried the "
    "provider-style id `msg_demo_…`. The rest carried LangChain's `lc_run--…` id."
)

SLOW_TEXT = (
    "This is a deliberately slow answer, so that you can try cancelling a run while it is still "
    "streaming. Each piece arrives about a tenth of a second after the previous one. While you "
    "wait, notice how the client keeps the view pinned to the bottom and still reacts to your "
    "keys. Once upon "
    "a time, a terminal client asked a server for an answer. The server started to speak, one "
    "word at a time, and the client printed each word as soon as it arrived. Halfway through, "
    "the user changed their mind and pressed the cancel key. The stream simply ended, without a "
    "final event, and the client marked the answer as cancelled. If you are still reading, the "
    "cancel key was not pressed, and that is fine too: the answer ends here."
)


def long_markdown() -> str:
    """A long (~8 KB) Markdown answer: several sections, lists, a table and code fences."""
    sections: list[str] = [
        "# A long answer\n\nThis reply is long on purpose: it exercises "
        "scrolling, wrapping and incremental Markdown rendering.\n"
    ]
    topics = (
        ("Streaming", "tokens arrive as server-sent events, one per model chunk"),
        ("Threads", "a thread stores the conversation and its checkpoints"),
        ("Runs", "a run executes the graph once on a thread"),
        ("Interrupts", "a node can pause and wait for a human decision"),
        ("Tools", "the model asks for a tool; a tool node runs it and returns the result"),
        ("Subgraphs", "a node can itself be a whole graph with its own nodes"),
        ("Checkpoints", "every step is saved, so a run can resume or branch later"),
        ("Assistants", "an assistant is a graph plus its saved configuration"),
    )
    for n, (title, blurb) in enumerate(topics, start=1):
        sections.append(
            f"## {n}. {title}\n\n"
            f"In short, {blurb}. The paragraphs below go into a little more detail so that the "
            "answer gets long enough to scroll. A good client keeps the view pinned to the bottom "
            "while new text arrives, unless the user scrolled up to read something earlier.\n\n"
            f"- first point about {title.lower()}: keep the interface responsive\n"
            f"- second point about {title.lower()}: render only what changed\n"
            f"- third point about {title.lower()}: never trust text from the network\n\n"
            "```python\n"
            f"def explain_{title.lower()}(depth: int = {n}) -> str:\n"
            f'    """Explain {title.lower()} at the given depth."""\n'
            f'    return "{title}: " + "more " * depth\n'
            "```\n"
        )
    rows = "\n".join(f"| {title} | {blurb} | {len(blurb)} |" for title, blurb in topics)
    sections.append(f"## Summary table\n\n| topic | one-line summary | length |\n|---|---|---:|\n{rows}\n")
    sections.append(
        "## Closing notes\n\n"
        + "\n".join(
            f"{n}. Note number {n}: long answers should not slow the client down, even when "
            "they are streamed in hundreds of small pieces."
            for n in range(1, 18)
        )
        + "\n\nThat's the end of the long answer.\n"
    )
    return "\n".join(sections)


# Security self-test. The pieces are streamed exactly as listed, so that some escape sequences
# are split across two chunks ("\x1b]52;c;UFd" + "ORUQ=\x07", "\x1b]0;PWNED" + "-TITLE\x1b\\").
HOSTILE_PIECES: tuple[str, ...] = (
    "Security self-test. ",
    "Markup: [/] and [$x] and [b]bold?[/b] ",
    "and [@click=app.quit]click me[/] ",
    "and [link='https://evil.example']x[/link]. ",
    "Clipboard: \x1b]52;c;UFd",
    "ORUQ=\x07 ",
    "Title: \x1b]0;PWNED",
    "-TITLE\x1b\\ ",
    "Clear: \x1b[2J SGR: \x1b[31mred\x1b",
    "[0m ",
    "C1 CSI: \x9b2J C1 OSC: \x9d0;C1-TITLE\x9c ",
    "DCS: \x1bPq#0;DCS-PWN\x1b\\ APC: \x1b_APC-PWN\x1b\\ ",
    "Links: [ssh link](ssh://attacker.example/x) ",
    "and [safe link](https://example.com). ",
    "CJK: 你好, 안녕하세요. ",
    "Emoji: 🚀👍🏽. ",
    "Now calling a tool with a hostile name.",
)

HOSTILE_SUMMARY_PIECES: tuple[str, ...] = (
    "The tool answered with escapes too: ",
    "\x1b]52;c;UFdORUQ=\x07",
    " \x1b[2J",
    " [@click=app.quit]quit[/]. ",
    "If your terminal title, clipboard and screen are unchanged, the client passed the test.",
)
