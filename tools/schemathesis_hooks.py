"""schemathesis hooks for tools/schemathesis_check.py (none needed at present:
every generated case, including empty multipart bodies, is sent as is)."""
