"""Search hits on a result: the matched pieces of each line's text, and
the boxes of the matched characters on the image.

Matches are [start, end) offsets into the current text (as
``recognition.search.find_matches`` gives them; a match may run over a line
break). Pieces are data, never HTML: the template escapes each one and
wraps the matched ones in ``<mark>``.
"""

from __future__ import annotations

from dataclasses import dataclass

from recognition.outputs.source import SourceLine, char_boxes


@dataclass(frozen=True)
class HitBox:
    line: int  # 0-based line of the text
    box: list[int]  # [x0, y0, x1, y1] in image pixels
    exact: bool  # from the characters' boxes (False: the whole line's box)


def _line_ranges(lines: list[SourceLine], matches: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """The matches cut into per-line [start, end) ranges."""
    out: list[list[tuple[int, int]]] = [[] for _ in lines]
    starts, offset = [], 0
    for line in lines:
        starts.append(offset)
        offset += len(line.text) + 1
    for start, end in matches:
        for k, line in enumerate(lines):
            a, b = max(start, starts[k]), min(end, starts[k] + len(line.text))
            if a < b:
                out[k].append((a - starts[k], b - starts[k]))
    return out


def line_pieces(lines: list[SourceLine], matches: list[tuple[int, int]]) -> list[list[tuple[str, bool]]]:
    """Each line's text as (text, is_match) pieces."""
    out = []
    for line, ranges in zip(lines, _line_ranges(lines, matches)):
        pieces, cursor = [], 0
        for a, b in ranges:
            if a > cursor:
                pieces.append((line.text[cursor:a], False))
            pieces.append((line.text[a:b], True))
            cursor = b
        if cursor < len(line.text) or not pieces:
            pieces.append((line.text[cursor:], False))
        out.append(pieces)
    return out


def hit_boxes(lines: list[SourceLine], matches: list[tuple[int, int]]) -> list[HitBox]:
    """Boxes of the matched text: one per matched word piece when the
    engine placed the characters, else the whole line's box."""
    out: list[HitBox] = []
    for k, (line, ranges) in enumerate(zip(lines, _line_ranges(lines, matches))):
        if not ranges:
            continue
        boxes = char_boxes(line)
        for a, b in ranges:
            run: list[list[float]] = []
            exact = all(boxes[i] is not None for i in range(a, b) if not line.text[i].isspace())
            if not exact:
                if line.rect:
                    out.append(HitBox(k, [round(v) for v in line.rect], False))
                continue
            for i in range(a, b + 1):
                box = boxes[i] if i < b else None
                if box is not None:
                    run.append(box)
                elif run:  # a space (or the end) closes the piece of one word
                    out.append(HitBox(k, [round(min(r[0] for r in run)), round(min(r[1] for r in run)),
                                          round(max(r[2] for r in run)), round(max(r[3] for r in run))], True))
                    run = []
    return out
