"""Tables as files: CSV (one table) and XLSX (one sheet per table).

Cells are text as read, never formulas: CSV cells pass through
``ocrspace.spreadsheets.csv_safe`` (a leading ' before = + - @), XLSX cells
are written as strings (openpyxl would otherwise take "=..." for a formula).
Spanning cells are merged cells in XLSX; in CSV their text stands in their
first row and column.
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ocrspace.spreadsheets import csv_safe
from recognition.outputs.tables import Table

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
# Characters XML 1.0 cannot hold (openpyxl refuses them).
_ILLEGAL = {c: None for c in list(range(0, 9)) + [11, 12] + list(range(14, 32))}


def to_csv(table: Table) -> bytes:
    """One table as CSV, UTF-8 with a BOM (so spreadsheet programs read Chinese)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in table.grid():
        writer.writerow([csv_safe(text) for text in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(tables: list[Table]) -> bytes:
    """Every table on a sheet of its own ("Table 1", ...); an empty workbook
    says so on its one sheet."""
    book = Workbook()
    book.remove(book.active)
    if not tables:
        sheet = book.create_sheet("Tables")
        sheet["A1"] = "No table was found."
    for table in tables:
        sheet = book.create_sheet(f"Table {table.index + 1}")
        for cell in table.cells:
            target = sheet.cell(row=cell.row + 1, column=cell.column + 1)
            target.value = cell.text.translate(_ILLEGAL)
            target.data_type = "s"  # text, never a formula
            target.alignment = Alignment(vertical="top", wrap_text=True)
            if cell.row == 0:
                target.font = Font(bold=True)
            if cell.row_span > 1 or cell.column_span > 1:
                sheet.merge_cells(start_row=cell.row + 1, start_column=cell.column + 1,
                                  end_row=cell.row + cell.row_span, end_column=cell.column + cell.column_span)
        for k in range(table.columns):
            longest = max((len(c.text) for c in table.cells if c.column == k and c.column_span == 1), default=8)
            sheet.column_dimensions[get_column_letter(k + 1)].width = min(60, max(8, longest + 2))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
