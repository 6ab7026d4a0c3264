"""Attachments through the request form: what is accepted, what is refused, and that a
refused file never costs the applicant the rest of what they typed."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from permissions.attachments import DOCX
from permissions.models import Attachment, PermissionRequest, User
from permissions.states import Status
from tests.factories import draft_request

from .conftest import assert_error_beside, field_block, request_form_data

pytestmark = pytest.mark.django_db

Browser = Callable[[User], Client]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def _png() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Draft article</w:t></w:r>'
            "</w:p></w:body></w:document>",
        )
    return buffer.getvalue()


ACCEPTED = [
    ("draft-script.pdf", PDF, "application/pdf"),
    ("poster.png", _png(), "image/png"),
    ("photo.jpg", JPEG, "image/jpeg"),
    ("article.docx", _docx(), DOCX),
]


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, "application/octet-stream")


@pytest.mark.parametrize(("name", "content", "content_type"), ACCEPTED)
def test_accepted_file_is_downloadable_by_the_applicant_only(
    name: str,
    content: bytes,
    content_type: str,
    browser: Browser,
    servant: User,
    outsider: User,
    media_root: Path,
) -> None:
    applicant = browser(servant)

    response = applicant.post(
        "/requests/new/", request_form_data(save="", attachments=[_upload(name, content)])
    )

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.content_type, attachment.size) == (
        name,
        content_type,
        len(content),
    )
    url = f"/requests/{attachment.request_id}/attachments/{attachment.pk}/"
    assert f'href="{url}"' in applicant.get(response["Location"]).content.decode()
    download = applicant.get(url)
    assert download.status_code == 200
    assert download["Content-Type"] == content_type
    assert download["Content-Disposition"] == f'attachment; filename="{name}"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == content
    assert browser(outsider).get(url).status_code == 404


def test_stored_file_name_is_chosen_by_the_server(
    browser: Browser, servant: User, media_root: Path
) -> None:
    draft = draft_request(servant)

    browser(servant).post(
        f"/requests/{draft.pk}/edit/",
        request_form_data(save="", attachments=[_upload("../../my secret plan.pdf", PDF)]),
    )

    attachment = Attachment.objects.get()
    stored = Path(attachment.file.path).resolve()
    assert stored.is_relative_to(media_root.resolve())
    assert stored.read_bytes() == PDF
    assert "secret" not in stored.name and "plan" not in stored.name
    assert stored.suffix == ".pdf"
    assert [path for path in media_root.rglob("*") if path.is_file()] == [stored]


def test_files_follow_the_media_root_setting(
    browser: Browser,
    servant: User,
    settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.undo()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    settings.MEDIA_ROOT = str(elsewhere)
    draft = draft_request(servant)
    try:
        browser(servant).post(
            f"/requests/{draft.pk}/edit/",
            request_form_data(save="", attachments=[_upload("script.pdf", PDF)]),
        )
        stored = Path(Attachment.objects.get().file.path).resolve()
        assert stored.is_relative_to(elsewhere.resolve())
    finally:
        for attachment in Attachment.objects.all():
            attachment.file.delete(save=False)


REFUSED = [
    pytest.param(
        "script.pdf",
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64,
        "script.pdf was not attached: its contents are not a PDF file, whatever its name says.",
        id="renamed-executable",
    ),
    pytest.param(
        "long-script.pdf",
        PDF + b"%" * 3000,
        "long-script.pdf was not attached: it is 3.0\xa0KB, and the limit is 2.0\xa0KB.",
        id="oversize",
    ),
    pytest.param(
        "setup.exe",
        b"MZ\x90\x00" + b"\x00" * 32,
        "setup.exe was not attached: only PDF, JPEG, PNG and Word (.docx) files are accepted.",
        id="exe",
    ),
    pytest.param(
        "page.html",
        b"<html><script>alert(1)</script></html>",
        "page.html was not attached: only PDF, JPEG, PNG and Word (.docx) files are accepted.",
        id="html",
    ),
]


@pytest.mark.parametrize(("name", "content", "message"), REFUSED)
@pytest.mark.parametrize("button", ["save", "submit"])
def test_refused_file_keeps_the_draft_and_the_other_files(
    name: str,
    content: bytes,
    message: str,
    button: str,
    browser: Browser,
    servant: User,
    settings,  # type: ignore[no-untyped-def]
    media_root: Path,
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 2048
    applicant = browser(servant)

    response = applicant.post(
        "/requests/new/",
        request_form_data(
            topic="Budget explainer",
            summary="Three points on the development budget.",
            declaration="on",
            attachments=[_upload("poster.png", _png()), _upload(name, content)],
            **{button: ""},
        ),
        follow=True,
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert_error_beside(html, "attachments", message)
    assert "Your request is saved as it stands, but not every file was attached." in html
    draft = PermissionRequest.objects.get()
    assert (draft.status, draft.topic) == (Status.DRAFT, "Budget explainer")
    [kept] = draft.attachments.all()
    assert kept.original_name == "poster.png"
    assert len([path for path in media_root.rglob("*") if path.is_file()]) == 1
    assert 'value="Budget explainer"' in field_block(html, "topic")
    assert "Three points on the development budget." in field_block(html, "summary")
    assert f'href="/requests/{draft.pk}/attachments/{kept.pk}/"' in html
    assert f'action="/requests/{draft.pk}/edit/"' in html


def test_refused_file_on_an_existing_draft_keeps_the_typed_changes(
    browser: Browser, servant: User
) -> None:
    draft = draft_request(servant, topic="Old topic")

    response = browser(servant).post(
        f"/requests/{draft.pk}/edit/",
        request_form_data(topic="New topic", save="", attachments=[_upload("notes.txt", b"hi")]),
        follow=True,
    )

    assert response.redirect_chain == [(f"/requests/{draft.pk}/edit/", 302)]
    assert 'value="New topic"' in field_block(response.content.decode(), "topic")
    assert_error_beside(
        response.content.decode(),
        "attachments",
        "notes.txt was not attached: only PDF, JPEG, PNG and Word (.docx) files are accepted.",
    )
    assert PermissionRequest.objects.get(pk=draft.pk).topic == "New topic"
    assert not Attachment.objects.exists()


def test_applicant_removes_an_attachment_from_a_draft(
    browser: Browser, servant: User, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    applicant = browser(servant)
    draft = draft_request(servant)
    applicant.post(
        f"/requests/{draft.pk}/edit/",
        request_form_data(save="", attachments=[_upload("a.pdf", PDF), _upload("b.png", _png())]),
    )
    first = Attachment.objects.get(original_name="a.pdf")
    stored = Path(first.file.path)

    with django_capture_on_commit_callbacks(execute=True):
        response = applicant.post(
            f"/requests/{draft.pk}/attachments/{first.pk}/remove/", follow=True
        )

    html = response.content.decode()
    assert "a.pdf was removed." in html
    assert [a.original_name for a in Attachment.objects.all()] == ["b.png"]
    # The file goes once the removal is committed, so a rollback would keep it.
    assert not stored.exists()
    assert "b.png" in html
