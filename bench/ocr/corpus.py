"""Built-in text corpus for the OCR development set.

Hand-written, realistic workplace text (chat, docs, receipts, code) in
Chinese, English, mixed and Japanese (plus public-domain Japanese literature). Generators combine fixed sentences with random
names, amounts, dates and identifiers so pages are not repetitive while the
output stays a pure function of the random generator passed in.
"""

from __future__ import annotations

import random

ZH_SENTENCES = [
    "今天下午三点在三楼会议室开项目周会，请大家提前准备好进度。",
    "合同已经盖章寄出了，快递单号我稍后发到群里。",
    "这个版本的安装包比上个版本大了将近四十兆，需要查一下原因。",
    "客户反馈登录页面在部分安卓手机上显示不全，已经复现了。",
    "报销单请在月底之前提交，逾期的话只能放到下个月处理。",
    "服务器磁盘使用率超过百分之九十，晚上需要清理一下日志。",
    "新来的实习生下周一入职，工位安排在靠窗那一排。",
    "我把会议纪要整理好了，放在共享文件夹的周报目录下。",
    "年终总结的模板已经更新，大家按照新格式填写即可。",
    "测试环境的数据库昨晚被误删了，幸好有凌晨的备份。",
    "请确认一下发票抬头和税号是否正确，财务那边在催。",
    "这周五公司组织团建，地点在郊区的农家乐，自愿报名。",
    "用户量上涨以后接口响应明显变慢，高峰期平均超过两秒。",
    "产品经理希望把导出功能提前到这个迭代里完成。",
    "打印机又卡纸了，行政说明天会有人来维修。",
    "明天早上九点半的航班，记得提前两个小时到机场。",
    "这家餐厅的红烧肉味道不错，就是排队时间有点长。",
    "周末北京有小到中雨，气温降到十二度左右，注意保暖。",
    "孩子的家长会改到下周三晚上七点，地点在学校礼堂。",
    "房租从下个月开始涨三百块，房东刚刚发消息通知的。",
    "我们计划在第三季度上线海外版本，先支持英语和日语。",
    "设计稿里的按钮颜色和规范不一致，麻烦再核对一下。",
    "这个问题只在网络较差的情况下出现，重试之后就好了。",
    "数据迁移预计需要六个小时，期间系统将暂停对外服务。",
    "上个月的销售额同比增长了百分之十七，超出预期。",
    "请不要在生产环境直接修改配置，所有变更都要走审批流程。",
    "会议室的投影仪连不上笔记本，可能是转接头坏了。",
    "我已经把你拉进项目群了，有问题可以直接在群里问。",
    "图书馆周一闭馆，其他时间开放到晚上十点。",
    "新政策规定，个人所得税专项附加扣除需要在年底前确认。",
    "这份文档的第二章写得比较粗，需要补充几个具体的例子。",
    "快递显示已签收，但是前台说没有收到，正在联系快递员。",
    "本次活动最终解释权归主办方所有，名额有限，先到先得。",
    "如果页面长时间没有响应，请刷新后重新提交表单。",
    "面试安排在周四下午，候选人有五年的后端开发经验。",
    "体检报告出来了，大部分指标正常，血脂稍微偏高。",
    "我们对比了三家供应商的报价，第二家的性价比最高。",
    "春节前最后一个工作日是二月七号，请合理安排假期。",
    "地铁二号线因设备故障部分区段停运，请绕行。",
    "验证码已发送至您的手机，五分钟内有效，请勿泄露。",
    "请将附件中的表格填写完整后，于本周五前发回邮箱。",
    "模型在验证集上的准确率达到了百分之九十三点六。",
    "这次的需求变更影响范围比较大，建议先评估工作量。",
    "小区门口新开了一家咖啡店，开业第一周全场八折。",
    "年会节目报名截止到本月二十号，每个部门至少一个节目。",
    "老板说这个方案可以，但是预算需要再压缩百分之十五。",
]

