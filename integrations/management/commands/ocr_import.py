"""``python manage.py ocr_import PATH... --team SLUG --as USERNAME [--wait] [--output DIR]``."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from integrations import bulk, cli
from recognition.models import UploadStatus


class Command(BaseCommand):
    help = "Upload image files, folders (recursively) and ZIP archives to a team."

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--team", required=True, help="Slug of the team the images go to.")
        parser.add_argument("--as", dest="username", required=True, help="User the uploads are made as.")
        parser.add_argument("--wait", action="store_true", help="Wait for the OCR results (polls the database).")
        parser.add_argument("--output", type=Path, metavar="DIR",
                            help="Write <id>-<name>.txt and .json per image when done (implies --wait).")
        parser.add_argument("--timeout", type=float, default=None, help="Give up waiting after this many seconds.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bars.")

    def handle(self, *args, paths: list[Path], team: str, username: str, wait: bool, output: Path | None,
               timeout: float | None, no_progress: bool, **options) -> None:
        from tqdm import tqdm

        team_obj, user = cli.uploader(team, username)
        sources, missing = bulk.collect(paths)
        if not sources and not missing:
            raise CommandError("Nothing to import: the folders hold no files.")
        bar = tqdm(total=sum(s.units for s in sources), unit="file", desc="Uploading", file=sys.stderr,
                   disable=no_progress)
        with bar:
            results = missing + bulk.import_sources(team_obj, user, sources, bar.update)
        summary = bulk.summarise(results)

        uploads = []
        if (wait or output) and summary.upload_ids:
            with tqdm(total=len(summary.upload_ids), unit="image", desc="Recognising", file=sys.stderr,
                      disable=no_progress) as bar:
                uploads = bulk.wait_for(summary.upload_ids, bar.update, timeout=timeout)
            summary.failed = [(u.original_name, u.error) for u in uploads if u.status == UploadStatus.FAILED]
            pending = [u for u in uploads if not u.is_finished]
            summary.failed += [(u.original_name, "still waiting for the worker (timeout)") for u in pending]
        if output and uploads:
            written = bulk.write_outputs(uploads, output)
            self.stdout.write(f"Wrote {len(written) // 2} result(s) to {output}")

        self._report(summary, waited=bool(wait or output))
        if not summary.ok:
            raise CommandError(f"{len(summary.rejected)} rejected, {len(summary.failed)} failed.")

    def _report(self, summary: bulk.Summary, waited: bool) -> None:
        self.stdout.write(f"New: {summary.new}  Duplicates: {summary.duplicates}  Rejected: {len(summary.rejected)}"
                          + (f"  Failed: {len(summary.failed)}" if waited else ""))
        for name, reason in summary.rejected:
            self.stdout.write(f"  rejected  {name}: {reason}")
        for name, reason in summary.failed:
            self.stdout.write(f"  failed    {name}: {reason}")
