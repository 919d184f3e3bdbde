"""The fault-injecting proxy fixture (``proxy``) is in ``tests/conftest.py``: the headless
human-in-the-loop tests check what was sent through it too."""
