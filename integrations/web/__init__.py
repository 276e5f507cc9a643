"""Browser page of a team's webhooks (``urls.py``, views, forms)."""
