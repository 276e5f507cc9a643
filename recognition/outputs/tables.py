"""Tables found in a result's lines, with their cells.

The engine already keeps the cell boundaries of a row: a tab between cells
in the line's text, and each cell's text and box in the line's ``cells``.
A table is a run of consecutive such rows (at least two, on one page, each
below the last, overlapping horizontally); rows of a single cell inside the
run (a wrapped cell, a row with one filled column) belong to it.

Columns come from the rows with the most cells: cell intervals on the x
axis that overlap are one column (left, right or centre aligned cells of a
column overlap each other), and the strips between them are the gutters.
Every cell then takes the columns its box covers: a cell reaching over a
gutter spans the columns on both sides (``column_span``). A cell whose box
reaches down into the next row's band while that row has nothing in its
column spans the rows (``row_span``).

Cell boxes come from the words' boxes when the line has them (the engine
divides a box holding several cells by character counts, the words know
where each one is), else from the stored cell boxes.

The shape (``Table.to_dict``, the API's)::

    {"index": 0, "page": 1, "rows": 3, "columns": 2, "box": [x0, y0, x1, y1],
     "lines": [4, 6],                       # first and last line (0-based) of the text
     "cells": [{"row": 0, "column": 0, "row_span": 1, "column_span": 1,
                "text": "Item", "box": [x0, y0, x1, y1]}, ...]}
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from recognition.engine.textclass import is_cjk
from recognition.outputs.source import SourceLine


@dataclass
class Cell:
    row: int
    column: int
    text: str
    box: list[int]
    row_span: int = 1
    column_span: int = 1

    def to_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "row_span": self.row_span,
                "column_span": self.column_span, "text": self.text, "box": self.box}


@dataclass
class Table:
    index: int
    page: int
    first_line: int
    last_line: int
    rows: int
    columns: int
    cells: list[Cell] = field(default_factory=list)

    @property
    def box(self) -> list[int]:
        boxes = np.array([c.box for c in self.cells])
        return [int(boxes[:, 0].min()), int(boxes[:, 1].min()), int(boxes[:, 2].max()), int(boxes[:, 3].max())]

    def grid(self) -> list[list[str]]:
        """The table as rows of texts; a spanning cell's text stands in its
        first row and column, the places it covers besides are empty."""
        out = [["" for _ in range(self.columns)] for _ in range(self.rows)]
        for cell in self.cells:
            out[cell.row][cell.column] = cell.text
        return out

    def to_dict(self) -> dict:
        return {"index": self.index, "page": self.page, "rows": self.rows, "columns": self.columns,
                "box": self.box, "lines": [self.first_line, self.last_line],
                "cells": [c.to_dict() for c in self.cells]}


def _rect(box) -> list[float]:
    if len(box) == 4 and not isinstance(box[0], (list, tuple)):
        return [float(v) for v in box]
    pts = np.array(box, np.float32)
    return [float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max())]


@dataclass
class RowCell:
    text: str
    box: list[float]
    words: list[tuple[str, list[float]]] = field(default_factory=list)  # (text, rect) of its words, when known


def row_cells(line: SourceLine) -> list[RowCell]:
    """The cells of one line; one cell for a line without column gaps;
    none for a line without geometry."""
    if line.rect is None or not line.text.strip():
        return []
    texts = line.text.split("\t")
    words = [w for w in line.words if w.get("text")]
    if words and sum(len(w["text"]) for w in words) == sum(len("".join(t.split())) for t in texts):
        # Each cell's words, by their characters.
        cells, k = [], 0
        for t in texts:
            need, mine = len("".join(t.split())), []
            while need > 0 and k < len(words):
                mine.append((words[k]["text"], _rect(words[k]["box"])))
                need -= len(words[k]["text"])
                k += 1
            if not mine:
                break
            a = np.array([r for _, r in mine])
            cells.append(RowCell(t.strip(), [float(a[:, 0].min()), float(a[:, 1].min()), float(a[:, 2].max()),
                                             float(a[:, 3].max())], mine))
        else:
            return cells
    if len(texts) == 1:
        return [RowCell(line.text.strip(), list(line.rect))]
    boxes = [_rect(c["box"]) for c in line.cells] if len(line.cells) == len(texts) else None
    if boxes is None:
        # No geometry per cell: divide the line by characters.
        x0, y0, x1, y1 = line.rect
        total = max(1, sum(len(t) for t in texts))
        boxes, used = [], 0
        for t in texts:
            a = x0 + (x1 - x0) * used / total
            used += len(t)
            boxes.append([a, y0, x0 + (x1 - x0) * used / total, y1])
    return [RowCell(t.strip(), b) for t, b in zip(texts, boxes)]


def _columns(rows: list[list[RowCell]]) -> list[tuple[float, float]]:
    """Column intervals from the fullest rows' cells (overlapping ones merged)."""
    most = max(len(r) for r in rows)
    full = [r for r in rows if len(r) == most]
    if len(full) < 2:  # one row with a stray extra cell must not decide alone
        full = [r for r in rows if len(r) >= max(2, most - 1)]
    intervals = sorted((c.box[0], c.box[2]) for r in full for c in r)
    merged: list[list[float]] = []
    for a, b in intervals:
        if merged and a < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def _span(box: list[float], columns: list[tuple[float, float]]) -> tuple[int, int]:
    """First and last column a cell box covers (the nearest for a box in a gutter)."""
    x0, x1 = box[0], box[2]
    width = max(1.0, x1 - x0)
    hit = [k for k, (a, b) in enumerate(columns) if min(x1, b) - max(x0, a) > 0.25 * min(width, b - a)]
    if hit:
        return hit[0], hit[-1]
    centre = (x0 + x1) / 2
    k = int(np.argmin([min(abs(centre - a), abs(centre - b)) for a, b in columns]))
    return k, k


