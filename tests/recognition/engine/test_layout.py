"""Reading order: columns, rows, chat bubbles."""
from __future__ import annotations

import numpy as np

from recognition.engine.layout import LayoutParams, Segment, join_row, reading_order


def seg(x0, y0, x1, y1, text):
    return Segment(np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32), text, [0.9] * len(text))


def lines_of(segs):
    return [join_row(r)[0] for r in reading_order(segs)]


def test_two_columns_read_column_by_column():
    segs = []
    for i in range(6):
        y = 100 + i * 30
        segs.append(seg(40, y, 580, y + 22, f"left column prose line number {i}"))
        segs.append(seg(640, y, 1200, y + 22, f"right column prose line number {i}"))
    segs.append(seg(40, 20, 1200, 60, "Title across both columns"))
    out = lines_of(segs)
    assert out == (["Title across both columns"] + [f"left column prose line number {i}" for i in range(6)]
                   + [f"right column prose line number {i}" for i in range(6)])


def test_same_row_boxes_merged_with_space():
    segs = [seg(210, 100, 330, 124, "world"), seg(40, 102, 200, 126, "hello"), seg(40, 150, 300, 174, "next line")]
    rows = reading_order(segs)
    assert [join_row(r)[0] for r in rows] == ["hello world", "next line"]
    text, confs, quad = join_row(rows[0])
    assert len(confs) == len("helloworld")
    assert quad[:, 0].min() == 40 and quad[:, 0].max() == 330


def test_cells_across_a_column_gap_are_joined_with_a_tab():
    """A bill's header row and a data row: the cell boundaries survive, in
    Chinese (no spaces otherwise) and between two numbers."""
    segs = [seg(40, 100, 130, 124, "交易时间"), seg(200, 100, 290, 124, "交易类型"), seg(360, 100, 450, 124, "金额"),
            seg(40, 140, 150, 164, "2019-08-01"), seg(200, 140, 290, 164, "00:00:00"), seg(360, 140, 450, 164, "12.50")]
    assert lines_of(segs) == ["交易时间\t交易类型\t金额", "2019-08-01\t00:00:00\t12.50"]


def test_cjk_boxes_on_one_row_join_without_space():
    segs = [seg(40, 100, 200, 130, "今天开会"), seg(210, 100, 300, 130, "好的")]
    assert lines_of(segs) == ["今天开会好的"]


def test_chat_bubbles_keep_time_order():
    # Left and right bubbles alternate; there is a free vertical strip, but
    # the bubbles are never side by side: this is not two columns.
    segs, expected = [], []
    for i in range(8):
        y = 40 + i * 60
        if i % 2 == 0:
            segs.append(seg(20, y, 520, y + 24, f"them {i}"))
        else:
            segs.append(seg(760, y, 1260, y + 24, f"me {i}"))
        expected.append(segs[-1].text)
    assert lines_of(segs) == expected


def test_receipt_price_column_stays_on_rows():
    segs, expected = [], []
    for i in range(6):
        y = 40 + i * 30
        segs.append(seg(20, y, 300, y + 22, f"item {i}"))
        segs.append(seg(420, y, 500, y + 22, f"{i}.00"))
        expected.append(f"item {i}\t{i}.00")
    assert lines_of(segs) == expected


def test_wide_table_cells_stay_on_rows():
    # Two wide columns side by side, but short cells: a table, read by rows.
    segs, expected = [], []
    for i in range(6):
        y = 40 + i * 30
        segs.append(seg(20, y, 420, y + 22, f"Item {i}"))
        segs.append(seg(560, y, 900, y + 22, f"2 x {i}.50"))
        expected.append(f"Item {i}\t2 x {i}.50")
    assert lines_of(segs) == expected


