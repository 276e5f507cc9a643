"""Teaching a recognizer a team's own words: line samples, synthetic lines
of its vocabulary, and fine-tuning on the CPU.

No Django here: the platform collects a team's corrected lines
(``recognition.teaching``) and hands them over as ``LineSample`` objects.
Imports torch only in ``trainer``.
"""
from .samples import LineSample, character_error_rate, encode, is_held_out, line_crop, normalise_text
from .synthetic import general_samples, installed_fonts, replay_samples, term_samples

__all__ = ["LineSample", "character_error_rate", "encode", "is_held_out", "line_crop", "normalise_text",
           "general_samples", "installed_fonts", "replay_samples", "term_samples"]
