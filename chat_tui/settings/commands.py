"""``chat-tui config path`` and ``chat-tui config show`` (secrets masked)."""

from __future__ import annotations

import json
import sys

from chat_tui.client.errors import ClientError
from chat_tui.settings.manager import SettingsManager
from chat_tui.settings.paths import DEMO_SERVER_LOG, config_dir, data_dir, log_dir

__all__ = ["config_command"]


def config_command(action: str) -> int:
    manager = SettingsManager()
    if action == "path":
        print(f"settings: {manager.settings_store.path}")
        print(f"secrets:  {manager.secrets.path}  (stored API keys; mode 0600)")
        print(f"config:   {config_dir()}")
        print(f"data:     {data_dir()}  (state.json: drafts, prompts, run configurations; last-copy.txt)")
        print(f"logs:     {log_dir()}  (chat-tui.log, {DEMO_SERVER_LOG})")
        return 0
    try:
        shown = manager.describe()
    except ClientError as exc:
        sys.stderr.write(f"chat-tui: error: {exc}\n")
        return 1
    for notice in manager.take_notices():
        sys.stderr.write(f"chat-tui: {notice.message}\n")
    print(json.dumps(shown, indent=2, ensure_ascii=False))
    return 0