def test_sidebar_read_before_main_panel():
    segs = []
    for i, name in enumerate(["General", "Frontend", "Backend", "Random"]):
        segs.append(seg(20, 80 + i * 40, 160, 104 + i * 40, name))
    msgs = [f"message number {i} in the main chat panel, long enough" for i in range(5)]
    for i, m in enumerate(msgs):
        segs.append(seg(300, 60 + i * 50, 1100, 84 + i * 50, m))
    assert lines_of(segs) == ["General", "Frontend", "Backend", "Random"] + msgs


def test_spreadsheet_rows_not_split_into_columns():
    # Long rows made of several cells on both sides of the widest gap.
    segs, expected = [], []
    for i in range(8):
        y = 60 + i * 40
        cells = [(20, 200, f"SO-20239590{i}"), (240, 420, "Olivia Brown"), (460, 640, "2022-07-02"),
                 (900, 1040, "Refunded"), (1080, 1260, f"$17,446.5{i}")]
        for x0, x1, t in cells:
            segs.append(seg(x0, y, x1, y + 24, t))
        expected.append("\t".join(t for _, _, t in cells))
    assert lines_of(segs) == expected


def test_columns_do_not_continue_across_a_section_gap():
    # Invoice letterhead: company on the left, invoice details on the right;
    # after a wide empty strip, the addressee on the left.
    left = ["Lumen Technology Company Ltd", "Tower B 12F, Science Park Road"]
    right = ["Invoice number INV-202207779", "Issued on 2022-06-14 in Shenzhen", "Payment due by 2023-12-19"]
    segs = [seg(40, 40 + 30 * i, 420, 62 + 30 * i, t) for i, t in enumerate(left)]
    segs += [seg(600, 40 + 30 * i, 980, 62 + 30 * i, t) for i, t in enumerate(right)]
    segs += [seg(40, 170, 420, 192, "Bill to: Orbit Networks Company"), seg(40, 200, 420, 222, "Hangzhou, Zhejiang Province")]
    out = lines_of(segs)
    assert out == left + right + ["Bill to: Orbit Networks Company", "Hangzhou, Zhejiang Province"]
    # Without the section rule the left column would run on into the addressee.
    no_sections = [join_row(r)[0] for r in reading_order(segs, LayoutParams(max_section_gap=1e9))]
    assert no_sections != out


def test_row_cells_keep_each_cells_text_and_box():
    from recognition.engine.layout import row_cells

    row = [seg(40, 100, 130, 124, "交易时间"), seg(200, 100, 400, 124, "交易类型\t金额"), seg(410, 100, 470, 124, "元")]
    cells = row_cells(row)
    assert [c["text"] for c in cells] == ["交易时间", "交易类型", "金额元"]
    assert cells[0]["box"] == [40, 100, 130, 124]
    assert cells[1]["box"][0] == 200 and cells[1]["box"][2] <= cells[2]["box"][0] < 400
    assert cells[2]["box"][2] == 470
    assert row_cells([seg(40, 100, 130, 124, "hello"), seg(140, 100, 230, 124, "world")]) == []


def test_tilted_photo_rows_follow_the_text_direction():
    """Two columns of lines photographed 8 degrees off level: horizontal bands
    would pair the left line with the next line on the right; levelled boxes
    keep each row whole and the rows in order."""
    import numpy as np

    from recognition.engine.config import LayoutConfig
    from recognition.engine.stages import Layout

    angle = np.radians(8)
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])

    def tilted(x0, y0, x1, y1, text):
        corners = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)
        return Segment(corners @ rot.T + [200, 100], text, [0.9] * len(text))

    segs = []
    for i in range(5):
        y = 40 + i * 36
        segs.append(tilted(20, y, 300, y + 24, f"name of item {i}"))
        segs.append(tilted(420, y, 560, y + 24, f"{i}.50 RM"))
    page = np.full((900, 1000, 3), 255, np.uint8)
    lines, _ = Layout(LayoutConfig())(page, segs)
    assert [ln.text for ln in lines] == [f"name of item {i}\t{i}.50 RM" for i in range(5)]
    flat, _ = Layout(LayoutConfig(level_skew=False))(page, segs)
    assert [ln.text for ln in flat] != [ln.text for ln in lines]
