"""OCR with Tesseract: scanned PDF pages (only those), multi-page fax TIFF, character accuracy, low-confidence words.

Pages are rendered from text with Pillow and a real TrueType font at test time,
kept small (a few lines each) because OCR is the slow part of the suite.
"""

from __future__ import annotations

import difflib
import io
import random
import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from priorauth.ingest import IngestError, Limits, read_bytes
from priorauth.ingest.pdfwrite import text_pdf
from priorauth.pipeline import review
from priorauth.review_page import render_review_page
from tests.conftest import packet_case

FONT = next((p for p in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                         "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf") if Path(p).exists()), None)
pytestmark = [pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr is not installed"),
              pytest.mark.skipif(FONT is None, reason="no TrueType font (fonts-dejavu-core)")]
FAST = Limits(ocr_dpi=200)

# A note written for this test (not from any data set).
CLINICAL = """Orthopedic Spine Consultation
HPI: 61 yo F retired teacher with low back pain radiating into the right
buttock and posterior thigh for 9 weeks. Completed physical therapy twice
weekly for 6 weeks and ibuprofen 600 mg three times daily without relief.
Denies fever, chills, saddle anesthesia or urinary retention.
Exam: Right straight leg raise positive at 45 degrees. Right ankle
plantarflexion 4/5. Right Achilles reflex diminished at 1+.
Assessment: Right S1 radiculopathy. Plan: MRI lumbar spine without contrast."""