EN_SENTENCES = [
    "Can we move the design review to Thursday afternoon instead?",
    "The build failed again because the cache key changed after the upgrade.",
    "I pushed a fix for the login redirect, please take a look when you have time.",
    "Our quarterly revenue grew by 12 percent, mostly from the enterprise plan.",
    "Please submit your expense reports before the end of the month.",
    "The staging database will be offline for maintenance from 10 PM to midnight.",
    "Thanks for the quick turnaround on the invoice, everything looks correct.",
    "We are seeing intermittent timeouts on the payment service in the EU region.",
    "The new onboarding flow reduced drop-off on the signup page by a third.",
    "Let me know if the meeting notes are missing anything important.",
    "Remember to rotate the API keys before the audit next Wednesday.",
    "The conference room projector only works with the HDMI adapter on the left.",
    "Lunch is on the company today, the pizza should arrive around noon.",
    "I will be out of office until Monday with limited access to email.",
    "Could you double check the shipping address on order 48213?",
    "The customer wants a refund because the package arrived damaged.",
    "We decided to postpone the launch by two weeks to fix the remaining bugs.",
    "Memory usage spikes whenever the report job runs at the top of the hour.",
    "Please review the pull request and leave comments on the migration script.",
    "The weather forecast says heavy rain tomorrow, so the picnic is cancelled.",
    "Her flight lands at 6:45 in the morning, someone should pick her up.",
    "The library extends its opening hours during the final exam period.",
    "All employees must complete the security training by Friday.",
    "Our support team answered 1,284 tickets last week with a median reply time of two hours.",
    "The chart on slide seven uses last year's numbers, please update it.",
    "I could not reproduce the crash on my machine, can you share the logs?",
    "We need a second approver before merging anything into the release branch.",
    "Battery life improved noticeably after the firmware update.",
    "The recipe calls for two cups of flour, one egg and a pinch of salt.",
    "Traffic on the bridge is backed up for three miles because of an accident.",
    "The invoice is overdue by fourteen days, a reminder was sent this morning.",
    "Our team is hiring a senior frontend engineer with strong TypeScript skills.",
    "The warranty covers parts and labor for one year from the date of purchase.",
    "Please keep the kitchen clean and label your food in the fridge.",
    "Dark mode is now available in settings under Appearance.",
    "Latency dropped from 840 ms to 310 ms after we added the index.",
    "The vendor promised to deliver the replacement parts by next Tuesday.",
    "If the page does not load, clear your browser cache and try again.",
    "Quarterly planning starts next week, so start drafting your proposals.",
    "The museum is free on the first Sunday of every month.",
    "We migrated 3.2 million records without any downtime.",
    "Your subscription renews automatically unless you cancel before the billing date.",
    "The hotel offers free breakfast and late checkout for members.",
    "I think the root cause is a race condition in the retry logic.",
    "Please bring a valid photo ID to collect your badge at the front desk.",
    "The interview panel will include two engineers and a product manager.",
]

