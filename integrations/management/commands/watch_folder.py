"""``python manage.py watch_folder DIR --team SLUG --as USERNAME``: the hot folder."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from integrations import cli
from integrations.hotfolder import HotFolder, Ingestor
from integrations.hotfolder_files import DONE
from recognition.tags import services as tag_services


class Command(BaseCommand):
    help = "Watch a directory (and its subfolders) and upload every image dropped into it to a team."

    def add_arguments(self, parser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--team", required=True, help="Slug of the team the images go to.")
        parser.add_argument("--as", dest="username", required=True, help="User the uploads are made as.")
        parser.add_argument("--after", choices=["done", "leave"], default="done",
                            help="Move handled files to done/ or failed/ inside the directory (default), "
                                 "or leave them in place and remember them.")
        parser.add_argument("--tag", dest="tags", action="append", default=[], metavar="NAME",
                            help="Put this tag on every upload (repeat for several; made when the team lacks it).")
        parser.add_argument("--settle", type=float, default=2.0,
                            help="Seconds a file's size and mtime must stay unchanged before it is read.")
        parser.add_argument("--rescan", type=float, default=30.0,
                            help="Seconds between full rescans (in case file system events were lost).")

    def handle(self, *args, directory: Path, team: str, username: str, after: str, settle: float,
               rescan: float, tags: list[str] | None = None, **options) -> None:
        root = cli.existing_dir(directory)
        if not os.access(root, os.R_OK | os.X_OK) or (after == DONE and not os.access(root, os.W_OK)):
            raise CommandError(f"No permission to {'read and write' if after == DONE else 'read'} {root}.")
        team_obj, user = cli.uploader(team, username)
        try:
            tags = tuple(tag_services.clean_names(tags or []))
        except tag_services.TagRefused as error:
            raise CommandError(str(error)) from error
        watcher = HotFolder(root, Ingestor(team_obj, user, root, after, tags), settle_seconds=settle,
                            rescan_seconds=rescan)
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        watcher.run(stop)
