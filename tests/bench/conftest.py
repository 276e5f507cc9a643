"""Bench tests need no database; keep them runnable without Django settings."""