# Mixed text the way Chinese-speaking teams really write it: English product
# names, acronyms and identifiers inside Chinese sentences, with and without
# spaces around them.
MIXED_SENTENCES = [
    "今天的 standup 改到十点半，大家记得更新 Jira 上的状态。",
    "这个 bug 只在 iOS 17 上出现，Android 没有问题。",
    "PR 已经提了，麻烦帮忙 review 一下，主要改了 auth 模块。",
    "线上的 Redis 内存快满了，需要调整一下 maxmemory 策略。",
    "我用Python写了个脚本，可以自动把Excel转成CSV。",
    "明天 demo 之前要把 Figma 里的设计稿同步到 Confluence。",
    "Docker 镜像太大了，建议改用 alpine 作为基础镜像。",
    "客户要求在 Q3 之前完成 SSO 对接，支持 SAML 和 OIDC。",
    "请把 API 文档里的 v1 接口标记为 deprecated。",
    "K8s 集群升级到 1.29 之后，有两个 Pod 一直在重启。",
    "我们的 DAU 已经突破了 50 万，MAU 接近 300 万。",
    "这次 release 包含三个 feature 和十几个 bugfix。",
    "邮件里的 PDF 附件打不开，能再发一份 Word 版本吗？",
    "周报用Notion写就行，链接发在Slack的general频道里。",
    "CI 跑了四十分钟还没结束，可能是 GitHub Actions 排队了。",
    "新买的 MacBook Pro 续航不错，M3 芯片编译速度快了很多。",
    "这个接口的 QPS 峰值大概在 2000 左右，P99 延迟 180ms。",
    "HR 说下个月开始用飞书打卡，钉钉那边会停用。",
    "把 nginx 的 timeout 调到 60 秒，上传大文件就不会失败了。",
    "请在 README 里补充一下本地开发环境的 setup 步骤。",
    "今晚八点有 Apple 的发布会，据说会发布新款 iPhone。",
    "我们的 OKR 第二条是把 NPS 从 32 提高到 40。",
    "这个 SQL 没走索引，explain 一下就能看出来是全表扫描。",
    "老板让我们下周给出 AI 助手的 PoC，预算五万以内。",
    "登录后台的账号是 admin，密码已经通过企业微信发给你了。",
    "记得在 .env 文件里配置 DATABASE_URL，不要提交到 git。",
    "WiFi 密码贴在前台，访客网络的名字是 Guest-5G。",
    "京东的订单显示 618 当天发货，预计周四送达。",
]

ZH_NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄晓明", "周婷", "吴昊",
            "徐立", "孙悦", "马超", "胡晓燕", "郭强", "林雨欣", "何俊", "高远", "罗佳", "郑凯"]
EN_NAMES = ["Alice Chen", "Ben Walker", "Carla Diaz", "David Kim", "Emma Novak", "Frank Osei",
            "Grace Liu", "Henry Park", "Isabel Rossi", "Jack Thompson", "Kate Murphy",
            "Liam O'Brien", "Maya Patel", "Noah Fischer", "Olivia Brown", "Priya Nair"]

ZH_PRODUCTS = ["无线蓝牙耳机", "机械键盘（青轴）", "二十七寸显示器", "办公椅", "移动硬盘 2TB", "打印纸 A4 五包",
               "咖啡豆 500g", "保温杯", "USB-C 扩展坞", "降噪耳机", "笔记本支架", "网线 5 米",
               "矿泉水 24 瓶", "台灯", "电源适配器 65W", "会议麦克风", "白板笔（黑色）", "收纳箱"]
EN_PRODUCTS = ["Wireless Mouse M720", "USB-C Hub 7-in-1", "27\" 4K Monitor", "Ergonomic Chair",
               "Standing Desk Frame", "Noise Cancelling Headphones", "Laptop Sleeve 14\"",
               "HDMI Cable 2m", "Mechanical Keyboard", "Webcam 1080p", "Coffee Beans 1kg",
               "Printer Toner Black", "Cloud Storage 2TB (annual)", "Team Plan - 12 seats",
               "Conference Speakerphone", "Desk Lamp LED", "Power Bank 20000mAh"]

ZH_UI_LABELS = ["用户名", "密码", "登录", "注册", "忘记密码？", "设置", "通知", "隐私", "账户安全",
                "语言", "保存更改", "取消", "删除", "编辑资料", "退出登录", "搜索", "筛选", "导出",
                "上传文件", "最近打开", "我的收藏", "帮助中心", "版本信息", "清除缓存", "消息免打扰",
                "自动更新", "存储空间", "绑定手机", "修改邮箱", "两步验证"]
