"""The fault-injecting proxy fixture (``proxy``) is in ``tests/conftest.py``: the headless
human-in-the-loop tests check what was sent through it too."""

from collections.abc import Iterator

import pytest

from tests.support import repairs as repairs_module
from tests.support.repairs import recording_repairs


@pytest.fixture(autouse=True)
def text_repairs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str]]]:
    """What each fault test's runs had to repair at their end (``check_against_state`` reads it)."""
    with recording_repairs(monkeypatch) as repairs:
        repairs_module.CURRENT = repairs
        yield repairs
        repairs_module.CURRENT = None
