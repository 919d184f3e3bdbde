"""The `approvals` graphs' scripted model (langchain's create_agent + HumanInTheLoopMiddleware):
gated tool calls first, then what became of each, read from the ToolMessages the middleware wrote."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage

from chat_tui.demo import texts
from chat_tui.demo.replies import Reply, ToolCallSpec, find_path, last_human_index, last_human_text, message_text
from chat_tui.demo.tools import CONTACTS, Contact

_EMAIL_RE = re.compile(r"\be-?mail\w*", re.IGNORECASE)
_DELETE_RE = re.compile(r"\bdelet\w*|\bremov\w*", re.IGNORECASE)
_BOTH_RE = re.compile(r"\bboth\b", re.IGNORECASE)
_LOOKUP_RE = re.compile(r"\blook\w*\s+up\b|\bcontact\w*", re.IGNORECASE)

# How langchain's middleware marks the ToolMessages it writes itself (reject, respond) and the
# result of a call a reviewer edited: the summary reads them to say what the human decided.
_DECISION_SOURCE = "hitl_interrupt_decision"
_REJECT_REASON = "with reason: "
_EDITED_MARK = "Executed instead:"
_EDITED_RESULT = "Tool response:"


def find_contact(text: str) -> Contact:
    """The first known contact named in `text` (by first name), else Alice."""
    found = [(m.start(), c) for key, c in CONTACTS.items() if (m := re.search(rf"\b{key}\b", text, re.IGNORECASE))]
    return min(found, key=lambda pair: pair[0])[1] if found else CONTACTS["alice"]


def _email_call(contact: Contact) -> ToolCallSpec:
    first = contact.name.split()[0]
    return ToolCallSpec(
        "send_email",
        {
            "to": contact.email,
            "subject": "Status update",
            "body": f"Hi {first}, the report is done and the draft is in the shared folder.",
        },
        "email",
    )


def approvals_reply(messages: Sequence[BaseMessage]) -> Reply:
    """The `approvals` graphs' model: gated tool calls first, then what became of each."""
    start = last_human_index(messages) + 1
    tail = list(messages[start:])
    if tail and isinstance(tail[-1], ToolMessage):
        asked = next((m for m in tail if isinstance(m, AIMessage) and m.tool_calls), None)
        return approvals_summary(asked, [m for m in tail if isinstance(m, ToolMessage)])
    if tail and isinstance(tail[-1], AIMessage):
        return Reply(text="Is there anything else you would like me to do?")
    return approvals_first_reply(last_human_text(messages))


def approvals_first_reply(user_text: str) -> Reply:
    """The first turn: which tools to call, from the words of the user's message."""
    contact = find_contact(user_text)
    path = find_path(user_text)
    email = bool(_EMAIL_RE.search(user_text))
    delete = bool(_DELETE_RE.search(user_text))
    if _BOTH_RE.search(user_text) or (email and delete):
        # The ungated lookup comes first, so a gated call's place among the tool calls (1, 2)
        # differs from its place in the interrupt's `action_requests` (0, 1): a client must
        # answer by the latter.
        return Reply(
            text=(
                f"I'll look up {contact.name}, email {contact.name.split()[0]} and delete `{path}`. "
                "The lookup runs straight away; sending and deleting wait for your decision."
            ),
            tool_calls=(
                ToolCallSpec("lookup_contact", {"name": contact.name}, "lookup"),
                _email_call(contact),
                ToolCallSpec("delete_file", {"path": path}, "delete"),
            ),
        )
    if email:
        return Reply(
            text=f"I'll email {contact.name} at {contact.email}. Sending waits for your decision.",
            tool_calls=(_email_call(contact),),
        )
    if delete:
        return Reply(
            text=f"I'll delete `{path}`. Deleting waits for your decision (approve or reject only).",
            tool_calls=(ToolCallSpec("delete_file", {"path": path}, "delete"),),
        )
    if _LOOKUP_RE.search(user_text):
        return Reply(
            text=f"Looking up {contact.name}; that needs no approval.",
            tool_calls=(ToolCallSpec("lookup_contact", {"name": contact.name}, "lookup"),),
        )
    return Reply(text=texts.APPROVALS_HELP_TEXT)


def _decision(message: ToolMessage) -> str:
    """What the human decided for a call: approve, edit, reject or respond (from its result)."""
    kwargs = message.additional_kwargs
    data = kwargs.get("lc_data")
    if kwargs.get("lc_source") == _DECISION_SOURCE and isinstance(data, dict):
        return str(data.get("decision", "reject"))
    text = message_text(message)
    if _EDITED_MARK in text:
        return "edit"
    return "error" if message.status == "error" else "approve"


def _tool_outcome(name: str, message: ToolMessage | None) -> str:
    if message is None:
        return f"**{name}**: no result came back."
    text = message_text(message).strip()
    match _decision(message):
        case "reject":
            if _REJECT_REASON in text:
                reason = text.split(_REJECT_REASON, 1)[1].strip()
                return f"**{name}**: I did **not** do it. You rejected it: “{reason}”"
            return f"**{name}**: I did **not** do it. You rejected it without a reason."
        case "respond":
            return f"**{name}**: not run. You answered for it: “{text}”"
        case "edit":
            result = text.rsplit(_EDITED_RESULT, 1)[1].strip() if _EDITED_RESULT in text else text
            return f"**{name}**: done with your edits. {result}"
        case "error":
            return f"**{name}**: failed. {text.splitlines()[0] if text else 'unknown error'}"
        case _:
            return f"**{name}**: done. {_contact_sentence(text) if name == 'lookup_contact' else text}"


def _contact_sentence(result: str) -> str:
    try:
        data = json.loads(result)
    except ValueError:
        return result
    if not isinstance(data, dict) or "email" not in data:
        return result
    return f"{data.get('name')} is on the {data.get('team')} team, at {data.get('email')}."


def approvals_summary(asked: AIMessage | None, results: Sequence[ToolMessage]) -> Reply:
    """One line per tool call the model made, in its order, saying what became of it."""
    by_id = {m.tool_call_id: m for m in results}
    calls = [(c["name"], c["id"] or "") for c in asked.tool_calls] if asked else []
    if not calls:
        calls = [(m.name or "tool", m.tool_call_id) for m in results]
    lines = "\n".join(f"- {_tool_outcome(name, by_id.get(call_id))}" for name, call_id in calls)
    return Reply(text=f"Here's what happened:\n\n{lines}")