def _split(cell: RowCell, columns: list[tuple[float, float]], height: float) -> list[RowCell]:
    """A cell over several columns whose words stand apart in those columns
    (two cells the engine joined because their gap was narrow: "数量单价",
    "Unlimited 59 元") as one cell per column; a cell whose words run across
    the gutter (a real spanning header) stays whole."""
    if len(cell.words) < 2:
        return [cell]
    groups: list[tuple[int, list[tuple[str, list[float]]]]] = []
    for text, rect in cell.words:
        touched = [k for k, (a, b) in enumerate(columns) if min(rect[2], b) > max(rect[0], a)]
        if len(touched) != 1:
            return [cell]  # a word over a gutter, or in it
        first = touched[0]
        if groups and groups[-1][0] == first:
            groups[-1][1].append((text, rect))
        elif groups and groups[-1][0] > first:
            return [cell]
        else:
            if groups and rect[0] - groups[-1][1][-1][1][2] < 0.5 * height:
                return [cell]  # an ordinary word space, not a column gap
            groups.append((first, [(text, rect)]))
    if len(groups) < 2:
        return [cell]
    out = []
    for _, words in groups:
        text = words[0][0]
        for w, _ in words[1:]:
            text += ("" if is_cjk(text[-1]) and is_cjk(w[0]) else " ") + w
        a = np.array([r for _, r in words])
        out.append(RowCell(text, [float(a[:, 0].min()), float(a[:, 1].min()), float(a[:, 2].max()),
                                  float(a[:, 3].max())], words))
    return out


def _is_row(line: SourceLine) -> bool:
    return "\t" in line.text and line.rect is not None


def _overlaps(a: list[float], b: list[float]) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0])


def find_tables(lines: list[SourceLine]) -> list[Table]:
    """Every table of the lines, in reading order."""
    tables: list[Table] = []
    i = 0
    while i < len(lines):
        if not _is_row(lines[i]):
            i += 1
            continue
        block = [i]
        j = i + 1
        while j < len(lines):
            line, last = lines[j], lines[block[-1]]
            if line.page != last.page or line.rect is None or not line.text.strip():
                break
            h = max(last.height, line.height)
            below = line.rect[1] >= last.rect[1] + 0.3 * last.height and line.rect[1] - last.rect[3] < 1.5 * h
            span = [min(lines[k].rect[0] for k in block), 0, max(lines[k].rect[2] for k in block), 0]
            if not below or not _overlaps(span, list(line.rect)):
                break
            if not _is_row(line):
                # A one-cell row belongs to the table only if a row follows it.
                if not (j + 1 < len(lines) and _is_row(lines[j + 1]) and lines[j + 1].page == line.page):
                    break
            block.append(j)
            j += 1
        if sum(_is_row(lines[k]) for k in block) >= 2:
            while not _is_row(lines[block[-1]]):
                block.pop()
            tables.append(_build(len(tables), lines, block))
            i = block[-1] + 1
        else:
            i += 1
    return tables


def _build(index: int, lines: list[SourceLine], block: list[int]) -> Table:
    rows = [row_cells(lines[k]) for k in block]
    columns = _columns(rows)
    cells: list[Cell] = []
    taken: dict[tuple[int, int], Cell] = {}
    for r, row in enumerate(rows):
        height = lines[block[r]].height
        pieces = [piece for cell in row
                  for piece in (_split(cell, columns, height) if len(set(_span(cell.box, columns))) > 1 else [cell])]
        for piece in pieces:
            text, box = piece.text, piece.box
            first, last = _span(box, columns)
            while (r, first) in taken and first < last:
                first += 1
            if (r, first) in taken:  # two cells in one column: join their texts
                cell = taken[(r, first)]
                cell.text = f"{cell.text} {text}".strip()
                cell.box = [min(cell.box[0], round(box[0])), min(cell.box[1], round(box[1])),
                            max(cell.box[2], round(box[2])), max(cell.box[3], round(box[3]))]
                continue
            cell = Cell(r, first, text, [round(v) for v in box], column_span=last - first + 1)
            cells.append(cell)
            for c in range(first, last + 1):
                taken[(r, c)] = cell
    # Row spans: a cell reaching into the next rows' band where they have nothing in its columns.
    for cell in cells:
        r = cell.row + 1
        while r < len(rows) and all((r, c) not in taken for c in range(cell.column, cell.column + cell.column_span)):
            band = lines[block[r]].rect
            if cell.box[3] < (band[1] + band[3]) / 2:
                break
            for c in range(cell.column, cell.column + cell.column_span):
                taken[(r, c)] = cell
            cell.row_span += 1
            r += 1
    return Table(index=index, page=lines[block[0]].page, first_line=block[0], last_line=block[-1],
                 rows=len(rows), columns=len(columns), cells=sorted(cells, key=lambda c: (c.row, c.column)))
