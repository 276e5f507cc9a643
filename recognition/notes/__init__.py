"""Notes on results with ``@username`` mentions, and the notifications a
mention makes: ``services`` writes, ``selectors`` reads, ``mail`` tells a
mentioned member by e-mail when a mail backend is configured."""
