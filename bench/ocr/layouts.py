"""HTML page builders for each category of the development set.

Every text element that an OCR engine should read carries ``data-gt``; the
renderer walks those in DOM order, so DOM order *is* the reading order of the
ground truth. Layouts avoid clipping (no ``overflow: hidden`` on text) so that
everything marked is fully visible. Elements marked ``data-drop`` may be
removed from the end to make a page fit a fixed viewport height.
"""

from __future__ import annotations

import html
import random
import re
from dataclasses import dataclass

from bench.ocr import corpus as C

SANS = ["'Noto Sans CJK SC'", "'WenQuanYi Micro Hei'", "'WenQuanYi Zen Hei'",
        "'Liberation Sans', 'Noto Sans CJK SC'", "'DejaVu Sans', 'WenQuanYi Micro Hei'"]
SERIF = ["'Noto Serif CJK SC'", "'Liberation Serif', 'Noto Serif CJK SC'", "'DejaVu Serif', 'Noto Serif CJK SC'"]
MONO = ["'DejaVu Sans Mono', 'Noto Sans Mono CJK SC'", "'Liberation Mono', 'WenQuanYi Micro Hei Mono'",
        "'Noto Sans Mono CJK SC'", "'Noto Mono', 'WenQuanYi Zen Hei Mono'"]
# Japanese pages: fonts that cover kana (fc-list :lang=ja), with Japanese glyph
# forms of the Noto CJK JP faces as the fallback of every stack.
JA_SANS = ["'Noto Sans CJK JP'", "'WenQuanYi Zen Hei', 'Noto Sans CJK JP'", "'WenQuanYi Micro Hei', 'Noto Sans CJK JP'",
           "'Liberation Sans', 'Noto Sans CJK JP'", "'DejaVu Sans', 'Noto Sans CJK JP'"]
JA_SERIF = ["'Noto Serif CJK JP'", "'Liberation Serif', 'Noto Serif CJK JP'", "'DejaVu Serif', 'Noto Serif CJK JP'"]
JA_MONO = ["'DejaVu Sans Mono', 'Noto Sans Mono CJK JP'", "'Liberation Mono', 'WenQuanYi Micro Hei Mono', 'Noto Sans Mono CJK JP'",
           "'Noto Sans Mono CJK JP'", "'Noto Mono', 'WenQuanYi Zen Hei Mono', 'Noto Sans Mono CJK JP'"]


def fonts(lang: str) -> tuple[list[str], list[str], list[str]]:
    """(sans, serif, mono) font stacks for a page language."""
    if lang == "ja":
        return JA_SANS, JA_SERIF, JA_MONO
    return SANS, SERIF, MONO

THEMES = {
    "light": {"bg": "#ffffff", "panel": "#f4f5f7", "fg": "#1f2328", "muted": "#6b7280", "line": "#d8dce1",
              "accent": "#2563eb", "bubble": "#ffffff", "self": "#95ec69", "chatbg": "#ededed"},
    "dark": {"bg": "#1e1f22", "panel": "#2b2d31", "fg": "#e3e5e8", "muted": "#949ba4", "line": "#3f4147",
             "accent": "#5b8def", "bubble": "#2c2c2e", "self": "#3eb575", "chatbg": "#111111"},
}


@dataclass
class Page:
    html: str
    width: int              # CSS px viewport width
    height: int | None      # fixed CSS px height, or None for the full document height
    font: str


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def t(text: str, tag: str = "div", cls: str = "", style: str = "", drop: bool = False) -> str:
    """A ground-truth text element."""
    attrs = f' class="{cls}"' if cls else ""
    attrs += f' style="{style}"' if style else ""
    attrs += " data-drop" if drop else ""
    return f"<{tag} data-gt{attrs}>{esc(text)}</{tag}>"


def document(body: str, css: str, theme: str, font: str, size: float, lang: str | None = None) -> str:
    c = THEMES[theme]
    # Only Japanese pages declare their language (so fallback picks Japanese glyph forms).
    html_tag = "<html lang='ja'>" if lang == "ja" else "<html>"
    return (f"<!doctype html>{html_tag}<head><meta charset='utf-8'><style>"
            f"*{{box-sizing:border-box}} html,body{{margin:0;padding:0}}"
            f"body{{background:{c['bg']};color:{c['fg']};font-family:{font};font-size:{size}px;line-height:1.45}}"
            f".muted{{color:{c['muted']}}} {css}</style></head><body>{body}</body></html>")


