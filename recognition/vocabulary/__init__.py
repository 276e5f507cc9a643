"""A team's vocabulary: the terms its uploads are decoded with (see
``recognition.engine.ctc_terms``). ``services`` writes (team admins and
owners), ``selectors`` reads, ``csvio`` parses and writes the CSV form."""
