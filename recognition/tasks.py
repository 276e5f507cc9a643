"""Queue entry points run by django-q2 workers.

This module must not import torch at import time: the cluster's parent
imports task modules before forking its workers (see engine_gateway).
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from contextlib import contextmanager

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django_q.utils import close_old_django_connections

from recognition import documents, engine_gateway, lanes, maintenance, processing, storage, thumbnails
from recognition.vocabulary import selectors as vocabulary_selectors

log = logging.getLogger(__name__)


class WorkerStopping(BaseException):
    """SIGTERM arrived during a task. A BaseException, so the task's own
    error handling (and django-q2's) does not turn it into a failed upload."""


@contextmanager
def give_back_on_sigterm(upload_id: int):
    """Stopping the cluster (a service manager sends SIGTERM to all of its
    processes; django-q2 leaves its workers on the default action, so they
    die on the spot) must not strand the upload being recognised in
    ``processing`` until the sweeper notices, minutes later: on SIGTERM the
    upload goes back to the queue, then the worker exits as it would have."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set in the main thread (sync mode, tests)
        return
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        if not stopping:
            stopping = True
            raise WorkerStopping

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    except BaseException:
        if not stopping:
            raise
        # Whatever the signal interrupted may fail in turn: a database call
        # cut off mid-protocol fails its rollback, and that OperationalError
        # replaces WorkerStopping. Once stopping, every way out hands back.
        _hand_back(upload_id)
    finally:
        signal.signal(signal.SIGTERM, previous)
    if stopping:
        # The exception was swallowed where it landed (Python ignores
        # exceptions raised inside ``__del__`` methods), so the task ran to
        # its end; exit now rather than take the next task from a cluster
        # that is gone.
        raise SystemExit(128 + signal.SIGTERM)


def _hand_back(upload_id: int) -> None:
    """Put the upload back in the queue, then exit as SIGTERM would have."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # let the hand-back finish
    storage.discard_own_temporary_files()
    if not connection.in_atomic_block:
        # The interrupted query may have left the connection mid-protocol;
        # the hand-back needs one that answers.
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - a broken connection is dropped either way
            pass
    try:
        outcome = processing.release(upload_id)
        log.warning("Worker stopped during upload %s: %s", upload_id, outcome or "already finished")
    except Exception:  # noqa: BLE001 - the sweeper recovers it later
        log.exception("Could not hand upload %s back to the queue", upload_id)
    raise SystemExit(128 + signal.SIGTERM)


def _db(step, *args, **kwargs):
    """Run one of the task's database steps on a live connection.

    The engine works for seconds while the task's connection sits idle. If
    the database dropped it meanwhile (restart, failover, an administrator's
    ``pg_terminate_backend``), storing the result failed and the upload stayed
    ``processing`` until the sweeper found it, minutes later. So the
    connection is checked (and replaced) first, as Django does between
    requests, and a step that still meets a dropped connection is tried once
    more on a new one: ``complete`` and ``fail`` check the upload's status
    under a row lock, so a second try never writes twice.
    """
    if connection.in_atomic_block:  # inside a caller's transaction (tests): leave its connection alone
        return step(*args, **kwargs)
    close_old_django_connections()
    try:
        return step(*args, **kwargs)
    except (OperationalError, InterfaceError) as error:
        log.warning("Database connection lost in %s (%s); trying again on a new one", step.__name__, error)
        connection.close()
        return step(*args, **kwargs)


def _team_vocabulary(team_id: int):
    """The team's vocabulary for the engine (None without terms), cached by version."""
    version = vocabulary_selectors.version_of(team_id)
    return engine_gateway.vocabulary(team_id, version, lambda: vocabulary_selectors.term_texts(team_id))


def _team_reading(team_id: int, engine) -> dict:
    """What the team taught the engine, as ``recognize`` / ``version_for``
    arguments: its vocabulary and its fine-tuned recognizer for the
    engine's profile (each None when it has none)."""
    from recognition.teaching import selectors as teaching_selectors

    model = teaching_selectors.active_model(team_id, engine.profile)
    recognizer = None
    if model is not None and model.family == engine.config.recognizer.model:
        recognizer = engine_gateway.tuned_recognizer(model.family, model.tag,
                                                     lambda: storage.read(model.weights_path))
    return {"vocabulary": _team_vocabulary(team_id), "recognizer": recognizer}


def run_ocr(upload_id: int) -> str:
    """Recognise one upload and store its result, then hand the bulk lane's
    next upload to the queue (``recognition.lanes``)."""
    with give_back_on_sigterm(upload_id):
        outcome = _run_ocr(upload_id)
    _db(lanes.dispatch)
    return outcome


def _run_ocr(upload_id: int) -> str:
    upload = processing.claim(upload_id, stale_after_seconds=settings.Q_CLUSTER["timeout"])
    if upload is None:
        return "skipped: already handled"
    try:
        data = storage.read(upload.file_path)
    except FileNotFoundError:
        _db(processing.fail, upload_id, "The stored image is missing; upload it again.")
        return "failed: file missing"
    except storage.StorageUnavailable as error:
        # The object store is unreachable for now: back to the queue (the
        # attempt counts), rather than waiting for the sweeper.
        log.warning("Upload %s: the storage cannot be read (%s); queued again", upload_id, error.__cause__ or error)
        return f"released: {_db(processing.release, upload_id)}"
    # Once, here, so the feed and search never load the full image.
    thumbnails.ensure(upload.file_path, data)

    try:
        engine = engine_gateway.get_engine(upload.profile or None)
        reading = _db(_team_reading, upload.team_id, engine)
        previous = _db(processing.reusable_result, upload, engine.version_for(**reading))
        if previous is not None:
            _db(
                # The engine's reading, never another team's correction of it.
                processing.complete, upload, text=previous.engine_text, confidence=previous.confidence,
                lines=previous.lines, engine_version=previous.engine_version, timings={}, reused=True,
                profile=engine.profile, pages=previous.pages,
            )
            return "done: reused"
        if upload.image_type == "pdf":
            return _read_document(upload, data, engine, reading)
        result = engine.recognize(data, **reading)
    except documents.DocumentError as error:
        _db(processing.fail, upload_id, f"The PDF could not be read: {error}")
        return "failed: bad document"
    except engine_gateway.ImageError as error:
        _db(processing.fail, upload_id, f"The image could not be read: {error}")
        return "failed: bad image"
    except Exception as error:  # noqa: BLE001 - a failed task must never leave the upload in "processing"
        log.exception("OCR of upload %s failed", upload_id)
        _db(processing.fail, upload_id, f"Recognition failed ({type(error).__name__}); try re-running it.")
        return "failed: error"

    payload = result.to_dict()
    _db(
        processing.complete,
        upload,
        text=payload["text"],
        confidence=payload["confidence"],
        lines=payload["lines"],
        engine_version=payload["engine_version"],
        timings=payload["timings"],
        profile=payload["profile"],
    )
    engine_gateway.after_task()
    return "done"


def read_region(upload_id: int, region: list[int], profile: str) -> dict:
    """A quick read of one rectangle of an upload's image (``recognition.
    regions``): the text goes back to the page that asked, through the
    queue's result; nothing of the upload changes. Line boxes are in the
    whole image's pixels, so the page can draw them where the region is."""
    from recognition.models import Upload

    upload = _db(Upload.objects.filter(pk=upload_id).only("file_path", "team_id").first)
    if upload is None:
        return {"ok": False, "error": "The upload was deleted."}
    x, y, width, height = region
    try:
        decoded = engine_gateway.decode(storage.read(upload.file_path))
        part = decoded.array[y:y + height, x:x + width]
        engine = engine_gateway.get_engine(profile or None)
        result = engine.recognize(part, **_db(_team_reading, upload.team_id, engine)).to_dict()
    except (FileNotFoundError, storage.StorageUnavailable, engine_gateway.ImageError) as error:
        return {"ok": False, "error": f"The image could not be read: {error}"}
    finally:
        engine_gateway.after_task()
    for line in result["lines"]:
        line.pop("words", None)  # the page shows the region's text; word boxes belong to stored results
        line["box"] = [[px + x, py + y] for px, py in line["box"]]
        for cell in line.get("cells") or []:
            x0, y0, x1, y1 = cell["box"]
            cell["box"] = [x0 + x, y0 + y, x1 + x, y1 + y]
    return {"ok": True, "region": region, "text": result["text"], "confidence": result["confidence"],
            "lines": result["lines"], "profile": result["profile"], "engine_version": result["engine_version"]}


class _Abandoned(Exception):
    """The upload stopped being processed while its pages were read."""


# A page read sooner than this after the last announced one is announced
# with the next (the last page always is): a scanned page takes seconds and
# gets its own event, a born-digital document's hundred text pages do not
# write a hundred events in a second.
PROGRESS_INTERVAL_SECONDS = 0.25


def _live(step, *args):
    """``step`` on the task's connection; once more on a new connection when
    the database dropped it (cheaper than ``_db`` between pages: no close
    and reconnect before every step)."""
    try:
        return step(*args)
    except (OperationalError, InterfaceError) as error:
        log.warning("Database connection lost in %s (%s); trying again on a new one", step.__name__, error)
        connection.close()
        return step(*args)


def _read_document(upload, data: bytes, engine, reading: dict) -> str:
    """Read a PDF page by page (``documents.read``), announcing the pages on
    the feed, and store the document's result."""
    last_announced = time.monotonic()

    def recognize(image):
        return engine.recognize(image, **reading).to_dict()

    def on_page(page: dict, done: int) -> None:
        nonlocal last_announced
        now = time.monotonic()
        if done < upload.page_count and now - last_announced < PROGRESS_INTERVAL_SECONDS:
            return
        last_announced = now
        if not _live(processing.progress, upload, page, done):
            raise _Abandoned

    try:
        payload = documents.read(data, recognize, dpi=settings.OCRSPACE_PDF_DPI,
                                 text_min_chars=settings.OCRSPACE_PDF_TEXT_MIN_CHARS, on_page=on_page)
    except _Abandoned:
        return "skipped: no longer processing"
    _db(
        processing.complete,
        upload,
        text=payload["text"],
        confidence=payload["confidence"],
        lines=payload["lines"],
        pages=payload["pages"],
        engine_version=engine.version_for(**reading),
        timings=payload["timings"],
        profile=engine.profile,
    )
    engine_gateway.after_task()
    return "done"


def finetune_team(model_id: int) -> str:
    """One fine-tuning run (the training lane's only task)."""
    from recognition.teaching import services as teaching

    model = teaching.run_training(model_id)
    return f"{model.status}: {model.reason}"


def apply_retention() -> str:
    report = maintenance.apply_retention()
    return f"removed {report.uploads} upload(s), {report.files} orphan file(s)"


def sweep_stale() -> str:
    return str(maintenance.sweep_stale())
