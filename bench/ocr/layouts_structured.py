"""Page builders for structured pages: receipts, invoices and spreadsheets,
settings panels and dashboards (small UI text), and slides. The running text
pages (chat, article, code) and the shared helpers are in ``layouts``."""

from __future__ import annotations

import random

from bench.ocr import corpus as C
from bench.ocr.layouts import THEMES, Page, document, fonts, t


# ---------------------------------------------------------------- tables
def receipt(rng: random.Random, lang: str, theme: str) -> Page:
    sans, _, mono = fonts(lang)
    font = rng.choice(mono + sans[:2])
    cur = C.CURRENCIES[lang]
    store = {"zh": ["便利蜂（望京店）", "全家 FamilyMart", "永辉超市", "瑞幸咖啡 No.1024"],
             "en": ["Corner Market", "Blue Bottle Coffee", "Office Depot #218", "Green Grocer"],
             "mixed": ["盒马鲜生 Hema", "星巴克 Starbucks", "7-Eleven 国贸店", "Costco 开市客"],
             "ja": ["ローソン 渋谷道玄坂店", "セブン-イレブン 新宿三丁目店", "ファミリーマート 梅田店", "ドトールコーヒー 神田店"]}[lang]
    L = {"zh": ("小计", "税额", "合计", "支付方式：微信支付", "谢谢惠顾，欢迎再次光临", "单号", "收银员"),
         "en": ("Subtotal", "Tax", "Total", "Paid by VISA **** 4821", "Thank you for shopping!", "Order", "Cashier"),
         "mixed": ("小计 Subtotal", "税额 Tax", "合计 Total", "支付方式：Apple Pay", "谢谢惠顾 Thank you", "单号", "Cashier"),
         "ja": ("小計", "消費税", "合計", "お支払い：交通系IC", "ご来店ありがとうございました", "伝票番号", "担当")}[lang]
    rows, subtotal = [], 0.0
    for _ in range(rng.randint(4, 9)):
        qty, price = rng.randint(1, 4), round(rng.uniform(2, 120), 2)
        if lang == "ja":  # whole yen, ¥200–¥12,000
            price = round(price * 100)
        subtotal += qty * price
        unit = f"{price:,}" if lang == "ja" else f"{price:.2f}"
        rows.append(f"<div class='it' data-row>{t(C.product(rng, lang), cls='nm')}"
                    f"<div class='r'>{t(f'{qty} x {unit}', 'span', 'muted')}{t(f'{cur}{C.money(qty * price, lang)}', 'span')}</div></div>")
    tax = subtotal * 0.06 if lang != "ja" else subtotal * 10 // 100  # Japanese consumption tax 10%, rounded down
    order = f"{L[5]}: {C.ident(rng, 'NO')}"
    when = f"{C.date(rng, lang)} {C.clock(rng)}   {L[6]}: {rng.randint(1, 30):02d}"
    body = (f"<div class='rc'>{t(rng.choice(store), cls='st')}"
            f"{t(order, cls='muted')}{t(when, cls='muted')}"
            f"<hr>{''.join(rows)}<hr>"
            f"<div class='it' data-row>{t(L[0], 'span')}{t(f'{cur}{C.money(subtotal, lang)}', 'span')}</div>"
            f"<div class='it' data-row>{t(L[1], 'span')}{t(f'{cur}{C.money(tax, lang)}', 'span')}</div>"
            f"<div class='it tot' data-row>{t(L[2], 'span')}{t(f'{cur}{C.money(subtotal + tax, lang)}', 'span')}</div>"
            f"<hr>{t(L[3])}{t(L[4], cls='end')}</div>")
    css = (".rc{width:340px;margin:16px auto;padding:18px}.st{text-align:center;font-size:18px;font-weight:700;margin-bottom:6px}"
           " .it{display:flex;justify-content:space-between;gap:10px;margin:4px 0} .nm{flex:1}"
           " .r{display:flex;gap:14px} hr{border:none;border-top:1px dashed #999;margin:10px 0}"
           " .tot{font-weight:700;font-size:17px} .end{text-align:center;margin-top:10px}")
    return Page(document(body, css, theme, font, 14, lang), 380, None, font)


