"""Tables: cells found in pages read by the engine (ruled and unruled,
with a header spanning columns), and on stored line data."""
from __future__ import annotations

import io

import numpy as np
from openpyxl import load_workbook

from recognition.outputs import tablefiles
from recognition.outputs.source import SourceLine
from recognition.outputs.tables import find_tables
from tests.recognition.outputs.conftest import CJK, SANS, font, page

BILL = [["Item", "Qty", "Price"], ["Coffee beans", "2", "18.50"], ["Green tea", "1", "6.20"],
        ["Milk", "3", "3.90"], ["Total", "", "28.60"]]


def render_table(rows, xs, *, ruled: bool, f, top: int = 80, pitch: int = 40, width: int = 720):
    im, d = page(width, top + pitch * len(rows) + 60)
    d.text((30, 20), "Order 4711 of 2 December", font=f, fill="black")
    for i, row in enumerate(rows):
        for x, t in zip(xs, row):
            if t:
                d.text((x, top + pitch * i), t, font=f, fill="black")
        if ruled:
            d.line((20, top + pitch * i - 8, width - 20, top + pitch * i - 8), fill=(90, 90, 90), width=1)
    if ruled:
        bottom = top + pitch * len(rows) - 8
        d.line((20, bottom, width - 20, bottom), fill=(90, 90, 90), width=1)
        for x in [20] + [x - 12 for x in xs[1:]] + [width - 20]:
            d.line((x, top - 8, x, bottom), fill=(90, 90, 90), width=1)
    return np.array(im)


def grid_of(lines):
    (table,) = find_tables(lines)
    return table


def test_cells_of_an_unruled_bill(read):
    table = grid_of(read(render_table(BILL, [30, 330, 480], ruled=False, f=font(SANS, 20))))
    assert (table.rows, table.columns) == (5, 3)
    assert table.grid() == BILL


def test_cells_of_a_ruled_chinese_table(read):
    rows = [["运营商", "套餐", "月费"], ["中国移动", "畅享 5G", "128 元"], ["中国联通", "冰激凌", "99 元"],
            ["中国电信", "天翼畅享", "109 元"]]
    table = grid_of(read(render_table(rows, [40, 260, 480], ruled=True, f=font(CJK, 22))))
    assert table.grid() == rows
    assert all(c.row_span == c.column_span == 1 for c in table.cells)


def test_a_header_spanning_two_columns(read):
    f = font(SANS, 20)
    im, d = page(720, 300)
    d.text((30, 40), "Region", font=f, fill="black")
    d.text((330, 40), "Revenue 2025 (kEUR)", font=f, fill="black")  # over Q1 and Q2
    rows = [["North", "1200", "1350"], ["South", "980", "1010"], ["West", "1430", "1500"]]
    for i, row in enumerate(rows):
        for x, t in zip([30, 330, 530], row):
            d.text((x, 80 + 40 * i), t, font=f, fill="black")
    table = grid_of(read(np.array(im)))
    header = table.cells[1]
    assert (header.text, header.row, header.column, header.column_span) == ("Revenue 2025 (kEUR)", 0, 1, 2)
    assert table.grid()[1:] == rows


def box(x0, y0, x1, y1):
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def test_prose_around_a_table_is_not_part_of_it():
    lines = [SourceLine("Dear customer, your order:", box(10, 0, 400, 20)),
             SourceLine("Tea\t2.00", box(10, 30, 300, 50), cells=[{"text": "Tea", "box": [10, 30, 60, 50]},
                                                                 {"text": "2.00", "box": [250, 30, 300, 50]}]),
             SourceLine("Cake\t3.50", box(10, 60, 300, 80), cells=[{"text": "Cake", "box": [10, 60, 70, 80]},
                                                                  {"text": "3.50", "box": [250, 60, 300, 80]}]),
             SourceLine("Thank you for shopping with us.", box(10, 100, 420, 120))]
    (table,) = find_tables(lines)
    assert (table.first_line, table.last_line) == (1, 2)
    assert table.grid() == [["Tea", "2.00"], ["Cake", "3.50"]]
    assert table.to_dict()["cells"][1] == {"row": 0, "column": 1, "row_span": 1, "column_span": 1,
                                           "text": "2.00", "box": [250, 30, 300, 50]}


