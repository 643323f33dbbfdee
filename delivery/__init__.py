"""Low-level notification senders: SMTP email and Web Push (no database, no UI)."""