def invoice(rng: random.Random, lang: str, theme: str, width: int) -> Page:
    sans, serif, _ = fonts(lang)
    font = rng.choice(sans + serif[1:2])
    c = THEMES[theme]
    cur = C.CURRENCIES[lang]
    rate = 0.13  # Japanese invoices: consumption tax 10%, rounded down (below)
    L = {"zh": ("增值税普通发票", "发票号码", "开票日期", "付款期限", "购买方", "项目名称", "数量", "单价", "金额", "小计", "税率 13%", "价税合计"),
         "en": ("INVOICE", "Invoice No.", "Issue date", "Due date", "Bill to", "Description", "Qty", "Unit price", "Amount", "Subtotal", "VAT 13%", "Total due"),
         "mixed": ("INVOICE 发票", "Invoice No.", "开票日期", "Due date", "购买方 Bill to", "项目 Item", "数量", "Unit price", "金额", "Subtotal", "税率 13%", "Total 合计"),
         "ja": ("請求書", "請求書番号", "発行日", "お支払期限", "請求先", "品目", "数量", "単価", "金額", "小計", "消費税 10%", "ご請求金額")}[lang]
    company = {"zh": "上海云帆信息技术有限公司", "en": "Northwind Software Ltd.", "mixed": "深圳 Lumen 科技有限公司",
               "ja": "株式会社ひかりソフトウェア"}[lang]
    buyer = {"zh": "北京星河数据服务有限公司", "en": "Acme Analytics Inc.", "mixed": "杭州 Orbit 网络有限公司",
             "ja": "東都データサービス株式会社 御中"}[lang]
    addr = {"zh": "上海市浦东新区张江路 88 号 5 楼", "en": "221 Market Street, Suite 400, San Francisco, CA 94105",
            "mixed": "深圳市南山区科技园 Tower B 12F", "ja": "東京都千代田区丸の内一丁目 8 番 2 号"}[lang]
    head = "".join(t(x, "th") for x in L[5:9])
    rows, sub = [], 0.0
    for _ in range(rng.randint(3, 7)):
        q, p = rng.randint(1, 20), round(rng.uniform(10, 3000), 2)
        if lang == "ja":  # whole yen, ¥1,000–¥300,000
            p = round(p * 100)
        sub += q * p
        rows.append("<tr data-row>" + t(C.product(rng, lang), "td") + t(str(q), "td", "n") + t(f"{cur}{C.money(p, lang)}", "td", "n")
                    + t(f"{cur}{C.money(q * p, lang)}", "td", "n") + "</tr>")
    tax = sub * rate if lang != "ja" else sub * 10 // 100
    total = sub * (1 + rate) if lang != "ja" else sub + tax
    body = (f"<div class='inv'><div class='top'><div>{t(company, cls='co')}{t(addr, cls='muted')}</div>"
            f"<div class='rt'>{t(L[0], cls='big')}{t(f'{L[1]}: {C.ident(rng)}')}{t(f'{L[2]}: {C.date(rng, lang)}')}"
            f"{t(f'{L[3]}: {C.date(rng, lang)}')}</div></div>"
            f"{t(L[4], cls='muted lb')}{t(buyer)}"
            f"<table><tr>{head}</tr>{''.join(rows)}</table>"
            f"<div class='sum'><div>{t(L[9], 'span')}{t(f'{cur}{C.money(sub, lang)}', 'span')}</div>"
            f"<div>{t(L[10], 'span')}{t(f'{cur}{C.money(tax, lang)}', 'span')}</div>"
            f"<div class='tot'>{t(L[11], 'span')}{t(f'{cur}{C.money(total, lang)}', 'span')}</div></div></div>")
    css = (f".inv{{padding:36px 44px}} .top{{display:flex;justify-content:space-between;gap:30px}} .co{{font-size:20px;font-weight:700}}"
           f" .rt{{text-align:right}} .big{{font-size:26px;font-weight:700;color:{c['accent']}}} .lb{{margin-top:24px}}"
           f" table{{width:100%;border-collapse:collapse;margin-top:18px}} th{{text-align:left;background:{c['panel']};padding:8px}}"
           f" td{{padding:8px;border-bottom:1px solid {c['line']}}} .n{{text-align:right}}"
           f" .sum{{width:320px;margin:16px 0 0 auto}} .sum div{{display:flex;justify-content:space-between;padding:3px 8px}}"
           f" .tot{{font-weight:700;font-size:18px;border-top:2px solid {c['fg']}}}")
    return Page(document(body, css, theme, font, rng.choice([13, 14, 15]), lang), width, None, font)