EN_UI_LABELS = ["Username", "Password", "Sign in", "Create account", "Forgot password?", "Settings",
                "Notifications", "Privacy", "Security", "Language", "Save changes", "Cancel", "Delete",
                "Edit profile", "Log out", "Search", "Filter", "Export", "Upload file", "Recent",
                "Favorites", "Help center", "About", "Clear cache", "Do not disturb",
                "Automatic updates", "Storage", "Linked accounts", "Change email", "Two-factor authentication"]

ZH_TITLES = ["季度经营分析", "产品路线图", "用户增长复盘", "系统架构升级方案", "新员工入职培训",
             "年度预算规划", "客户满意度调查结果", "数据安全合规要求", "市场推广计划", "技术债务清理"]
EN_TITLES = ["Quarterly Business Review", "Product Roadmap 2025", "Growth Retrospective",
             "Platform Migration Plan", "Onboarding Guide", "Annual Budget Planning",
             "Customer Survey Results", "Security and Compliance", "Go-to-Market Strategy",
             "Paying Down Tech Debt"]
MIXED_TITLES = ["Q3 OKR 回顾", "SaaS 定价策略", "iOS 与 Android 版本规划", "API 网关迁移方案",
                "AI 客服上线复盘", "K8s 集群成本优化", "CRM 系统选型", "GitLab CI 最佳实践"]

CODE_SNIPPETS = [
    """def parse_amount(text: str) -> Decimal:
    cleaned = text.replace(",", "").strip()
    if cleaned.startswith("$"):
        cleaned = cleaned[1:]
    return Decimal(cleaned).quantize(Decimal("0.01"))""",
    """for (let i = 0; i < items.length; i++) {
  const item = items[i];
  if (!item.enabled) continue;
  total += item.price * item.quantity;
}
console.log(`total=${total.toFixed(2)}`);""",
    """SELECT user_id, COUNT(*) AS orders, SUM(amount) AS revenue
FROM orders
WHERE created_at >= '2024-01-01'
GROUP BY user_id
HAVING COUNT(*) > 3
ORDER BY revenue DESC
LIMIT 20;""",
    """func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if err := s.db.PingContext(r.Context()); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte(`{"status":"ok"}`))
}""",
    """class RateLimiter:
    def __init__(self, rate: int, per: float = 1.0):
        self.rate = rate
        self.per = per
        self.allowance = float(rate)
        self.last_check = time.monotonic()""",
    """#include <stdio.h>
int main(int argc, char **argv) {
    for (int i = 1; i < argc; ++i)
        printf("%d: %s\\n", i, argv[i]);
    return 0;
}""",
    """impl Display for Money {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}{:.2}", self.currency.symbol(), self.amount)
    }
}""",
    """def retry(fn, attempts=3, delay=0.5):
    for i in range(attempts):
        try:
            return fn()
        except ConnectionError as exc:
            log.warning("attempt %d failed: %s", i + 1, exc)
            time.sleep(delay * 2 ** i)
    raise RuntimeError("giving up after %d attempts" % attempts)""",
    """UPDATE invoices
SET status = 'overdue', updated_at = NOW()
WHERE due_date < CURRENT_DATE - INTERVAL '14 days'
  AND status = 'sent'
RETURNING id, customer_id, total;""",
    """const debounce = (fn, ms = 300) => {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn.apply(this, args), ms);
  };
};""",
    """func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	var cfg Config
	return &cfg, yaml.Unmarshal(data, &cfg)
}""",
    """export async function fetchUser(id: string): Promise<User> {
  const res = await fetch(`/api/v2/users/${id}`);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return (await res.json()) as User;
}""",
]

# Comments that get inserted into code for the Chinese / mixed variants.
ZH_CODE_COMMENTS = ["# 去掉千分位逗号再转换", "# 跳过已禁用的条目", "# 只统计今年的订单", "# 令牌桶算法，按秒补充",
                    "# 健康检查：数据库不可用时返回 503", "# TODO: 支持多币种", "# 注意：这里不能用浮点数",
                    "# 兼容旧版本接口", "# 失败时重试三次"]