def test_one_line_with_cells_is_no_table():
    assert find_tables([SourceLine("Name:\tAda", box(0, 0, 200, 20))]) == []


def test_files_never_hold_formulas_and_keep_spans():
    lines = [SourceLine("Region\tRevenue", box(10, 0, 400, 20),
                        cells=[{"text": "Region", "box": [10, 0, 80, 20]}, {"text": "Revenue", "box": [200, 0, 400, 20]}]),
             SourceLine("North\t=1+1\t+7", box(10, 30, 400, 50),
                        cells=[{"text": "North", "box": [10, 30, 80, 50]}, {"text": "=1+1", "box": [200, 30, 260, 50]},
                               {"text": "+7", "box": [340, 30, 400, 50]}]),
             SourceLine("South\t@x\t3", box(10, 60, 400, 80),
                        cells=[{"text": "South", "box": [10, 60, 80, 80]}, {"text": "@x", "box": [200, 60, 260, 80]},
                               {"text": "3", "box": [340, 60, 400, 80]}])]
    tables = find_tables(lines)
    assert tables[0].cells[1].column_span == 2
    csv_text = tablefiles.to_csv(tables[0]).decode("utf-8")
    assert csv_text.startswith("\ufeffRegion,Revenue,\r\nNorth,'=1+1,'+7\r\n")
    book = load_workbook(io.BytesIO(tablefiles.to_xlsx(tables)))
    sheet = book["Table 1"]
    assert sheet["B2"].value == "=1+1" and sheet["B2"].data_type == "s"
    assert [str(r) for r in sheet.merged_cells.ranges] == ["B1:C1"]
    assert sheet["A3"].value == "South"
    empty = load_workbook(io.BytesIO(tablefiles.to_xlsx([])))
    assert empty.active["A1"].value == "No table was found."


def words_of(*items):
    """Words (text, x0, x1) on one row at y 0-20."""
    return [{"text": t, "box": box(x0, 0, x1, 20), "chars": [], "char_confidences": []} for t, x0, x1 in items]


def full_row(y, texts, xs):
    words = [{"text": token, "box": box(x + 22 * k, y, x + 22 * k + 18, y + 20)}
             for t, x in zip(texts, xs) for k, token in enumerate(t.split())]
    return SourceLine("\t".join(texts), box(xs[0], y, xs[-1] + 40, y + 20), words=words)


def test_cells_the_engine_joined_over_a_column_gap_are_split_by_their_words():
    header = SourceLine("项目\t数量单价\t金额", box(10, 0, 440, 20),
                        words=words_of(("项目", 10, 50), ("数量", 200, 240), ("单价", 300, 340), ("金额", 400, 440)))
    rows = [full_row(30 + 30 * k, [f"a{k}", str(k), f"{k}.00", f"{k}.50"], [10, 200, 300, 400]) for k in range(3)]
    (table,) = find_tables([header] + rows)
    assert table.grid()[0] == ["项目", "数量", "单价", "金额"]


def test_a_spanning_header_whose_words_cross_the_gutter_stays_one_cell():
    header = SourceLine("Item\tPrice and data", box(10, 0, 340, 20),
                        words=words_of(("Item", 10, 50), ("Price", 200, 240), ("and", 250, 280), ("data", 290, 340)))
    rows = [full_row(30 + 30 * k, [f"a{k}", f"{k}.00", f"{k} GB"], [10, 200, 300]) for k in range(3)]
    (table,) = find_tables([header] + rows)
    assert table.cells[1].text == "Price and data" and table.cells[1].column_span == 2