def sheet(rng: random.Random, lang: str, theme: str, width: int) -> Page:
    font = rng.choice(fonts(lang)[0])
    c = THEMES[theme]
    heads = {"zh": ["订单号", "客户", "下单日期", "状态", "金额"], "en": ["Order ID", "Customer", "Date", "Status", "Amount"],
             "mixed": ["Order ID", "客户", "下单日期", "Status", "金额"], "ja": ["注文番号", "顧客名", "注文日", "状態", "金額"]}[lang]
    status = {"zh": ["已付款", "待发货", "已完成", "已退款", "处理中"], "en": ["Paid", "Pending", "Shipped", "Refunded", "On hold"],
              "mixed": ["已付款", "Pending", "已完成", "Refunded", "处理中"],
              "ja": ["支払済み", "発送待ち", "完了", "返金済み", "処理中"]}[lang]
    cur = C.CURRENCIES[lang]
    rows = []
    for _ in range(rng.randint(8, 16)):
        cells = [C.ident(rng, "SO"), C.name(rng, lang), C.date(rng, lang), rng.choice(status), cur + C.amount(rng, 5, 20000, lang)]
        rows.append("<tr data-row>" + "".join(t(x, "td", "n" if i == 4 else "") for i, x in enumerate(cells)) + "</tr>")
    cap = {"zh": f"共 {len(rows)} 条记录", "en": f"Showing 1–{len(rows)} of {rng.randint(40, 900)} orders",
           "mixed": f"共 {len(rows)} 条 records", "ja": f"全 {len(rows)} 件を表示"}[lang]
    body = (f"<div class='wrap'>{t(C.title(rng, lang), cls='h')}<table><tr>{''.join(t(h, 'th') for h in heads)}</tr>"
            f"{''.join(rows)}</table>{t(cap, cls='muted cap')}</div>")
    size = rng.choice([12, 13, 14])
    css = (f".wrap{{padding:20px}} .h{{font-size:{size + 5}px;font-weight:700;margin-bottom:10px}}"
           f" table{{border-collapse:collapse;width:100%}} th,td{{border:1px solid {c['line']};padding:5px 10px;text-align:left}}"
           f" th{{background:{c['panel']};font-weight:600}} .n{{text-align:right}} .cap{{margin-top:8px;font-size:12px}}"
           f" tr:nth-child(odd) td{{background:{c['panel'] if rng.random() < 0.5 else 'transparent'}}}")
    return Page(document(body, css, theme, font, size, lang), width, None, font)


# ---------------------------------------------------------------- UI panels (small text)
def settings(rng: random.Random, lang: str, theme: str, width: int) -> Page:
    font = rng.choice(fonts(lang)[0])
    c = THEMES[theme]
    size = rng.choice([12, 12.5, 13])
    labels = C.ui_labels(rng, lang, 14)
    side = "".join(t(x, cls="it") for x in labels[:6])
    on = {"zh": ("已开启", "已关闭"), "en": ("On", "Off"), "mixed": ("已开启", "Off"), "ja": ("オン", "オフ")}[lang]
    values = ["日本語", "English", "UTC+09:00", "v3.14.2"] if lang == "ja" else ["简体中文", "English", "UTC+08:00", "v3.14.2"]
    rows = []
    for lab in labels[6:12]:
        val = rng.choice([rng.choice(on), C.date(rng, lang), rng.choice(values)])
        rows.append(f"<div class='rw' data-drop data-row><div>{t(lab, cls='lab')}{t(_short(rng.choice(C.sentences(rng, lang, 3))), cls='muted help')}</div>"
                    f"{t(val, cls='val')}</div>")
    btns = t(labels[12], "span", "btn pri") + t(labels[13], "span", "btn")
    body = (f"<div class='wrap'><div class='side'>{side}</div><div class='main'>{t(C.title(rng, lang), cls='h')}"
            f"{''.join(rows)}<div class='bt'>{btns}</div></div></div>")
    css = (f".wrap{{display:flex;min-height:100vh}} .side{{width:190px;background:{c['panel']};padding:18px 12px}}"
           f" .it{{padding:6px 8px;border-radius:4px}} .it:first-child{{background:{c['line']}}}"
           f" .main{{flex:1;padding:20px 28px}} .h{{font-size:16px;font-weight:700;margin-bottom:10px}}"
           f" .rw{{display:flex;justify-content:space-between;align-items:center;gap:20px;padding:9px 0;border-bottom:1px solid {c['line']}}}"
           f" .lab{{font-weight:600}} .help{{font-size:12px}} .val{{color:{c['accent']};white-space:nowrap}}"
           f" .bt{{margin-top:18px;display:flex;gap:10px}} .btn{{border:1px solid {c['line']};padding:5px 14px;border-radius:4px}}"
           f" .pri{{background:{c['accent']};color:#fff;border-color:{c['accent']}}}")
    return Page(document(body, css, theme, font, size, lang), width, None, font)