TERMINAL_SESSIONS = [
    """$ git status
On branch feature/export-csv
Your branch is ahead of 'origin/feature/export-csv' by 2 commits.
Changes not staged for commit:
  modified:   app/export.py
  modified:   tests/test_export.py""",
    """$ docker ps
CONTAINER ID   IMAGE            STATUS          PORTS
3f2a9c1d7e44   postgres:16      Up 3 hours      5432/tcp
b81e0c55a9d2   redis:7-alpine   Up 3 hours      6379/tcp
c0ffee12ab34   api:1.8.2        Up 12 minutes   0.0.0.0:8000->8000/tcp""",
    """$ pytest -q tests/unit
........................F.....
FAILED tests/unit/test_invoice.py::test_tax_rounding - AssertionError: 12.35 != 12.34
1 failed, 29 passed in 4.81s""",
    """$ kubectl get pods -n payments
NAME                          READY   STATUS             RESTARTS   AGE
gateway-7d9f8b6c5-2xkqp       1/1     Running            0          2d
worker-5c6b7f9d8-hq4lm        0/1     CrashLoopBackOff   14         47m""",
    """$ df -h /var
Filesystem      Size  Used Avail Use% Mounted on
/dev/nvme0n1p3  200G  183G   17G  92% /var
$ du -sh /var/log/* | sort -h | tail -3""",
    """$ npm run build
> web@2.4.0 build
> vite build
vite v5.2.8 building for production...
✓ 412 modules transformed.
dist/assets/index-4f8a2c1e.js   318.42 kB │ gzip: 101.27 kB""",
]

CURRENCIES = {"zh": "¥", "en": "$", "mixed": "¥", "ja": "¥"}


def sentences(rng: random.Random, lang: str, n: int) -> list[str]:
    """Up to n distinct sentences in the language (sampled without replacement)."""
    if lang == "ja":
        # Japanese chats and panels also quote a line of literature now and then.
        return rng.sample(JA_SENTENCES + JA_LITERARY[:6], min(n, len(JA_SENTENCES) + 6))
    if lang == "ja-literary":
        return rng.sample(JA_LITERARY, min(n, len(JA_LITERARY)))
    pool = {"zh": ZH_SENTENCES, "en": EN_SENTENCES, "mixed": MIXED_SENTENCES + ZH_SENTENCES[:12]}[lang]
    if lang == "mixed":
        # Mixed pages also carry some pure English, as real team chats do.
        pool = pool + EN_SENTENCES[:10]
    return rng.sample(pool, min(n, len(pool)))


def name(rng: random.Random, lang: str) -> str:
    if lang.startswith("ja"):
        return rng.choice(JA_NAMES)
    if lang == "en" or (lang == "mixed" and rng.random() < 0.4):
        return rng.choice(EN_NAMES)
    return rng.choice(ZH_NAMES)


def product(rng: random.Random, lang: str) -> str:
    if lang == "ja":
        return rng.choice(JA_PRODUCTS)
    if lang == "en" or (lang == "mixed" and rng.random() < 0.5):
        return rng.choice(EN_PRODUCTS)
    return rng.choice(ZH_PRODUCTS)


