"""The one way in: every source describes what it received and hands it here.

The browser and API clients (``/api/uploads/``), ZIP archives (the API and
the bulk importer), the hot folder, the bulk command line and
``/ocr/recognize`` each turn their input into ``Incoming`` items (where it
came from, team, user, name, bytes) and call ``ingest`` for one or
``ingest_each`` for a batch. Both end in ``services.create_upload``, which
checks the role, validates, deduplicates, stores and queues.

A source that already knows an item is refused (an unsafe archive entry, an
unreadable file) passes it as ``Incoming(..., refused=error)``, so a batch
reports every item in its order.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from ocrspace.errors import DomainError, Forbidden, NotFound
from recognition import lanes, services, storage
from recognition.models import Upload
from teams.models import Team

log = logging.getLogger(__name__)


class Source(str, Enum):
    BROWSER = "browser"
    API = "api"
    ZIP = "zip"
    HOT_FOLDER = "hot_folder"
    BULK = "bulk"
    RECOGNIZE = "recognize"
    SHARE = "share"  # the installable app's share target
    REGION = "region"  # a rectangle of another upload, kept as an upload of its own


@dataclass(frozen=True)
class Incoming:
    """One file to ingest, as its source received it."""

    source: Source
    team: Team
    user: object
    name: str
    data: bytes = b""
    profile: str | None = None
    # Tag names (checked by ``tags.services.clean_names`` beforehand), put
    # on the upload whether it is new or found again.
    tags: tuple[str, ...] = ()
    # Set when the source itself refuses the item; ``data`` is then unused.
    refused: DomainError | None = None


@dataclass
class ItemResult:
    """What became of one item: its upload (new or found again), or the
    domain error that refused it."""

    name: str
    upload: Upload | None = None
    created: bool = False
    deduplicated: bool = False
    error: DomainError | None = None

    @property
    def ok(self) -> bool:
        return self.upload is not None

    @property
    def message(self) -> str:
        return self.error.message if self.error is not None else ""


def ingest(item: Incoming) -> services.UploadOutcome:
    """Store and queue one item; raises the domain error that refuses it."""
    if item.refused is not None:
        raise item.refused
    outcome = services.create_upload(item.team, item.user, item.data, item.name, item.profile,
                                     lane=lanes.lane_for(item.source.value))
    if item.tags:
        from recognition.tags import services as tag_services

        tag_services.tag_new_upload(outcome.upload, item.user, item.tags)
    log.info("%s: %s → upload %s (%s)", item.source.value, outcome.upload.original_name, outcome.upload.pk,
             "new" if outcome.created else "seen before")
    return outcome


def ingest_each(items: Iterable[Incoming]) -> list[ItemResult]:
    """Ingest every item; one result per item, a refusal never stopping the
    others. When storage fails, the remaining items are reported as not
    stored instead of being tried against a full disk one by one."""
    results: list[ItemResult] = []
    storage_error: storage.StorageUnavailable | None = None
    for item in items:
        if storage_error is not None and item.refused is None:
            results.append(ItemResult(item.name, error=storage_error))
            continue
        try:
            outcome = ingest(item)
        except (NotFound, Forbidden):
            # Not the item's fault: the requester may not upload at all.
            raise
        except storage.StorageUnavailable as error:
            storage_error = error
            results.append(ItemResult(item.name, error=error))
        except DomainError as error:
            results.append(ItemResult(item.name, error=error))
        else:
            results.append(ItemResult(item.name, upload=outcome.upload, created=outcome.created,
                                      deduplicated=outcome.deduplicated))
    return results
