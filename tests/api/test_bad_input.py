"""Every bad input is refused with a clear 4xx (or 5xx for storage) and
leaves nothing behind: no upload row, no stored file, nothing queued."""

import io
import struct
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from recognition import storage
from recognition.models import Event, Upload

pytestmark = pytest.mark.django_db


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def nothing_stored(queued):
    yield
    assert not Upload.objects.exists()
    assert not Event.objects.exists()
    assert media_files() == []
    assert queued == []


def post(client, data: bytes, name="shot.png", **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/api/uploads/", {"files": [SimpleUploadedFile(name, data, "image/png")], **extra}, format="multipart")


def truncated_png(png) -> bytes:
    data = png((400, 300))
    return data[: len(data) // 2]


def truncated_jpeg() -> bytes:
    # Noise, so that the scan data (what the cut removes) is most of the file.
    buffer = io.BytesIO()
    Image.effect_noise((400, 300), 64).convert("RGB").save(buffer, "JPEG")
    data = buffer.getvalue()
    return data[: len(data) * 2 // 3]


@pytest.mark.parametrize("case,expected", [
    ("not_image", {415, 400}),
    ("html_as_png", {415, 400}),
    ("truncated", {400}),
    ("truncated_jpeg", {400}),
    ("empty", {400}),
])
def test_bad_files_are_refused(api_for, member, png, nothing_stored, case, expected):
    data = {
        "not_image": b"this is plain text, not an image at all\n" * 20,
        "html_as_png": b"<html><script>alert(1)</script></html>",
        "truncated": truncated_png(png),
        "truncated_jpeg": truncated_jpeg(),
        "empty": b"",
    }[case]
    response = post(api_for(member), data)
    assert response.status_code in expected, response.json()
    body = response.json()
    assert body["failed"] == 1 and body["results"][0]["error"]
    assert "shot.png" in body["detail"]


def test_over_byte_limit_is_413(api_for, member, png, settings, nothing_stored):
    settings.OCRSPACE_MAX_UPLOAD_BYTES = 1000
    response = post(api_for(member), png((400, 400)) + b"\0" * 2000)
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]


def test_over_pixel_limit_is_refused(api_for, member, png, settings, nothing_stored):
    settings.OCRSPACE_MAX_IMAGE_PIXELS = 1000
    response = post(api_for(member), png((200, 200)))
    assert response.status_code == 413
    assert "pixels" in response.json()["detail"]


def test_pixel_bomb_header_is_refused(api_for, member, nothing_stored):
    # A tiny file whose header claims 30000 x 30000 pixels.
    buffer = io.BytesIO()
    Image.new("1", (30000, 30000)).save(buffer, "PNG")
    response = post(api_for(member), buffer.getvalue())
    assert response.status_code == 413


@pytest.mark.parametrize("full,expected", [(True, 507), (False, 503)])
def test_storage_failure(api_for, member, png, monkeypatch, nothing_stored, full, expected):
    def broken(data, path):
        raise storage.StorageUnavailable("The server's storage is full." if full else "Cannot store.", full=full)

    monkeypatch.setattr(storage, "store", broken)
    response = post(api_for(member), png())
    assert response.status_code == expected
    assert response.json()["detail"]


def test_unknown_and_foreign_team_are_404(api_for, member, other_team, png, nothing_stored):
    assert post(api_for(member), png(), team="nope").status_code == 404
    assert post(api_for(member), png(), team=other_team.slug).status_code == 404


def test_mixed_batch_processes_the_good_files(api_for, member, png, queued):
    from django.core.files.uploadedfile import SimpleUploadedFile

    files = [SimpleUploadedFile("good.png", png()), SimpleUploadedFile("bad.png", b"nope"), SimpleUploadedFile("empty.png", b"")]
    response = api_for(member).post("/api/uploads/", {"files": files}, format="multipart")
    assert response.status_code == 207
    assert [r["ok"] for r in response.json()["results"]] == [True, False, False]
    assert list(Upload.objects.values_list("original_name", flat=True)) == ["good.png"]


# --- ZIP archives ------------------------------------------------------------

def post_zip(client, data: bytes, **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/api/uploads/zip/", {"archive": SimpleUploadedFile("batch.zip", data, "application/zip"), **extra}, format="multipart")


def test_zip_with_good_and_bad_entries(api_for, member, png, zip_of, queued, tmp_path):
    data = zip_of({
        "shots/one.png": png(),
        "two.png": png(),
        "../evil.png": png(),
        "/etc/abs.png": png(),
        "C:/win.png": png(),
        "notes.txt": b"not an image",
        "inner.zip": zip_of({"x.png": png()}),
        "disguised.png": zip_of({"y.png": png()}),
        "__MACOSX/._one.png": b"metadata",
        "empty.png": b"",
    })
    response = post_zip(api_for(member), data)
    assert response.status_code == 207, response.json()
    results = {r["name"]: r for r in response.json()["results"]}
    assert set(results) == {"shots/one.png", "two.png", "../evil.png", "/etc/abs.png", "C:/win.png", "notes.txt",
                            "inner.zip", "disguised.png", "empty.png"}
    assert results["shots/one.png"]["ok"] and results["two.png"]["ok"]
    for name in ("../evil.png", "/etc/abs.png", "C:/win.png"):
        assert results[name]["status"] == 400 and "path" in results[name]["error"]
    assert results["inner.zip"]["status"] == 415 and results["disguised.png"]["status"] == 415
    assert not results["notes.txt"]["ok"] and not results["empty.png"]["ok"]
    assert sorted(Upload.objects.values_list("original_name", flat=True)) == ["one.png", "two.png"]
    assert not (tmp_path / "evil.png").exists() and not (Path(settings.MEDIA_ROOT).parent / "evil.png").exists()


def test_zip_entry_count_limit(api_for, member, png, zip_of, settings, nothing_stored):
    settings.OCRSPACE_ZIP_MAX_ENTRIES = 3
    response = post_zip(api_for(member), zip_of({f"{i}.png": png() for i in range(4)}))
    assert response.status_code == 413 and "at most 3" in response.json()["detail"]


def test_zip_bomb_total_size_limit(api_for, member, png, zip_of, settings, nothing_stored):
    # A good image first: the whole archive is still refused, nothing stored.
    settings.OCRSPACE_ZIP_MAX_TOTAL_BYTES = 1024 * 1024
    bomb = zip_of({"ok.png": png(), "a.png": b"\0" * (600 * 1024), "b.png": b"\0" * (600 * 1024)})
    assert len(bomb) < 20_000
    response = post_zip(api_for(member), bomb)
    assert response.status_code == 413 and "unpacked" in response.json()["detail"]


def _lie_about_size(data: bytes, claimed: int) -> bytes:
    """Rewrite the uncompressed size in the local and central headers."""
    raw = bytearray(data)
    local = raw.index(b"PK\x03\x04")
    central = raw.index(b"PK\x01\x02")
    struct.pack_into("<I", raw, local + 22, claimed)
    struct.pack_into("<I", raw, central + 24, claimed)
    return bytes(raw)


def test_zip_headers_claiming_small_sizes_are_not_trusted(api_for, member, zip_of, settings, nothing_stored):
    settings.OCRSPACE_ZIP_MAX_TOTAL_BYTES = 1024 * 1024
    liar = _lie_about_size(zip_of({"a.png": b"\0" * (5 * 1024 * 1024)}), 100)
    assert zipfile.ZipFile(io.BytesIO(liar)).infolist()[0].file_size == 100
    response = post_zip(api_for(member), liar)
    # zipfile stops at the claimed size and the CRC then fails: the entry is
    # reported as damaged, never read past the limits.
    assert response.status_code == 400
    assert "damaged" in response.json()["detail"]


def test_zip_entry_over_byte_limit(api_for, member, png, zip_of, settings, queued):
    settings.OCRSPACE_MAX_UPLOAD_BYTES = 5000
    response = post_zip(api_for(member), zip_of({"big.png": png((300, 300)) + b"\0" * 10_000, "small.png": png()}))
    assert response.status_code == 207
    big = response.json()["results"][0]
    assert big["status"] == 413 and not big["ok"]


def test_not_a_zip(api_for, member, png, nothing_stored):
    response = post_zip(api_for(member), png())
    assert response.status_code == 400 and "ZIP" in response.json()["detail"]
    assert post_zip(api_for(member), b"").status_code == 400


def test_zip_foreign_team_and_viewer(api_for, member, viewer, other_team, png, zip_of, nothing_stored):
    data = zip_of({"a.png": png()})
    assert post_zip(api_for(member), data, team=other_team.slug).status_code == 404
    assert post_zip(api_for(member), data, team="nope").status_code == 404
    assert post_zip(api_for(viewer), data).status_code == 403


def test_zip_all_good(api_for, member, png, zip_of, queued):
    response = post_zip(api_for(member), zip_of({"a.png": png(), "b.png": png()}))
    assert response.status_code == 201 and response.json()["created"] == 2


def test_chinese_names_in_legacy_zip(api_for, member, png, queued):
    # Windows tools in Chinese locales write GBK names without the UTF-8 flag;
    # zipfile always sets the flag, so write a placeholder and patch the bytes.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("abcd.png", png())
    data = buffer.getvalue().replace(b"abcd.png", "报表.png".encode("gbk"))
    response = post_zip(api_for(member), data)
    assert response.json()["results"][0]["name"] == "报表.png"


@pytest.mark.parametrize("path", ["/api/uploads/%0A%C2%AB/", "/api/uploads/12%0A/", "/api/no-such-thing/", "/api/teams/x/nope/"])
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_unknown_api_paths_answer_the_json_404(api_for, member, path, method):
    response = getattr(api_for(member), method)(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json" and response.json() == {"detail": "Not found.", "code": "not_found"}


def test_api_path_without_its_slash_says_so(api_for, member):
    response = api_for(member).get("/api/uploads")
    assert response.status_code == 404 and response.json()["detail"].endswith("end with a slash: /api/uploads/")


def test_blank_or_repeated_team_field_is_refused_not_ignored(api_for, member, png, nothing_stored):
    client = api_for(member)
    assert post(client, png(), team="").status_code == 400
    response = post(client, png(), team=["sales-team", "sales-team"])
    assert response.status_code == 400 and "once" in str(response.json()["errors"])
