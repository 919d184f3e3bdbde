"""``chat-tui test``: scripted agent tests against any Agent Server deployment.

A front end beside ``headless`` and ``ui``: each scenario run is a new thread on the server,
driven turn by turn through :class:`~chat_tui.service.chat.ChatService` and folded into the same
:class:`~chat_tui.conversation.Conversation` the app shows, so a test sees what a user sees.

* :mod:`.model`: the scenario file format (pydantic; ``chat-tui test schema`` prints its JSON Schema);
* :mod:`.loader`: YAML files to models, every problem as ``FILE:LINE: message``;
* :mod:`.matchers`, :mod:`.trajectory`: the assertions' comparisons (pure);
* :mod:`.observe`, :mod:`.checks`: what a turn did, and the verdict of each expectation on it;
* :mod:`.runner`: runs, concurrency, answers to interrupts; :mod:`.sending`: one turn's send, with
  back-off on 429/503 and the turn's timeout;
* :mod:`.results`, :mod:`.reports`: aggregation, and the console, JUnit, JSONL and Markdown reports
  (:mod:`.aborted`: the reports of a command that ran nothing);
* :mod:`.result_file`: a JSONL results file (or live results) as typed records, the one reader of that format;
* :mod:`.paths`, :mod:`.coverage`: runs grouped by the path they took; the graph's nodes and edges no run took;
* :mod:`.diff`: ``chat-tui test diff``, two results files compared;
* :mod:`.record`: a thread turned into a scenario; :mod:`.command`: the command line.
"""
