"""OCR development set: generator (generate), scorer (score), runner (run)."""
