"""Browser pages: the team space (upload area and feed), results, search,
and the permission-checked image files (``urls.py`` lists the routes).

Views here stay thin: permission checks and domain rules live in
``recognition.services`` and ``teams.permissions``, searching in
``recognition.search`` and file formats in ``recognition.export``.
"""