def ui_labels(rng: random.Random, lang: str, n: int) -> list[str]:
    if lang == "mixed":
        pool = rng.sample(ZH_UI_LABELS, n // 2 + 1) + rng.sample(EN_UI_LABELS, n // 2 + 1)
        rng.shuffle(pool)
        return pool[:n]
    if lang == "ja":
        return rng.sample(JA_UI_LABELS, n)
    return rng.sample(ZH_UI_LABELS if lang == "zh" else EN_UI_LABELS, n)


def title(rng: random.Random, lang: str) -> str:
    return rng.choice({"zh": ZH_TITLES, "en": EN_TITLES, "mixed": MIXED_TITLES, "ja": JA_TITLES,
                       "ja-literary": JA_LITERARY_TITLES}[lang])


def amount(rng: random.Random, low: float = 1, high: float = 5000, lang: str | None = None) -> str:
    """A price like 1,299.00 (thousands separator, two decimals); in Japanese whole
    yen, 100 times larger (1,299.00 → 129,900): the same random draws either way."""
    value = round(rng.uniform(low, high), rng.choice([0, 2, 2]))
    return money(value * 100, lang) if lang == "ja" else f"{value:,.2f}"


def money(value: float, lang: str | None) -> str:
    """An amount as the language writes it: whole yen in Japanese, else two decimals."""
    return f"{round(value):,}" if lang == "ja" else f"{value:,.2f}"


def date(rng: random.Random, lang: str) -> str:
    y, m, d = rng.randint(2022, 2025), rng.randint(1, 12), rng.randint(1, 28)
    style = rng.randrange(3)
    if lang in ("zh", "ja", "ja-literary") and style == 0:
        return f"{y}年{m}月{d}日"
    if lang == "en" and style == 0:
        months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return f"{months[m - 1]} {d}, {y}"
    return f"{y}-{m:02d}-{d:02d}" if style < 2 else f"{y}/{m:02d}/{d:02d}"


def clock(rng: random.Random) -> str:
    return f"{rng.randint(7, 23):02d}:{rng.randint(0, 59):02d}"


def ident(rng: random.Random, prefix: str = "INV") -> str:
    return f"{prefix}-{rng.randint(2022, 2025)}{rng.randint(0, 99999):05d}"


def _snippet_meta(src: str) -> tuple[str, str, str]:
    """(file name, comment prefix, language label) guessed from a snippet's syntax."""
    if src.startswith(("SELECT", "UPDATE")):
        return "report.sql", "-- ", "SQL"
    if "def " in src or "class " in src:
        name = "limiter.py" if "RateLimiter" in src else "retry.py" if "retry" in src else "amount.py"
        return name, "# ", "Python"
    if src.startswith("#include"):
        return "main.c", "// ", "C"
    if src.startswith("impl"):
        return "money.rs", "// ", "Rust"
    if src.startswith("func"):
        return ("config.go" if "LoadConfig" in src else "server.go"), "// ", "Go"
    if "Promise<" in src:
        return "api.ts", "// ", "TypeScript"
    return ("debounce.js" if "debounce" in src else "cart.js"), "// ", "JavaScript"


def code_block(rng: random.Random, lang: str, terminal: bool) -> tuple[list[str], str, str]:
    """Lines of one code snippet or terminal session, its file name and language label.

    zh/mixed snippets get a Chinese comment, ja snippets a Japanese one, indented like the line below it.
    """
    if terminal:
        first = rng.choice(TERMINAL_SESSIONS)
        second = rng.choice([s for s in TERMINAL_SESSIONS if s != first])
        return (first + "\n" + second).split("\n"), "", ""
    src = rng.choice(CODE_SNIPPETS)
    fname, prefix, label = _snippet_meta(src)
    lines = src.split("\n")
    if lang != "en":
        at = rng.randrange(1, len(lines))
        indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
        comment = rng.choice(JA_CODE_COMMENTS if lang == "ja" else ZH_CODE_COMMENTS).split(" ", 1)[1]
        lines.insert(at, indent + prefix + comment)
    return lines, fname, label


class SentenceStream:
    """Sentences without repeats until the language's pool is used up (then reshuffled)."""

    def __init__(self, rng: random.Random, lang: str) -> None:
        self.rng, self.lang, self.buf = rng, lang, []

    def take(self, n: int) -> list[str]:
        out = []
        while len(out) < n:
            if not self.buf:
                self.buf = sentences(self.rng, self.lang, 10_000)
            out.append(self.buf.pop())
        return out


def paragraph(stream: SentenceStream, n_sentences: int) -> str:
    """Sentences joined the way each script joins them (no spaces between Chinese sentences)."""
    parts = stream.take(n_sentences)
    out = ""
    for part in parts:
        if out and (not _is_cjk(out[-1]) or not _is_cjk(part[0])):
            out += " "
        out += part
    return out


def _is_cjk(ch: str) -> bool:
    return "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"


# ---------------------------------------------------------------- Japanese
# Opening lines and other short passages of public-domain works of modern
# Japanese literature, in the modern-kana editions: Natsume Sōseki (吾輩は猫である,
# 坊っちゃん, 草枕, こころ, 夢十夜, 三四郎), Akutagawa Ryūnosuke (羅生門, 鼻, 蜘蛛の糸,
# 杜子春), Dazai Osamu (走れメロス) and Miyazawa Kenji (注文の多い料理店, 銀河鉄道の夜).
JA_LITERARY = [
    "吾輩は猫である。名前はまだ無い。",
    "どこで生れたかとんと見当がつかぬ。",
    "何でも薄暗いじめじめした所でニャーニャー泣いていた事だけは記憶している。",
    "吾輩はここで始めて人間というものを見た。",
    "しかもあとで聞くとそれは書生という人間中で一番獰悪な種族であったそうだ。",
    "親譲りの無鉄砲で小供の時から損ばかりしている。",
    "小学校に居る時分学校の二階から飛び降りて一週間ほど腰を抜かした事がある。",
    "なぜそんな無闇をしたと聞く人があるかも知れぬ。別段深い理由でもない。",
    "山路を登りながら、こう考えた。",
    "智に働けば角が立つ。情に棹させば流される。意地を通せば窮屈だ。",
    "とかくに人の世は住みにくい。",
    "私はその人を常に先生と呼んでいた。",
    "だからここでもただ先生と書くだけで本名は打ち明けない。",
    "こんな夢を見た。",
    "うとうととして眼が覚めると女はいつのまにか、隣のじいさんと話を始めている。",
    "ある日の暮方の事である。",
    "一人の下人が、羅生門の下で雨やみを待っていた。",
    "広い門の下には、この男のほかに誰もいない。",
    "禅智内供の鼻と云えば、池の尾で知らない者はない。",
    "ある日の事でございます。",
    "御釈迦様は極楽の蓮池のふちを、独りでぶらぶら御歩きになっていらっしゃいました。",
    "或春の日暮です。",
    "唐の都洛陽の西の門の下に、ぼんやり空を仰いでいる、一人の若者がありました。",
    "メロスは激怒した。",
    "必ず、かの邪智暴虐の王を除かなければならぬと決意した。",
    "メロスには政治がわからぬ。メロスは、村の牧人である。",
    "笛を吹き、羊と遊んで暮して来た。",
    "二人の若い紳士が、すっかりイギリスの兵隊のかたちをして、ぴかぴかする鉄砲をかついで歩いておりました。",
    "ではみなさんは、そういうふうに川だと云われたり、乳の流れたあとだと云われたりしていた、このぼんやりと白いものがほんとうは何かご存じですか。",
]

# Workplace Japanese: team chat, notices, support replies; a few with the
# English product names and acronyms Japanese teams write inline.
JA_SENTENCES = [
    "明日の定例会議は十時から第二会議室で行います。",
    "資料は共有フォルダにアップロードしておきました。",
    "請求書の金額に誤りがあったので、再発行をお願いします。",
    "本番環境へのリリースは金曜日の夜に予定しています。",
    "お疲れさまです。先ほどの件、確認が取れ次第ご連絡します。",
    "新しいログイン画面のデザイン案を三つ用意しました。",
    "サーバーの負荷が高いため、夜間バッチを一時停止しています。",
    "経費精算は月末までに申請してください。",
    "来週の出張は新幹線で大阪に向かいます。",
    "お客様から配送の遅れについて問い合わせがありました。",
    "テスト環境で不具合を再現できたので、修正に取りかかります。",
    "会議室のプロジェクターが映らないので、総務に連絡しました。",
    "今月の売上は前年同月比で十二パーセント増えました。",
    "入社手続きの書類は人事部までご提出ください。",
    "台風の影響で、明日は在宅勤務に切り替えます。",
    "ランチは駅前の新しいラーメン屋に行きませんか。",
    "パスワードの有効期限が切れています。再設定してください。",
    "データ移行には約六時間かかる見込みです。",
    "見積書を確認しました。このまま進めていただいて大丈夫です。",
    "年末年始の休業期間は十二月二十九日から一月三日までです。",
    "アプリを最新バージョンに更新すると、この問題は解消されます。",
    "議事録をまとめたので、抜けている点があれば教えてください。",
    "すみません、電車が遅れていて十分ほど遅刻します。",
    "承認フローが完了するまで、本番の設定は変更しないでください。",
    "お問い合わせいただきありがとうございます。担当者より折り返しご連絡いたします。",
    "週末は雨の予報なので、お花見は来週に延期しましょう。",
    "ご注文の商品は三日以内に発送いたします。",
    "このボタンの色がガイドラインと違うようです。",
    "PRを出したので、お手すきの際にレビューをお願いします。",
    "iOS版だけでクラッシュが発生しているようです。",
    "Slackの通知が多すぎるので、チャンネルを整理しました。",
    "CIが通らないので、原因を調べています。",
]

JA_NAMES = ["佐藤健太", "鈴木美咲", "高橋翔", "田中陽子", "伊藤大輔", "渡辺さくら", "山本拓也", "中村愛",
            "小林直樹", "加藤結衣", "吉田誠", "山田花子", "松本涼", "井上真由美"]
JA_PRODUCTS = ["ワイヤレスイヤホン", "メカニカルキーボード（茶軸）", "27インチモニター", "オフィスチェア",
               "外付けSSD 1TB", "コピー用紙 A4 5冊", "コーヒー豆 500g", "ステンレスボトル", "USB-C ハブ",
               "ノイズキャンセリングヘッドホン", "ノートパソコンスタンド", "LANケーブル 5m",
               "ミネラルウォーター 24本", "デスクライト", "電源アダプター 65W", "会議用マイク",
               "ホワイトボードマーカー（黒）", "収納ボックス", "緑茶ティーバッグ 50袋"]
JA_UI_LABELS = ["ユーザー名", "パスワード", "ログイン", "新規登録", "パスワードをお忘れですか？", "設定", "通知",
                "プライバシー", "セキュリティ", "言語", "変更を保存", "キャンセル", "削除", "プロフィールを編集",
                "ログアウト", "検索", "絞り込み", "エクスポート", "ファイルをアップロード", "最近使った項目",
                "お気に入り", "ヘルプセンター", "バージョン情報", "キャッシュを削除", "おやすみモード",
                "自動アップデート", "ストレージ", "連携アカウント", "メールアドレスを変更", "二段階認証"]
JA_TITLES = ["四半期業績レビュー", "製品ロードマップ", "新入社員研修のご案内", "システム移行計画", "年間予算計画",
             "顧客満足度調査の結果", "情報セキュリティ対策", "販売促進キャンペーン", "技術的負債の解消",
             "働き方改革の取り組み"]
JA_LITERARY_TITLES = ["名作の書き出しを読む", "近代文学の名文", "青空文庫で読む短編", "文豪の文章に学ぶ",
                      "声に出して読みたい日本語"]
JA_CODE_COMMENTS = ["# 桁区切りのカンマを除いてから変換する", "# 無効な項目は飛ばす", "# 今年の注文だけを集計する",
                    "# トークンバケット方式で毎秒補充する", "# TODO: 複数通貨に対応する",
                    "# 注意：ここで浮動小数点数を使わないこと", "# 旧バージョンのAPIとの互換性のため",
                    "# 失敗したら三回まで再試行する"]
# Article pages in Japanese read literature (the "ja-literary" sentence pool).
JA_ARTICLE_POOL = "ja-literary"