# ---------------------------------------------------------------- chat
def chat(rng: random.Random, lang: str, theme: str, width: int, n_messages: int, desktop: bool) -> Page:
    c = THEMES[theme]
    font = rng.choice(fonts(lang)[0])
    size = rng.choice([14, 15, 16, 17]) if not desktop else rng.choice([13, 14, 15])
    me, others = C.name(rng, lang), [C.name(rng, lang) for _ in range(4)]
    group = C.title(rng, lang) if rng.random() < 0.5 else {"zh": "项目群", "en": "#team-eng", "mixed": "Dev 群", "ja": "開発チーム"}[lang]
    texts = C.SentenceStream(rng, lang).take(n_messages)
    sep_words = {"zh": ["昨天", "星期二", "今天"], "en": ["Yesterday", "Tuesday", "Today"],
                 "mixed": ["昨天", "星期二", "Today"], "ja": ["昨日", "火曜日", "今日"]}[lang]
    rows = []
    for i, text in enumerate(texts):
        if i % 6 == 0:
            rows.append(f"<div class='sep' data-drop>{t(rng.choice(sep_words) + ' ' + C.clock(rng), 'span')}</div>")
        mine = rng.random() < 0.35
        who = me if mine else rng.choice(others)
        if desktop:
            rows.append(f"<div class='msg' data-drop><div class='av'></div><div>"
                        f"<div class='hd'>{t(who, 'span', 'nm')}{t(C.clock(rng), 'span', 'muted tm')}</div>"
                        f"{t(text, cls='tx')}</div></div>")
        else:
            side = "me" if mine else "them"
            name_html = "" if mine else t(who, cls="muted nm")
            rows.append(f"<div class='row {side}' data-drop><div class='av'></div><div class='col'>"
                        f"{name_html}{t(text, cls='bub')}</div></div>")
    if desktop:
        channels = {"zh": ["综合", "随便聊聊", "前端组", "后端组", "产品需求", "线上告警"],
                    "en": ["general", "random", "frontend", "backend", "product", "alerts"],
                    "mixed": ["general", "前端组", "backend", "产品需求", "oncall", "线上告警"],
                    "ja": ["全体連絡", "雑談", "フロントエンド", "バックエンド", "企画", "障害通知"]}[lang]
        side = "".join(t(("# " if lang != "zh" else "") + ch, cls="ch") for ch in rng.sample(channels, 5))
        body = (f"<div class='wrap'><div class='side'>{t(group, cls='ws')}{side}</div>"
                f"<div class='main'>{t(group, cls='title')}{''.join(rows)}</div></div>")
        css = (f".wrap{{display:flex;min-height:100vh}} .side{{width:220px;background:{c['panel']};padding:16px 14px;"
               f"font-size:{size - 1}px}} .ws{{font-weight:700;font-size:{size + 2}px;margin-bottom:14px}}"
               f" .ch{{padding:3px 0;color:{c['muted']}}} .main{{flex:1;padding:12px 24px}}"
               f" .title{{font-weight:700;font-size:{size + 3}px;padding-bottom:10px;border-bottom:1px solid {c['line']};"
               f"margin-bottom:8px}} .msg{{display:flex;gap:10px;margin:10px 0}}"
               f" .av{{width:36px;height:36px;border-radius:6px;background:#8fa3bf;flex:none}}"
               f" .nm{{font-weight:700;margin-right:8px}} .tm{{font-size:{size - 2}px}}"
               f" .sep{{text-align:center;font-size:12px;color:{c['muted']};margin:14px 0}}")
    else:
        body = f"<div class='top'>{t(group, 'span')}</div><div class='list'>{''.join(rows)}</div>"
        css = (f"body{{background:{c['chatbg']}}} .top{{text-align:center;padding:12px;font-weight:600;"
               f"background:{c['panel']};border-bottom:1px solid {c['line']}}} .list{{padding:8px 12px 16px}}"
               f" .row{{display:flex;gap:8px;margin:12px 0;align-items:flex-start}} .row.me{{flex-direction:row-reverse}}"
               f" .av{{width:38px;height:38px;border-radius:5px;background:#9fb4c8;flex:none}}"
               f" .col{{max-width:72%;display:flex;flex-direction:column}} .me .col{{align-items:flex-end}}"
               f" .nm{{font-size:12px;margin:0 0 3px 2px}}"
               f" .bub{{background:{c['bubble']};padding:9px 12px;border-radius:6px;word-break:break-word}}"
               f" .me .bub{{background:{c['self']};color:#111}}"
               f" .sep{{text-align:center;font-size:12px;color:{c['muted']};margin:14px 0}}")
    return Page(document(body, css, theme, font, size, lang), width, None, font)


# ---------------------------------------------------------------- article
def article(rng: random.Random, lang: str, theme: str, width: int, col: int, size: float, n_par: int,
            per_par: tuple[int, int] = (2, 4)) -> Page:
    sans, serif, _ = fonts(lang)
    font = rng.choice(serif + sans[:3])
    author = C.name(rng, lang)
    if lang == "ja":  # not in the dict below: its values all draw from rng, in this order
        meta = f"{author} · {C.date(rng, 'ja')} 公開 · {rng.randint(3, 14)}分で読めます"
    else:
        meta = {"zh": f"{author} · 发布于 {C.date(rng, 'zh')} · 阅读 {rng.randint(120, 98000)}",
                "en": f"By {author} · {C.date(rng, 'en')} · {rng.randint(3, 14)} min read",
                "mixed": f"{author} · {C.date(rng, 'mixed')} · {rng.randint(3, 14)} min read"}[lang]
    pool = C.JA_ARTICLE_POOL if lang == "ja" else lang
    parts = [t(C.title(rng, pool), "h1"), t(meta, cls="muted meta")]
    stream = C.SentenceStream(rng, pool)
    for i in range(n_par):
        if i and i % 3 == 0:
            parts.append(t(C.title(rng, pool), "h2"))
        parts.append(t(C.paragraph(stream, rng.randint(*per_par)), "p"))
    css = (f".col{{max-width:{col}px;margin:0 auto;padding:28px 24px}} h1{{font-size:{size * 1.8:.0f}px;margin:0 0 8px}}"
           f" h2{{font-size:{size * 1.3:.0f}px;margin:22px 0 6px}} .meta{{font-size:{max(12, size - 3)}px}}"
           f" p{{margin:12px 0;text-align:justify}}")
    return Page(document(f"<div class='col'>{''.join(parts)}</div>", css, theme, font, size, lang), width, None, font)


