"""Browser pages of teams and accounts: sign-up, team list, settings,
members and invitations (``urls.py``, views, forms)."""
