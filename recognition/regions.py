"""Reading one rectangle of an upload's image again.

From the result page a member drags a rectangle over the image and either
asks "what does this say" (a quick read: the worker reads the cut-out and
the answer goes back to the page; nothing is stored but the queue's task
record) or keeps the cut-out as a new upload of the same team, which then
goes the way of every upload (``recognition.ingest``).

The rectangle is in the pixels of the stored image as the page shows it
(EXIF orientation applied, which is how uploads record their size).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from ocrspace.errors import Invalid, NotFound
from recognition import engine_gateway, storage
from recognition.ingest import Incoming, Source, ingest
from recognition.models import Upload, UploadStatus
from recognition.services import UploadOutcome, queue_task, resolve_profile
from teams.permissions import require
from teams.roles import Capability

READ_TASK = "recognition.tasks.read_region"
# A cut-out smaller than this on either side holds no readable line.
MIN_SIDE = 8


class RegionRejected(Invalid):
    code = "region_invalid"


@dataclass(frozen=True)
class Region:
    """A rectangle in image pixels: left, top, width, height."""

    x: int
    y: int
    width: int
    height: int

    def clipped_to(self, upload: Upload) -> "Region":
        """The part inside the image; refuses one that is (nearly) outside it."""
        left, top = max(0, self.x), max(0, self.y)
        right, bottom = min(upload.width, self.x + self.width), min(upload.height, self.y + self.height)
        if right - left < MIN_SIDE or bottom - top < MIN_SIDE:
            raise RegionRejected(_("The region must lie on the image and be at least %(side)d pixels on each side.")
                                 % {"side": MIN_SIDE})
        return Region(left, top, right - left, bottom - top)

    def as_list(self) -> list[int]:
        return [self.x, self.y, self.width, self.height]


def _readable(upload: Upload, user) -> None:
    require(user, upload.team, Capability.UPLOAD)
    if upload.hidden:
        raise NotFound(_("No such upload."))
    if upload.status not in (UploadStatus.DONE, UploadStatus.FAILED):
        raise RegionRejected(_("The image is still being read; try the region again when it is done."),
                             "region_not_ready")


def cut_out(upload: Upload, region: Region) -> bytes:
    """The region of the stored image as PNG bytes."""
    from PIL import Image

    try:
        decoded = engine_gateway.decode(storage.read(upload.file_path))
    except engine_gateway.ImageError as error:
        # Pixels are first decoded by the worker: a failed upload's may be damaged.
        raise RegionRejected(_("The image could not be read: %(error)s") % {"error": error}, error.code) from error
    r = region
    part = decoded.array[r.y:r.y + r.height, r.x:r.x + r.width]
    out = io.BytesIO()
    Image.fromarray(part).save(out, "PNG")
    return out.getvalue()


def save_as_upload(upload: Upload, user, region: Region, profile: str | None = None) -> UploadOutcome:
    """Keep the region as a new upload of the same team (deduplicated as
    any other image)."""
    _readable(upload, user)
    region = region.clipped_to(upload)
    stem = upload.original_name.rsplit(".", 1)[0]
    name = f"{stem} ({region.x},{region.y} {region.width}×{region.height}).png"
    return ingest(Incoming(Source.REGION, upload.team, user, name, cut_out(upload, region),
                           profile or upload.profile or None))


def queue_read(upload: Upload, user, region: Region, profile: str | None = None) -> str:
    """Queue a quick read of the region; returns the task id to wait for."""
    _readable(upload, user)
    region = region.clipped_to(upload)
    profile = resolve_profile(upload.team, profile or upload.profile or None)
    return queue_task(READ_TASK, upload.pk, region.as_list(), profile, q_options={"group": "region", "save": True})


def reading(upload: Upload, task_id: str) -> dict | None:
    """The quick read's answer (``status`` done or failed), or None while it
    is pending. Only a region read of this upload is ever answered: another
    task's id is "no such read"."""
    from django_q.models import Task

    task = Task.objects.filter(id=task_id).first()
    if task is None:
        return None
    if task.func != READ_TASK or not task.args or task.args[0] != upload.pk:
        raise NotFound(_("No such region read."))
    answer = task.result if task.success else None
    if not isinstance(answer, dict) or not answer.get("ok"):
        error = answer.get("error") if isinstance(answer, dict) else _("The region could not be read.")
        return {"status": "failed", "error": error}
    fields = ("region", "text", "confidence", "lines", "profile")
    return {"status": "done", **{name: answer[name] for name in fields}}
