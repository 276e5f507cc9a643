"""What the platform makes of a stored result: text in a layout mode
(``layouts``), tables with their cells (``tables``) and their CSV and XLSX
files (``tablefiles``), and the boxes of search hits (``highlight``).

Pure functions over a result's stored line data (the ``lines`` JSON the
engine wrote: text, box, confidence, cells, words) and its current text;
no Django, no engine, no database. Pages, the REST API, exports and
``/ocr/recognize`` call them through ``recognition.selectors``-style helpers
in the views; the tests call them with plain dicts.
"""

from __future__ import annotations

LINES, PARAGRAPHS, CODE = "lines", "paragraphs", "code"
LAYOUTS = (LINES, PARAGRAPHS, CODE)
