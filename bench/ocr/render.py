"""Render HTML pages to PNG screenshots with headless Chromium (Playwright).

Why a browser and not PIL: real screenshots come from browsers and apps, so
text shaping, hinting, anti-aliasing, CSS layout (bubbles, tables, wrapping)
and CJK/Latin font fallback should be the real thing. The DOM then gives the
exact visual lines: each character of every ``[data-gt]`` element is measured
with ``Range.getClientRects`` and characters are grouped into lines by their
vertical position, so wrapped paragraphs yield one ground-truth line per
rendered line.
"""

from __future__ import annotations

import os
from types import TracebackType

from bench.ocr.layouts import Page

CHROMIUM = os.environ.get("BENCH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 # Keep glyph rendering independent of the host's font config hints.
                 "--font-render-hinting=none"]

# Groups characters into visual lines. A character starts a new line when its
# vertical centre lies below the bottom of the current line (wrapping) or the
# text node belongs to a new [data-gt] element. Whitespace is kept in the text
# but not in the box, so boxes hug the ink of the glyph cells.
_EXTRACT_JS = """
() => {
  const out = [];
  const rows = new Map();
  for (const el of document.querySelectorAll('[data-gt]')) {
    const rowEl = el.closest('[data-row]');
    if (rowEl && !rows.has(rowEl)) rows.set(rowEl, rows.size);
    const row = rowEl ? rows.get(rowEl) : -1;
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let cur = null;
    const flush = () => { if (cur && cur.x1 > cur.x0) out.push(cur); cur = null; };
    let node;
    while ((node = walker.nextNode())) {
      const s = node.textContent;
      for (let i = 0; i < s.length; i++) {
        const r = document.createRange();
        r.setStart(node, i); r.setEnd(node, i + 1);
        const rects = r.getClientRects();
        if (!rects.length) continue;
        const b = rects[0];
        const ch = s[i];
        const space = /\\s/.test(ch);
        if (space && b.width === 0) continue;
        const cy = (b.top + b.bottom) / 2;
        if (cur && !space && cur.y1 > cur.y0 && (cy > cur.y1 || cy < cur.y0)) flush();
        if (!cur) cur = {text: '', row: row, x0: 1e9, y0: 1e9, x1: -1e9, y1: -1e9};
        cur.text += ch;
        if (!space) {
          cur.x0 = Math.min(cur.x0, b.left); cur.y0 = Math.min(cur.y0, b.top);
          cur.x1 = Math.max(cur.x1, b.right); cur.y1 = Math.max(cur.y1, b.bottom);
        }
      }
    }
    flush();
  }
  return out.map(l => ({text: l.text.replace(/\\s+/g, ' ').trim(), row: l.row,
                        box: [l.x0 + scrollX, l.y0 + scrollY, l.x1 + scrollX, l.y1 + scrollY]}))
            .filter(l => l.text.length > 0);
}
"""

# Removes trailing [data-drop] elements until the document fits the height.
_FIT_JS = """
(h) => {
  let removed = 0;
  while (document.documentElement.scrollHeight > h) {
    const els = document.querySelectorAll('[data-drop]');
    if (!els.length) break;
    els[els.length - 1].remove();
    removed++;
  }
  return removed;
}
"""


def reading_order(lines: list[dict]) -> list[dict]:
    """DOM order, except inside a ``[data-row]`` container: there lines are read
    in visual bands top to bottom and left to right within a band.

    Why: in a receipt row whose item name wraps, or a settings row with a label,
    a help text and a value on the right, a reader (and every engine) goes
    across the row first; DOM order would put the second line of the name
    before the price. Separate columns (sidebar, main panel) stay in DOM order.
    """
    out: list[dict] = []
    i = 0
    while i < len(lines):
        j = i + 1
        if lines[i]["row"] >= 0:
            while j < len(lines) and lines[j]["row"] == lines[i]["row"]:
                j += 1
        out += _bands(lines[i:j])
        i = j
    for ln in out:
        ln.pop("row", None)
    return out


def _bands(group: list[dict]) -> list[dict]:
    if len(group) < 2:
        return group
    centre = lambda ln: (ln["box"][1] + ln["box"][3]) / 2  # noqa: E731
    bands: list[list[dict]] = []
    for ln in sorted(group, key=centre):
        h = ln["box"][3] - ln["box"][1]
        if bands and abs(centre(ln) - centre(bands[-1][0])) < 0.5 * h:
            bands[-1].append(ln)
        else:
            bands.append([ln])
    return [ln for band in bands for ln in sorted(band, key=lambda ln: ln["box"][0])]


class Renderer:
    """One Chromium for many pages; contexts are cached per device pixel ratio."""

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright  # imported late: optional dependency

        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        self._pages: dict[float, object] = {}

    def _page(self, dpr: float):  # noqa: ANN202 - playwright type
        if dpr not in self._pages:
            ctx = self._browser.new_context(viewport={"width": 800, "height": 600}, device_scale_factor=dpr)
            self._pages[dpr] = ctx.new_page()
        return self._pages[dpr]

    def render(self, page: Page, dpr: float) -> tuple[bytes, list[dict]]:
        """PNG bytes and ground-truth lines (boxes in image pixels)."""
        pg = self._page(dpr)
        # A short initial viewport so scrollHeight measures the content, not the window.
        pg.set_viewport_size({"width": page.width, "height": page.height or 64})
        pg.set_content(page.html, wait_until="load")
        pg.evaluate("document.fonts.ready.then(() => true)")
        if page.height:
            pg.evaluate(_FIT_JS, page.height)
            height = page.height
        else:
            height = int(pg.evaluate("document.documentElement.scrollHeight"))
        # Size the viewport to the whole document so boxes need no scroll offsets.
        pg.set_viewport_size({"width": page.width, "height": height})
        lines = reading_order(pg.evaluate(_EXTRACT_JS))
        png = pg.screenshot(type="png", full_page=False)
        for ln in lines:
            ln["box"] = [round(v * dpr, 1) for v in ln["box"]]
        return png, lines

    def close(self) -> None:
        self._browser.close()
        self._pw.stop()

    def __enter__(self) -> "Renderer":
        return self

    def __exit__(self, et: type | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
