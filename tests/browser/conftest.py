"""Real-browser fixtures: Debian's Chromium driven by Playwright against the
live platform (daphne + django-q2 worker) started by ``live_platform``."""

from __future__ import annotations

import io
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
DOCS_IMAGES = ROOT / "docs" / "images"


def keep_for_docs(path: Path, name: str) -> None:
    """Copy a screenshot to the README's pictures (docs/images)."""
    DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, DOCS_IMAGES / name)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
CJK_FONT_SC = 2  # index of the Simplified Chinese face in the collection
LATIN_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
# Generous: the real engine shares two cores with the rest of the suite.
OCR_TIMEOUT_MS = 240_000


def text_png(lines: list[str], *, chinese: bool = False, size: int = 34, background="white") -> bytes:
    """A PNG of ``lines`` in a font the engine reads well."""
    font = ImageFont.truetype(CJK_FONT, size, index=CJK_FONT_SC) if chinese else ImageFont.truetype(LATIN_FONT, size)
    height = int(size * 1.9) * len(lines) + size
    image = Image.new("RGB", (max(640, int(size * 0.75 * max(len(line) for line in lines)) + 80), height), background)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((30, size // 2 + int(size * 1.9) * i), line, font=font, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@contextmanager
def launched_chromium(*extra_args: str):
    """Debian's Chromium, headless, driven by Playwright, for as long as the
    block runs.

    Playwright's sync API keeps an event loop in this thread, which makes
    Django refuse ORM calls from the test body. The test process only
    prepares data (the platform runs in its own processes, whose
    environment was fixed when they started), and the check is restored
    when the browser closes so the rest of the suite keeps it.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=[*CHROMIUM_ARGS, *extra_args])
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def outside_the_event_loop(function, *args, **kwargs):
    """Call ``function`` in a thread of its own and return its result.

    For platform code that pushes live-feed events from the test body:
    ``async_to_sync`` refuses to run in a thread with a running event loop,
    and Playwright's sync API keeps one in this thread."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def call():
        try:
            return function(*args, **kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


@pytest.fixture(scope="module")
def browser(live_platform):
    with launched_chromium() as browser:
        yield browser


@pytest.fixture
def open_context(browser, live_platform):
    """A new browser context (a separate person); closed after the test."""
    contexts = []
    # The pages must work under the platform's Content-Security-Policy
    # (no inline scripts): Chromium reports every refusal on the console.
    refusals: list[str] = []

    def watch_console(message):
        if "Content Security Policy" in message.text:
            refusals.append(message.text)

    def open_(**options):
        options.setdefault("base_url", live_platform.url)
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(**options)
        context.set_default_timeout(30_000)
        context.on("page", lambda page: page.on("console", watch_console))
        contexts.append(context)
        return context

    yield open_
    for context in contexts:
        context.close()
    assert refusals == [], refusals


@pytest.fixture
def log_in(open_context):
    """Log ``user`` in through the real login form; returns the page."""

    def log_in_(user, context=None, **options):
        context = context or open_context(**options)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.fill("input[name=username]", user.get_username())
        page.fill("input[name=password]", PASSWORD)
        page.click("form[action$='/accounts/login/'] button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    return log_in_


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(exist_ok=True)

    def save(page, name: str, full_page: bool = True) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return save


@pytest.fixture
def dialogs():
    """Collects every JavaScript dialog a page opens (and dismisses it)."""
    seen: list[str] = []

    def watch(page):
        def on_dialog(dialog):
            seen.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        return seen

    return watch
