"""Hostile files at the reading layer: PDF and image bombs are refused with one sentence, OCR's temporary files stay
private, and a reader that dies (out of memory, killed) fails only its own file.

Every hostile file is generated here by tests/bombs.py (no fixtures on disk); checks that could allocate a lot run
in a subprocess under `resource.setrlimit`.
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from priorauth.ingest import IngestError, read_bytes
from tests import bombs

ROOT = Path(__file__).resolve().parents[1]


def run_limited(code: str, mb: int = 1024, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter whose address space is capped at `mb` MB."""
    prelude = f"import resource; resource.setrlimit(resource.RLIMIT_AS, ({mb << 20}, {mb << 20}))\n"
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env=dict(os.environ, PYTHONPATH=str(ROOT), **(env or {})))


def test_pdf_whose_page_stream_inflates_past_the_limit_is_refused_not_rendered():
    r = run_limited("""
        from priorauth.ingest import IngestError, read_bytes
        from tests.bombs import pdf_content_bomb
        try:
            read_bytes(pdf_content_bomb(80), name="bomb.pdf")
        except IngestError as e:
            print(e)
    """, mb=1024)
    assert r.returncode == 0, r.stderr[-500:]
    assert "bomb.pdf has compressed content on page 1 that inflates past the reading limit" in r.stdout


def test_pdf_page_with_huge_image_is_refused_before_rendering():
    with pytest.raises(IngestError, match=r"bomb.pdf page 1 holds images of 100 megapixels, more than the limit of 89"):
        read_bytes(bombs.pdf_image_bomb(10000), name="bomb.pdf")


def test_png_declaring_gigapixels_is_refused():
    with pytest.raises(IngestError, match="too large to process safely"):
        read_bytes(bombs.png_header_bomb(), name="scan.png")


def test_tiff_later_frame_over_the_pixel_limit_is_refused_before_decoding():
    r = run_limited("""
        from priorauth.ingest import IngestError, read_bytes
        from tests.bombs import tiff_big_second_frame
        try:
            read_bytes(tiff_big_second_frame(30000), name="fax.tif")
        except IngestError as e:
            print(e)
    """, mb=700)
    assert r.returncode == 0, r.stderr[-500:]
    assert "fax.tif page 2 is 30000x30000 pixels, more than the limit of 89 megapixels" in r.stdout


def test_resolution_tag_cannot_stretch_an_image_past_the_pixel_limit():
    with pytest.raises(IngestError, match=r"page 1 is 605692x1000 pixels once its .* dpi resolution is made square"):
        read_bytes(bombs.png_with_dpi((1, 600)), name="fax.png")


def test_a_reader_that_dies_fails_only_its_own_file(monkeypatch):
    """The isolated reader hitting its memory cap (here: too small even to start) is one sentence, not a crash."""
    monkeypatch.setenv("PRIORAUTH_READ_MEMORY_MB", "40")
    with pytest.raises(IngestError, match=r"scan.png could not be read within the reading limits \(40 MB of memory"):
        read_bytes(bombs.png_with_dpi((300, 300), (200, 200)), name="scan.png", isolate=True)


def test_isolated_reader_answers_like_the_in_process_one():
    data = bombs.png_with_dpi((1, 600))
    with pytest.raises(IngestError) as here:
        read_bytes(data, name="fax.png")
    with pytest.raises(IngestError) as there:
        read_bytes(data, name="fax.png", isolate=True)
    assert str(there.value) == str(here.value)


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr is not installed")
def test_ocr_temporary_files_are_private_and_removed(tmp_path):
    """Tesseract's page image and text go to a 0700 directory of the process, gone at exit; old leftovers are removed."""
    system_tmp = tmp_path / "tmp"
    system_tmp.mkdir(mode=0o777)
    os.chmod(system_tmp, 0o777)
    stale = system_tmp / f"priorauth-{os.getuid()}-{socket.gethostname()}-999999999"
    stale.mkdir()
    (stale / "tess_page.txt").write_text("leftover OCR text")
    r = run_limited("""
        import os, stat, tempfile
        from PIL import Image, ImageDraw
        import pytesseract.pytesseract as pt
        from priorauth.ingest.ocr import ocr_page
        seen = []
        real = pt.run_tesseract
        def spy(input_filename, output_filename_base, *a, **k):
            out = real(input_filename, output_filename_base, *a, **k)
            d = os.path.dirname(input_filename)
            seen.append((d, oct(stat.S_IMODE(os.stat(d).st_mode)), sorted(os.listdir(d))))
            return out
        pt.run_tesseract = spy
        img = Image.new("L", (600, 100), 255)
        ImageDraw.Draw(img).text((10, 40), "Low back pain for eight weeks", fill=0)
        ocr_page(img, "page")
        for d, mode, names in seen:
            print(d, mode, len(names))
    """, env={"TMPDIR": str(system_tmp)})
    assert r.returncode == 0, r.stderr[-800:]
    rows = [line.split() for line in r.stdout.splitlines()]
    assert rows and all(Path(d).parent == system_tmp and mode == "0o700" and int(n) >= 1 for d, mode, n in rows)
    assert not stale.exists()
    assert list(system_tmp.iterdir()) == []  # the process's own directory went at exit


def test_private_tmp_directory_is_refused_when_someone_planted_a_symlink(tmp_path, monkeypatch):
    from priorauth.ingest import privatetmp

    base = tmp_path / "data" / "tmp"
    base.mkdir(parents=True)
    (base / f"{socket.gethostname()}-{os.getpid()}").symlink_to(tmp_path)
    monkeypatch.setattr(privatetmp, "_current", None)
    monkeypatch.setattr(privatetmp.tempfile, "tempdir", privatetmp.tempfile.tempdir)
    monkeypatch.setenv("TMPDIR", os.environ.get("TMPDIR", "/tmp"))
    old = os.umask(0o022)
    try:
        with pytest.raises(OSError, match="not a private directory"):
            privatetmp.use_private_tmp(base)
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(base).st_mode) == 0o700


def test_a_reader_over_its_time_limit_is_stopped_with_one_sentence(monkeypatch, tmp_path):
    monkeypatch.setenv("PRIORAUTH_READ_TIMEOUT_S", "0.05")
    with pytest.raises(IngestError, match=r"scan.png took longer than 0.05 s to read and was not read \(PRIORAUTH_READ_TIMEOUT_S\)"):
        read_bytes(bombs.png_with_dpi((300, 300), (200, 200)), name="scan.png", isolate=True)
