"""A finished upload whose stored lines are what the engine writes: a
heading, a paragraph wrapped over two lines, and a three-row table with
cells and words (one cell is markup, as an image can show)."""
from __future__ import annotations

from recognition import processing
from recognition.models import Upload, UploadStatus

XSS = "<script>alert(1)</script>"


def quad(x0, y0, x1, y1):
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def word(text, x0, y0, pitch=10, height=20):
    return {"text": text, "confidence": 0.9, "box": quad(x0, y0, x0 + pitch * len(text), y0 + height),
            "chars": [[x0 + pitch * k, y0, x0 + pitch * (k + 1), y0 + height] for k in range(len(text))],
            "char_confidences": [0.9] * len(text)}


def row(y, cells):
    """A table row: cells [(text, x)], words placed from x on."""
    words, stored = [], []
    for text, x in cells:
        ws, cx = [], x
        for token in text.split():
            ws.append(word(token, cx, y))
            cx += 10 * len(token) + 10
        words += ws
        stored.append({"text": text, "box": [x, y, cx - 10, y + 20]})
    x1 = max(c["box"][2] for c in stored)
    return {"text": "\t".join(t for t, _ in cells), "confidence": 0.9, "box": quad(cells[0][1], y, x1, y + 20),
            "cells": stored, "words": words}


def plain(text, y, x0=10):
    words, cx = [], x0
    for token in text.split():
        words.append(word(token, cx, y))
        cx += 10 * len(token) + 10
    return {"text": text, "confidence": 0.9, "box": quad(x0, y, cx - 10, y + 20), "words": words}


LINES = [
    plain("Order summary", 10),
    plain("The goods were shipped on Monday and the invoice", 50),
    plain("follows by mail.", 74),
    row(120, [("Item", 10), ("Qty", 300), ("Price", 400)]),
    row(150, [("Green tea", 10), ("2", 300), ("=1+1", 400)]),
    row(180, [(XSS, 10), ("1", 300), ("3.50", 400)]),
]
TEXT = "\n".join(line["text"] for line in LINES)


def finish_with_lines(upload: Upload, lines=LINES) -> Upload:
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.PROCESSING)
    upload.refresh_from_db()
    text = "\n".join(line["text"] for line in lines)
    assert processing.complete(upload, text=text, confidence=0.9, lines=lines, engine_version="test/4", timings={})
    return Upload.objects.select_related("result").get(pk=upload.pk)