# ---------------------------------------------------------------- code
_KEYWORDS = r"\b(def|class|return|if|for|in|let|const|continue|func|err|nil|SELECT|FROM|WHERE|GROUP|BY|HAVING|ORDER|LIMIT|AS|int|impl|fn|export|async|await|throw|new|import|from)\b"


def _highlight(line: str, palette: dict[str, str]) -> str:
    """Crude syntax colouring: comments, strings, keywords, numbers."""
    m = re.search(r"(#|//|--)\s", line)
    if m and line[: m.start()].strip() == "":
        return f"<span style='color:{palette['com']}'>{esc(line)}</span>"
    out, pos = [], 0
    for m in re.finditer(r"(\"[^\"]*\"|'[^']*'|`[^`]*`)|" + _KEYWORDS + r"|(\b\d+(?:\.\d+)?\b)", line):
        out.append(esc(line[pos:m.start()]))
        kind = "str" if m.group(1) else ("kw" if m.group(2) else "num")
        out.append(f"<span style='color:{palette[kind]}'>{esc(m.group(0))}</span>")
        pos = m.end()
    out.append(esc(line[pos:]))
    return "".join(out)


def code(rng: random.Random, lang: str, theme: str, width: int, terminal: bool) -> Page:
    sans, _, mono = fonts(lang)
    font = rng.choice(mono)
    size = rng.choice([13, 14, 15])
    dark = theme == "dark"
    pal = ({"kw": "#c678dd", "str": "#98c379", "num": "#d19a66", "com": "#7f848e", "fg": "#abb2bf", "bg": "#282c34",
            "gut": "#5c6370", "bar": "#21252b"} if dark else
           {"kw": "#cf222e", "str": "#0a3069", "num": "#0550ae", "com": "#6e7781", "fg": "#1f2328", "bg": "#ffffff",
            "gut": "#8c959f", "bar": "#f6f8fa"})
    lines, fname, label = C.code_block(rng, lang, terminal)
    rows = []
    if terminal:
        title = rng.choice(["zsh — 120×32", "bash — deploy@prod-api-01",
                            "ターミナル — ~/projects/web" if lang == "ja" else "终端 — ~/projects/web", "PowerShell"])
        for ln in lines:
            rows.append(f"<div class='ln' data-gt>{esc(ln)}</div>" if ln.strip() else "<div class='ln'>&nbsp;</div>")
        body = f"<div class='bar'>{t(title, 'span')}</div><div class='term'>{''.join(rows)}</div>"
        fg = "#d0d0d0" if dark else "#222"
        css = (f"body{{background:{'#0c0c0c' if dark else '#fdfdfd'};color:{fg}}} .bar{{background:{pal['bar']};"
               f"text-align:center;padding:6px;font-size:12px;color:{pal['gut']};font-family:{rng.choice(sans)}}}"
               f" .term{{padding:10px 14px}} .ln{{white-space:pre;line-height:1.35}}")
    else:
        for i, ln in enumerate(lines, start=rng.choice([1, 1, 12, 48])):
            content = f"<div class='src' data-gt>{_highlight(ln, pal)}</div>" if ln.strip() else "<div class='src'></div>"
            rows.append(f"<div class='row'><div class='gut' data-gt>{i}</div>{content}</div>")
        status = f"Ln {rng.randint(1, 80)}, Col {rng.randint(1, 40)}   UTF-8   LF   {label}"
        body = (f"<div class='tabs'>{t(fname, 'span', 'tab')}</div><div class='ed'>{''.join(rows)}</div>"
                f"<div class='status'>{t(status, 'span')}</div>")
        css = (f"body{{background:{pal['bg']};color:{pal['fg']}}} .tabs{{background:{pal['bar']};padding:0 8px}}"
               f" .tab{{display:inline-block;padding:7px 14px;font-size:13px;background:{pal['bg']}}}"
               f" .ed{{padding:8px 0}} .row{{display:flex;min-height:1.45em}} .gut{{width:52px;text-align:right;"
               f"padding-right:16px;color:{pal['gut']};flex:none}} .src{{white-space:pre}}"
               f" .status{{background:{'#21252b' if dark else '#0969da'};color:{'#9da5b4' if dark else '#fff'};"
               f"font-size:12px;padding:3px 12px}}")
    return Page(document(body, css, theme, font, size, lang), width, None, font)
