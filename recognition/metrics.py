"""Prometheus metrics of the OCR pipeline, read from the database at each
scrape (``/metrics``, ``recognition.api.metrics``).

Every process of the platform (web processes, worker clusters on other
machines) writes its state to the same database, so one scrape of any web
process sees all of it; nothing is kept in process memory that a restart or a
second process would lose. The queries are aggregates over indexed columns
plus the last few hundred finished uploads.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Max, Q
from django.utils import timezone
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, SummaryMetricFamily
from prometheus_client.registry import Collector

from recognition.models import Lane, Result, Upload, UploadStatus

RECENT = 500  # finished uploads the latency summaries are taken over
RECENT_WINDOW = timedelta(hours=1)


def _quantiles(values: list[float], qs=(0.5, 0.9, 0.99)) -> list[tuple[str, float]]:
    if not values:
        return []
    ordered = sorted(values)
    return [(str(q), ordered[min(len(ordered) - 1, int(q * len(ordered)))]) for q in qs]


class PipelineCollector(Collector):
    def collect(self):
        yield self._queue()
        yield self._statuses()
        created = CounterMetricFamily(
            "ocrspace_uploads_created", "Uploads ever created (the highest upload id; rate() gives uploads per second).")
        created.add_metric([], float(Upload.objects.aggregate(top=Max("pk"))["top"] or 0))
        yield created
        since = timezone.now() - RECENT_WINDOW
        failed = GaugeMetricFamily("ocrspace_uploads_failed_last_hour", "Uploads that failed in the last hour.")
        failed.add_metric([], Upload.objects.filter(status=UploadStatus.FAILED, finished_at__gte=since).count())
        yield failed
        yield from self._latencies()

    @staticmethod
    def _queue():
        gauge = GaugeMetricFamily(
            "ocrspace_queue_depth", "Uploads waiting or being read, per lane and state (waiting: in the bulk lane, "
            "not yet handed to the queue; queued: in the task queue; processing: being read).",
            labels=["lane", "state"])
        counts = Upload.objects.filter(status__in=(UploadStatus.QUEUED, UploadStatus.PROCESSING), hidden=False).aggregate(
            **{f"{lane}_{state}": Count("pk", filter=Q(lane=lane) & condition)
               for lane in Lane.values
               for state, condition in (
                   ("waiting", Q(status=UploadStatus.QUEUED, enqueued_at__isnull=True)),
                   ("queued", Q(status=UploadStatus.QUEUED, enqueued_at__isnull=False)),
                   ("processing", Q(status=UploadStatus.PROCESSING)))}
        )
        for key, value in sorted(counts.items()):
            lane, state = key.rsplit("_", 1)
            gauge.add_metric([lane, state], value)
        return gauge

    @staticmethod
    def _statuses():
        gauge = GaugeMetricFamily("ocrspace_uploads", "Uploads stored, per status.", labels=["status"])
        found = dict(Upload.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
        for status in UploadStatus.values:
            gauge.add_metric([status], found.get(status, 0))
        return gauge

    @staticmethod
    def _latencies():
        recent = list(
            Upload.objects.filter(status=UploadStatus.DONE, finished_at__isnull=False, enqueued_at__isnull=False)
            .order_by("-finished_at").values_list("pk", "enqueued_at", "started_at", "finished_at")[:RECENT]
        )
        waits = [(started - enqueued).total_seconds() for _, enqueued, started, _ in recent if started]
        totals = [(finished - enqueued).total_seconds() for _, enqueued, _, finished in recent]
        engine = [t.get("total", 0.0) / 1000.0 for t in Result.objects.filter(
            upload_id__in=[pk for pk, *_ in recent], reused=False).values_list("timings", flat=True) if t]
        for name, help_text, values in (
            ("ocrspace_task_wait_seconds", "Time from the queue to a worker, last finished uploads.", waits),
            ("ocrspace_task_latency_seconds", "Time from the queue to the stored text, last finished uploads.", totals),
            ("ocrspace_engine_seconds", "The engine's time per image (reused results left out), last finished uploads.",
             engine),
        ):
            summary = SummaryMetricFamily(name, help_text)
            summary.add_metric([], count_value=len(values), sum_value=sum(values))
            for quantile, value in _quantiles(values):
                summary.add_sample(name, {"quantile": quantile}, value)
            yield summary
