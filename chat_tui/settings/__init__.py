"""Settings, profiles and per-user data (drafts, history, UI state)."""
