"""Retention clean-up for cron users (the worker cluster also runs it daily)."""

from django.core.management.base import BaseCommand

from recognition.maintenance import apply_retention


class Command(BaseCommand):
    help = "Delete uploads older than their team's retention (unless pinned) and orphaned files."

    def handle(self, *args, **options) -> None:
        report = apply_retention()
        self.stdout.write(
            f"Removed {report.uploads} upload(s), {report.files} orphan file(s), {report.events} old event(s)."
        )
