"""``ocr_import``: folders, files and ZIP archives into a team."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from integrations import bulk
from recognition import lanes
from recognition.models import Sighting, Upload

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args) -> tuple[str, CommandError | None]:
    out = io.StringIO()
    try:
        call_command("ocr_import", *map(str, args), "--no-progress", stdout=out, stderr=io.StringIO())
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def test_directory_is_imported_recursively(team, member, tmp_path, png, queued):
    folder = tmp_path / "scans"
    (folder / "2024" / "march").mkdir(parents=True)
    (folder / "a.png").write_bytes(png())
    (folder / "2024" / "b.png").write_bytes(png())
    (folder / "2024" / "march" / "c.png").write_bytes(png())
    (folder / ".DS_Store").write_bytes(b"junk")
    (folder / "d.png.part").write_bytes(b"half")

    output, error = run(folder, "--team", team.slug, "--as", member.username)

    assert error is None, output
    assert "New: 3  Duplicates: 0  Rejected: 0" in output
    assert set(Upload.objects.values_list("original_name", flat=True)) == {"a.png", "b.png", "c.png"}
    # A bulk source: one image in the queue, the others wait their turn.
    assert len(queued) == 1 and lanes.waiting().count() == 2
    assert (folder / "a.png").exists(), "the import never touches the source files"


def test_zip_with_a_bad_entry_and_duplicates(team, member, tmp_path, png, zip_of, queued):
    same = png()
    archive = tmp_path / "album.zip"
    archive.write_bytes(zip_of({
        "photos/one.png": same,
        "photos/two.png": png(),
        "photos/again.png": same,
        "readme.txt": b"not an image",
        "../escape.png": png(),
        "__MACOSX/photos/._one.png": b"resource fork",
    }))
    loose = tmp_path / "loose.png"
    loose.write_bytes(png())

    output, error = run(archive, loose, tmp_path / "missing.png", "--team", team.slug, "--as", member.username)

    assert error is not None and "3 rejected" in str(error)
    assert "New: 3  Duplicates: 1  Rejected: 3" in output
    assert f"rejected  {archive}/readme.txt:" in output
    assert f"rejected  {archive}/../escape.png: The entry's path is absolute or leaves the archive" in output
    assert f"rejected  {tmp_path / 'missing.png'}: No such file" in output
    assert Upload.objects.count() == 3 and Sighting.objects.count() == 1
    assert set(Upload.objects.values_list("original_name", flat=True)) == {"one.png", "two.png", "loose.png"}


def test_oversized_archive_is_refused_as_a_whole(team, member, tmp_path, png, zip_of, queued, settings):
    settings.OCRSPACE_ZIP_MAX_TOTAL_BYTES = 100
    archive = tmp_path / "big.zip"
    archive.write_bytes(zip_of({"a.png": png((300, 300)), "b.png": png((300, 300))}))
    output, error = run(archive, "--team", team.slug, "--as", member.username)
    assert error is not None and "larger than" in output
    assert not Upload.objects.exists()


def test_wait_and_output_write_text_and_json(team, member, tmp_path, png, fake_engine, sync_queue):
    source = tmp_path / "in"
    source.mkdir()
    (source / "invoice 1.png").write_bytes(png((200, 50)))
    (source / "b.png").write_bytes(png((90, 30)))
    out_dir = tmp_path / "out"

    output, error = run(source, "--team", team.slug, "--as", member.username, "--output", out_dir)

    assert error is None, output
    assert "New: 2  Duplicates: 0  Rejected: 0  Failed: 0" in output
    upload = Upload.objects.get(original_name="invoice 1.png")
    stem = f"{upload.pk}-invoice_1"
    assert (out_dir / f"{stem}.txt").read_text(encoding="utf-8") == "发票 invoice 200x50\nTotal 42\n"
    data = json.loads((out_dir / f"{stem}.json").read_text(encoding="utf-8"))
    assert data["id"] == upload.pk and data["md5"] == upload.md5 and data["team"] == team.slug
    assert data["text"].startswith("发票") and len(data["lines"]) == 2 and data["lines"][0]["box"]
    assert len(list(out_dir.iterdir())) == 4


def test_ocr_failure_makes_the_exit_code_non_zero(team, member, tmp_path, png, fake_engine, sync_queue):
    fake_engine.recognize = lambda data, **options: (_ for _ in ()).throw(RuntimeError("boom"))
    (tmp_path / "a.png").write_bytes(png())
    output, error = run(tmp_path / "a.png", "--team", team.slug, "--as", member.username, "--wait")
    assert error is not None and "1 failed" in str(error)
    assert "failed    a.png: Recognition failed (RuntimeError)" in output


def test_wait_polls_until_finished(team, member, png, queued):
    from recognition import services

    upload = services.create_upload(team, member, png(), "a.png").upload
    ticks, sleeps = [], []

    def worker_runs_meanwhile(seconds):
        sleeps.append(seconds)
        Upload.objects.filter(pk=upload.pk).update(status="failed", error="x")

    finished = bulk.wait_for([upload.pk], ticks.append, poll_seconds=0.01, sleep=worker_runs_meanwhile)
    assert [u.status for u in finished] == ["failed"] and sum(ticks) == 1 and len(sleeps) == 1


def test_command_errors(team, viewer, tmp_path):
    with pytest.raises(CommandError, match="is only a viewer"):
        call_command("ocr_import", str(tmp_path), "--team", team.slug, "--as", viewer.username)
    with pytest.raises(CommandError, match="No team"):
        call_command("ocr_import", str(tmp_path), "--team", "nope", "--as", viewer.username)
