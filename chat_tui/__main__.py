"""``python -m chat_tui`` is the same as the ``chat-tui`` command."""

import sys

from chat_tui.cli import main

sys.exit(main())
