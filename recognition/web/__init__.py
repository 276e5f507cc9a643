"""Browser pages for uploads, results and search.

Views here stay thin: permission checks and domain rules live in
``recognition.services`` and ``teams.permissions``, searching in
``recognition.search`` and file formats in ``recognition.export``.
"""
