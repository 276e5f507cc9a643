"""Teams teach the engine: fine-tuning the recognizer on a team's own
corrected lines and vocabulary (``services``), the team's models
(``selectors``), and the training data (``data``).

The network work itself is ``recognition.engine.training`` (no Django).
A run goes on the training lane (its own django-q2 cluster, ``training``),
so OCR never waits behind it.
"""
