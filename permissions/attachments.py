"""What an attachment may be: PDF, JPEG, PNG or DOCX, by content as well as by name."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# extension -> the content type its bytes must show
ALLOWED: dict[str, str] = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".docx": DOCX,
}


class AttachmentRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    size: int
    sha256: str


def _sniff(upload: UploadedFile) -> str | None:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return DOCX
    return None


def check_upload(upload: UploadedFile) -> CheckedFile:
    """Refuse anything but an allowed type whose bytes match its name, within the size limit."""
    name = upload.name or ""
    extension = PurePath(name).suffix.lower()
    if extension not in ALLOWED:
        raise AttachmentRefused(
            _("%(name)s was not attached: only PDF, JPEG, PNG and Word (.docx) files are accepted.")
            % {"name": name}
        )
    limit = settings.ATTACHMENT_MAX_BYTES
    size = upload.size or 0
    if size > limit:
        raise AttachmentRefused(
            _("%(name)s was not attached: it is %(size)s, and the limit is %(limit)s.")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)}
        )
    if size == 0:
        raise AttachmentRefused(_("%(name)s was not attached: the file is empty.") % {"name": name})
    detected = _sniff(upload)
    if detected != ALLOWED[extension]:
        raise AttachmentRefused(
            _(
                "%(name)s was not attached: its contents are not a %(kind)s file, whatever its "
                "name says."
            )
            % {"name": name, "kind": extension.lstrip(".").upper()}
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(content_type=detected, size=size, sha256=digest.hexdigest())