def dashboard(rng: random.Random, lang: str, theme: str, width: int) -> Page:
    font = rng.choice(fonts(lang)[0])
    c = THEMES[theme]
    metrics = {"zh": ["今日订单", "活跃用户", "转化率", "退款金额", "平均响应时间", "新增注册"],
               "en": ["Orders today", "Active users", "Conversion", "Refunds", "Avg. response", "New signups"],
               "mixed": ["今日订单", "DAU", "转化率", "Refunds", "P99 延迟", "新增注册"],
               "ja": ["本日の注文", "アクティブユーザー", "コンバージョン率", "返金額", "平均応答時間", "新規登録"]}[lang]
    cards = []
    for m in rng.sample(metrics, 4):
        val = rng.choice([f"{rng.randint(100, 99999):,}", f"{rng.uniform(0.5, 40):.1f}%", f"{rng.randint(80, 900)} ms", C.CURRENCIES[lang] + C.amount(rng, lang=lang)])
        delta = f"{rng.choice(['+', '-'])}{rng.uniform(0.1, 30):.1f}% " + {"zh": "较昨日", "en": "vs last week", "mixed": "vs 上周", "ja": "前日比"}[lang]
        cards.append(f"<div class='card'>{t(m, cls='muted lab')}{t(val, cls='v')}{t(delta, cls='d')}</div>")
    events = "".join(f"<div class='ev' data-drop data-row>{t(C.clock(rng), 'span', 'muted')}{t(s, 'span')}</div>"
                     for s in C.sentences(rng, lang, rng.randint(4, 7)))
    recent = {"zh": "最近动态", "en": "Recent activity", "mixed": "最近动态 Activity", "ja": "最近のアクティビティ"}[lang]
    body = (f"<div class='wrap'>{t(C.title(rng, lang), cls='h')}<div class='cards'>{''.join(cards)}</div>"
            f"{t(recent, cls='h2')}{events}</div>")
    css = (f".wrap{{padding:20px 24px}} .h{{font-size:18px;font-weight:700}} .cards{{display:flex;gap:12px;margin:14px 0}}"
           f" .card{{flex:1;background:{c['panel']};border-radius:8px;padding:12px 14px}} .lab{{font-size:12px}}"
           f" .v{{font-size:24px;font-weight:700}} .d{{font-size:12px;color:#16a34a}} .h2{{font-weight:700;margin:12px 0 6px}}"
           f" .ev{{display:flex;gap:14px;padding:4px 0;border-bottom:1px solid {c['line']}}}")
    return Page(document(body, css, theme, font, rng.choice([12, 13]), lang), width, None, font)


# ---------------------------------------------------------------- slides
def slide(rng: random.Random, lang: str, theme: str, width: int, height: int) -> Page:
    sans, serif, _ = fonts(lang)
    font = rng.choice(sans + serif[:1])
    scale = width / 1280
    brand = rng.random() < 0.35
    bg, fg = (rng.choice(["#1d4ed8", "#0f766e", "#7c2d12"]), "#ffffff") if brand else (THEMES[theme]["bg"], THEMES[theme]["fg"])
    bullets = "".join(t(s, "li", drop=True) for s in C.sentences(rng, lang, rng.randint(3, 5)))
    company = {"zh": "云帆科技 · 内部资料", "en": "Northwind · Confidential", "mixed": "Lumen 科技 · Internal",
               "ja": "ひかりソフトウェア · 社外秘"}[lang]
    body = (f"<div class='s'>{t(C.title(rng, lang), cls='h')}<ul>{bullets}</ul>"
            f"<div class='ft'>{t(company, 'span')}{t(str(rng.randint(2, 40)), 'span')}</div></div>")
    css = (f"body{{background:{bg};color:{fg}}} .s{{min-height:{height}px;padding:{56 * scale:.0f}px {72 * scale:.0f}px {24 * scale:.0f}px;display:flex;flex-direction:column}}"
           f" .h{{font-size:{rng.choice([40, 46, 52]) * scale:.0f}px;font-weight:700;margin-bottom:{24 * scale:.0f}px}}"
           f" li{{font-size:{rng.choice([24, 26, 30]) * scale:.0f}px;margin:{10 * scale:.0f}px 0}}"
           f" .ft{{margin-top:auto;display:flex;justify-content:space-between;font-size:{14 * scale:.0f}px;opacity:.8}}")
    return Page(document(body, css, theme, font, 20, lang), width, height, font)


def _short(text: str) -> str:
    """Help text as UIs show it: one line, cut with an ellipsis."""
    wide = lambda s: any("\u4e00" <= ch <= "\u9fff" or "\u3040" <= ch <= "\u30ff" for ch in s)  # noqa: E731
    limit = 22 if wide(text) else 44
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if " " in cut and not wide(cut):
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,，、") + "…"
