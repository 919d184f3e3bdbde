"""``python -m chat_tui.screenshots``."""

import sys

from chat_tui.screenshots import main

sys.exit(main())
