"""Uploaded files: what is accepted, where it is kept (owner-only, outside any web root), and how it is read.

Type is judged from the bytes (magic numbers) as well as the name, never from
the client's Content-Type alone. `read_upload` is the one place that reads a
stored file; priorauth.packet makes it a dated document, as the CLI does.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path



class UploadError(ValueError):
    """A file that cannot be accepted; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Checked:
    filename: str
    kind: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


ACCEPTED = ("PDF", "TIFF", "PNG", "JPEG", "DOCX", "RTF", "HTML", "C-CDA", "text")


def sniff(filename: str, data: bytes) -> str:
    """The kind of file by its bytes (priorauth.ingest's detection); UploadError 415/422 when we cannot read it.

    Text-like formats are cheap, so they are read in full now and a broken one is refused at once;
    PDFs and images (which may need OCR) are only checked for their format and read by the worker.
    """
    from priorauth.ingest import IngestError, read_bytes
    from priorauth.ingest.detect import detect

    try:
        kind = detect(data, filename, filename, None)
    except IngestError as e:
        raise UploadError(str(e), 415) from None
    try:
        if kind == "image":
            from PIL import Image, UnidentifiedImageError

            try:
                with Image.open(io.BytesIO(data)) as im:
                    im.verify()
            except Image.DecompressionBombError:
                raise UploadError(f"{filename}: the image is too large to process safely (more than "
                                  f"{Image.MAX_IMAGE_PIXELS * 2 / 1e6:.0f} megapixels)", 413) from None
            except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
                raise IngestError(f"{filename} is a damaged or unsupported image.") from None
        elif kind != "pdf":
            read_bytes(data, name=filename)
    except IngestError as e:
        raise UploadError(str(e), 415 if kind == "text" else 422) from None  # binary bytes sent as text: wrong type
    return kind


def safe_name(filename: str) -> str:
    name = os.path.basename((filename or "").replace("\\", "/")).strip()
    return "".join(ch if ch.isprintable() else "_" for ch in name)[:200] or "upload"


def check(filename: str, data: bytes, limit: int) -> Checked:
    name = safe_name(filename)
    if not data:
        raise UploadError(f"{name}: the file is empty", 422)
    if len(data) > limit:
        raise UploadError(f"{name}: the file is larger than the limit of {limit // (1024 * 1024)} MB", 413)
    return Checked(name, sniff(name, data), data)


def write_private(path: Path, data: bytes) -> None:
    """Create the file owner-readable only (0600); never overwrite. A full disk is UploadError 507, leaving nothing."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except OSError as e:
        if e.errno in (errno.ENOSPC, errno.EDQUOT):
            raise UploadError(DISK_FULL, 507) from None
        raise
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
    except OSError as e:
        path.unlink(missing_ok=True)
        if e.errno in (errno.ENOSPC, errno.EDQUOT):
            raise UploadError(DISK_FULL, 507) from None
        raise


DISK_FULL = "the service has no room left to store the files; nothing was stored, try again later"


def remove_request_dir(root: Path, request_id: str, file_ids: list[str]) -> None:
    """Undo files written for a request whose database transaction did not commit."""
    for fid in file_ids:
        (root / request_id / fid).unlink(missing_ok=True)
    d = root / request_id
    if d.exists() and not any(d.iterdir()):
        shutil.rmtree(d, ignore_errors=True)


def read_upload(doc_id: str, data: bytes):
    """A stored file read (OCR included) as priorauth.ingest.Ingested; IngestError (a ValueError) names the file only."""
    from priorauth.ingest import read_bytes

    return read_bytes(data, name=doc_id, isolate=True)
