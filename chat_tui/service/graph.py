"""The graph view's use case: an assistant's graph, with its subgraphs' inner nodes (xray).

One request per assistant, remembered for the session (a graph changes only when the server is
redeployed: the view's reload asks again).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chat_tui.client.errors import UnexpectedResponse
from chat_tui.conversation.graph_model import GraphModel

if TYPE_CHECKING:
    from chat_tui.client import LangGraphClient

__all__ = ["GraphCache"]


class GraphCache:
    def __init__(self, client: LangGraphClient) -> None:
        self.client = client
        self._graphs: dict[str, GraphModel] = {}

    async def get(self, assistant_id: str, *, reload: bool = False) -> GraphModel:
        """The graph of *assistant_id* (an id or a graph name). Raises ``ClientError`` (an answer of
        another shape is an ``UnexpectedResponse``)."""
        if reload or assistant_id not in self._graphs:
            data = await self.client.assistants.graph(assistant_id, xray=True)
            try:
                self._graphs[assistant_id] = GraphModel.from_json(data)
            except ValueError as exc:
                raise UnexpectedResponse("get graph", self.client.host, str(exc)) from None
        return self._graphs[assistant_id]
