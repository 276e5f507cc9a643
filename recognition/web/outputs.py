"""The result page's outputs: the text in a layout mode, the table view and
search hits (matched words marked in the text and boxed on the image).

Everything here is data for the template, which escapes every piece of OCR
text (an image can contain ``<script>``)."""

from __future__ import annotations

from recognition import result_outputs, search
from recognition.models import Result
from recognition.outputs import LAYOUTS, LINES
from recognition.outputs.tables import Table


def table_rows(table: Table) -> list[list[dict]]:
    """The rows of an HTML table: each cell once, at its top-left place,
    with its spans; places a spanning cell covers are left out."""
    by_place = {(c.row, c.column): c for c in table.cells}
    covered = {(c.row + r, c.column + k) for c in table.cells
               for r in range(c.row_span) for k in range(c.column_span)} - set(by_place)
    rows = []
    for r in range(table.rows):
        row = []
        for k in range(table.columns):
            cell = by_place.get((r, k))
            if cell is not None:
                row.append({"text": cell.text, "rowspan": cell.row_span, "colspan": cell.column_span,
                            "header": r == 0})
            elif (r, k) not in covered:
                row.append({"text": "", "rowspan": 1, "colspan": 1, "header": r == 0})
        rows.append(row)
    return rows


def page_outputs(result: Result | None, params, lines: list[dict]) -> tuple[dict, list[str]]:
    """Context for the result page from its query (``layout``, ``q``), and
    the problems with that query (shown, answered with a 400). Adds the
    matched ``pieces`` to the page's ``lines``."""
    problems: list[str] = []
    layout = params.get("layout") or LINES
    if layout not in LAYOUTS:
        problems.append(f"Unknown layout “{layout}”; use one of: {', '.join(LAYOUTS)}.")
        layout = LINES
    context = {"layout": layout, "layouts": LAYOUTS, "laid_out": None, "tables": [], "hit_boxes": [],
               "query": "", "hit_count": 0}
    if result is None:
        return context, problems
    if layout != LINES:
        context["laid_out"] = result_outputs.laid_out(result, layout)
    context["tables"] = [{"table": t, "rows": table_rows(t)} for t in result_outputs.tables(result.upload)]
    raw = params.get("q")
    if raw:
        try:
            query = search.normalise_query(raw)
        except search.SearchError as error:
            problems.append(error.message)
        else:
            pieces, boxes = result_outputs.hits(result, query)
            context.update(query=query, hit_count=len(search.find_matches(result.text, query)), hit_boxes=[
                {"x": b.box[0], "y": b.box[1], "w": max(1, b.box[2] - b.box[0]), "h": max(1, b.box[3] - b.box[1]),
                 "line": b.line + 1, "exact": b.exact} for b in boxes])
            for line, line_pieces in zip(lines, pieces):
                if any(is_match for _, is_match in line_pieces):
                    line["pieces"] = line_pieces
    return context, problems
