"""Small generators of hostile files: decompression bombs and oversized images, built in memory in a second or less.

Each is a few hundred kilobytes at most; what makes it hostile is what a reader would inflate or allocate.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib


def _deflate_zeros(n: int, fill: bytes = b"\0") -> bytes:
    """zlib data that inflates to `n` copies of `fill`, compressed 1 MB at a time (about 1000:1)."""
    z = zlib.compressobj(9)
    chunk = fill * (1 << 20)
    out = [z.compress(chunk) for _ in range(n >> 20)]
    out.append(z.compress(fill * (n & ((1 << 20) - 1))))
    out.append(z.flush())
    return b"".join(out)


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF from numbered object bodies (1-based), with a correct cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def pdf_content_bomb(inflated_mb: int = 80) -> bytes:
    """One page whose content stream (FlateDecode) inflates to `inflated_mb` MB of spaces: past pypdf's 75 MB limit."""
    content = _deflate_zeros(inflated_mb << 20, b" ")
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                 b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
                 _stream(b"/Filter /FlateDecode", content)])


def pdf_image_bomb(side: int = 20000) -> bytes:
    """One page showing a `side` x `side` grey image (FlateDecode): PDFium inflates all of it to render the page."""
    image = _deflate_zeros(side * side, b"\xff")
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                 b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im0 5 0 R >> >> "
                 b"/Contents 4 0 R >>",
                 _stream(b"", b"q 612 0 0 792 0 0 cm /Im0 Do Q"),
                 _stream(b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                         b"/BitsPerComponent 8 /Filter /FlateDecode" % (side, side), image)])


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_bomb(width: int = 50000, height: int = 50000) -> bytes:
    """A tiny PNG that declares `width` x `height` grey pixels (2.5 gigapixels by default)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", zlib.compress(b"\0" * 1024))
            + _png_chunk(b"IEND", b""))


def png_with_dpi(dpi: tuple[int, int], size: tuple[int, int] = (1000, 1000)) -> bytes:
    """A small white PNG whose pHYs tag says `dpi` (x, y): a reader that squares pixels stretches it."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", size, 255).save(buf, "PNG", dpi=dpi)
    return buf.getvalue()


def tiff_big_second_frame(side: int = 30000) -> bytes:
    """A two-page grey TIFF: page 1 is 100x100, page 2 declares `side` x `side` (one uncompressed strip, not stored)."""
    out = io.BytesIO()
    out.write(b"II*\x00" + struct.pack("<I", 8))

    def ifd(width: int, height: int, strip: int, nbytes: int, next_at_end: bool) -> None:
        tags = [(256, 4, width), (257, 4, height), (258, 3, 8), (259, 3, 1), (262, 3, 1), (273, 4, strip),
                (277, 3, 1), (278, 4, height), (279, 4, nbytes)]
        start = out.tell()
        out.write(struct.pack("<H", len(tags)))
        for tag, typ, value in tags:
            out.write(struct.pack("<HHI", tag, typ, 1) + (struct.pack("<HH", value, 0) if typ == 3 else struct.pack("<I", value)))
        nxt = start + 2 + 12 * len(tags) + 4 if next_at_end else 0
        out.write(struct.pack("<I", nxt))

    first_pixels_at = 8 + 2 + 12 * 9 + 4 + 2 + 12 * 9 + 4
    ifd(100, 100, first_pixels_at, 100 * 100, True)
    ifd(side, side, first_pixels_at, 100 * 100, False)
    out.write(b"\xff" * (100 * 100))
    return out.getvalue()


def docx_with_text(paragraphs: int, text: str = "Low back pain for eight weeks despite physical therapy.") -> bytes:
    """A valid DOCX with `paragraphs` paragraphs of `text` (it compresses very well: a large inflated size)."""
    paras = b"".join(f"<w:p><w:r><w:t>{text} Visit {i} ref {hashlib.sha1(str(i).encode()).hexdigest()}.</w:t></w:r></w:p>"
                     .encode() for i in range(paragraphs))  # a digest per paragraph keeps the ratio like a real file's
    body = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            + paras + b"</w:body></w:document>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                   'wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
                   '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                   'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml", body)
    return buf.getvalue()