def render(text: str, dpi: int = 200) -> Image.Image:
    """A white page with the text in 11 pt DejaVu Sans, as a scanner at `dpi` would see it (cropped to the text)."""
    font = ImageFont.truetype(FONT, round(11 * dpi / 72))
    lines = text.split("\n")
    step, margin = round(16 * dpi / 72), round(0.5 * dpi)
    img = Image.new("L", (round(8.5 * dpi), 2 * margin + step * len(lines)), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((margin, margin + i * step), line, font=font, fill=0)
    return img


def degrade(img: Image.Image, seed: int = 7) -> Image.Image:
    """What a scanner and a fax line do to a page: a slight skew, blur, speckle, then 1-bit thresholding."""
    rnd = random.Random(seed)
    img = img.rotate(0.8, expand=True, fillcolor=255, resample=Image.BICUBIC).filter(ImageFilter.GaussianBlur(0.9))
    px = img.load()
    for _ in range(img.width * img.height // 150):
        px[rnd.randrange(img.width), rnd.randrange(img.height)] = 0 if rnd.random() < 0.5 else 255
    return img.point(lambda v: 0 if v < 150 else 255).convert("1")


def accuracy(expected: str, got: str) -> float:
    """Character accuracy after folding whitespace (line breaks may legitimately differ)."""
    a, b = " ".join(expected.split()), " ".join(got.split())
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def test_ocr_character_accuracy_on_a_rendered_clinical_note():
    buf = io.BytesIO()
    degrade(render(CLINICAL)).save(buf, "PNG")
    ing = read_bytes(buf.getvalue(), name="scan.png", limits=FAST)
    score = accuracy(CLINICAL, ing.text)
    print(f"OCR character accuracy {score:.4f}")
    assert score >= 0.97
    assert ing.format == "image-ocr" and ing.ocr_pages == [1] and ing.page_count == 1
    for w in ing.words:  # every word box maps to a non-blank slice of our text
        assert ing.text[w.start:w.end].strip() and w.page == 1 and w.box[2] > 0
    r = review(packet_case(ing.to_document("scan.png"), age=61))
    assert {"radicular_pain", "physical_therapy", "motor_weakness", "abnormal_reflexes"} <= {f.code for f in r.findings}


def test_a_sideways_page_is_turned_upright_before_reading():
    buf = io.BytesIO()
    render(CLINICAL).rotate(90, expand=True, fillcolor=255).save(buf, "PNG")
    ing = read_bytes(buf.getvalue(), name="sideways.png")
    assert accuracy(CLINICAL, ing.text) >= 0.97


def test_scanned_page_in_a_pdf_is_ocrd_and_the_text_page_is_not():
    from pypdf import PdfReader, PdfWriter

    typed = text_pdf("HPI: 61 yo F with low back pain radiating down the right leg for 9 weeks.\n"
                     "Completed physical therapy for 6 weeks without relief.")
    scan = io.BytesIO()
    render("Exam: Right EHL strength 3/5 with a new right foot drop.\nRight Achilles reflex absent.").save(
        scan, "PDF", resolution=200)
    w = PdfWriter()
    for part in (typed, scan.getvalue()):
        w.append(PdfReader(io.BytesIO(part)))
    # the fax service stamped a thin text layer on the scan: not a reason to skip OCR
    w.pages[1].merge_page(PdfReader(io.BytesIO(text_pdf("RECEIVED 03/01/2026 FROM 555-0100 PAGE 2 OF 2"))).pages[0])
    out = io.BytesIO()
    w.write(out)
    ing = read_bytes(out.getvalue(), name="packet.pdf", limits=FAST)
    assert (ing.format, ing.page_count, ing.ocr_pages) == ("pdf-ocr", 2, [2])
    assert {w.page for w in ing.words} == {2}
    case = packet_case(ing.to_document("packet.pdf"), age=61)
    r = review(case)
    got = {(f.code, s.text): s.page for f in r.findings for s in f.evidence}
    assert got[("physical_therapy", "physical therapy")] == 1
    assert any(code == "motor_weakness" and page == 2 for (code, _), page in got.items())
    for f in r.findings:
        for s in f.evidence:
            assert case.documents[0].text[s.start:s.end] == s.text


def test_multipage_standard_resolution_fax_tiff_with_an_upside_down_page():
    pages = [render("FAX  Page 1 of 2\nHPI: low back pain radiating down the left leg for 8 weeks."),
             render("FAX  Page 2 of 2\nExam: Left EHL strength 3/5 with a new left foot drop.")]
    # standard-mode fax: 204 x 98 dpi, 1-bit, Group 4 -- rows are half as dense as columns
    pages[1] = pages[1].rotate(180)  # fed upside down
    faxed = [p.resize((p.width, p.height * 98 // 200)).convert("1") for p in pages]
    buf = io.BytesIO()
    faxed[0].save(buf, "TIFF", compression="group4", save_all=True, append_images=faxed[1:], dpi=(204, 98))
    ing = read_bytes(buf.getvalue(), name="fax.tif")
    assert (ing.format, ing.page_count, ing.ocr_pages) == ("image-ocr", 2, [1, 2])
    assert accuracy(pages_text := "FAX Page 2 of 2 Exam: Left EHL strength 3/5 with a new left foot drop.",
                    ing.text[ing.pages[1].start:ing.pages[1].end]) >= 0.9, pages_text
    r = review(packet_case(ing.to_document("fax.tif"), age=61))
    weak = next(f for f in r.findings if f.code == "motor_weakness")
    radicular = next(f for f in r.findings if f.code == "radicular_pain")
    assert {s.page for s in weak.evidence} == {2} and {s.page for s in radicular.evidence} == {1}


def test_low_confidence_words_are_marked_on_the_page():
    buf = io.BytesIO()
    render("Exam: Left EHL strength 3/5 with a new left foot drop.").save(buf, "PNG")
    strict = Limits(ocr_dpi=200, low_confidence=101)  # every word falls below: checks the plumbing, not Tesseract
    ing = read_bytes(buf.getvalue(), name="scan.png", limits=strict)
    assert len(ing.low_confidence) == len(ing.words) > 5
    assert read_bytes(buf.getvalue(), name="scan.png", limits=Limits(low_confidence=0)).low_confidence == []
    case = packet_case(ing.to_document("scan.png"), age=61)
    r = review(case)
    assert any(w.startswith("evidence for motor_weakness (scan.png, page 1") and "low confidence" in w for w in r.warnings)
    html = render_review_page(case, r)
    assert html.count('class="lowconf"') + html.count(" lowconf") >= len(ing.words)
    assert "OCR confidence" in html and "scan.png" in html


def test_image_without_text_is_an_error():
    buf = io.BytesIO()
    Image.new("L", (600, 300), 255).save(buf, "PNG")
    with pytest.raises(IngestError, match="blank.png is an image in which OCR found no text"):
        read_bytes(buf.getvalue(), name="blank.png")
    with pytest.raises(IngestError, match="broken.png is a damaged or unsupported image"):
        read_bytes(buf.getvalue()[:60], name="broken.png")


def test_pdfium_is_called_by_one_thread_at_a_time(monkeypatch):
    """The service renders scanned PDFs from several threads; PDFium must never run two calls at once."""
    import threading
    import time

    import pypdfium2

    from priorauth.ingest import pdf as pdf_mod

    buf = io.BytesIO()
    render("Low back pain radiating to the left leg.").save(buf, "PDF", resolution=200)
    active, most, lock = [0], [0], threading.Lock()
    real = pypdfium2.PdfPage.render

    def watched(self, *a, **kw):
        with lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
        time.sleep(0.05)  # long enough that unguarded threads would overlap here
        try:
            return real(self, *a, **kw)
        finally:
            with lock:
                active[0] -= 1

    monkeypatch.setattr(pypdfium2.PdfPage, "render", watched)
    sizes: list[tuple[int, int]] = []
    threads = [threading.Thread(target=lambda: sizes.extend(im.size for _, im in pdf_mod._render(buf.getvalue(), [0], "x", FAST)))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(sizes) == 4 and len(set(sizes)) == 1 and most[0] == 1


def test_a_truncated_image_is_refused_after_letters_were_rendered():
    """WeasyPrint's import turns on Pillow's LOAD_TRUNCATED_IMAGES process-wide; the service renders letters in
    the same process that reads uploads, so after a letter a truncated PNG must still be refused as damaged."""
    from priorauth.service.letters import render_pdf

    assert render_pdf("<p>letter</p>").startswith(b"%PDF")
    buf = io.BytesIO()
    Image.new("L", (600, 300), 255).save(buf, "PNG")
    with pytest.raises(IngestError, match="broken.png is a damaged or unsupported image"):
        read_bytes(buf.getvalue()[:60], name="broken.png")
