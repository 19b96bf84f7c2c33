"""Reading notes from files (no OCR here): encodings, text-layer PDF, DOCX, RTF, HTML, C-CDA, bad files,
cases with `path`, the CLI, and pages on evidence. Every fixture is built at test time."""

from __future__ import annotations

import codecs

import io
import json
import zipfile

import pytest
from typer.testing import CliRunner

from priorauth.batch import ExtractorSpec, run_batch
from priorauth.cli import app
from priorauth.ingest import IngestError, Limits, read_bytes, read_path
from priorauth.ingest.base import reflow
from priorauth.ingest.pdfwrite import text_pdf
from priorauth.models import Case
from priorauth.pipeline import review
from priorauth.review_page import render_review_page
from tests.conftest import packet_case

PAGE1 = ("HPI: 45 yo M with low back pain radiating down the left leg to the foot for 8 weeks. Completed physical "
         "therapy 2x/week for 6 weeks and naproxen 500 mg twice daily without relief. Denies saddle numbness. "
         "No history of cancer.")
PAGE2 = ("Exam: Left EHL strength 3/5 with a new left foot drop. Left Achilles reflex absent.\n"
         "A/P: Left L5 radiculopathy with progressive weakness. MRI lumbar spine without contrast.")
NOTE = PAGE1 + "\n\f" + PAGE2  # a form feed makes the PDF writer start page 2


def spans(r):
    for f in r.findings + r.ruled_out:
        yield from ((f, s) for s in f.evidence)


def check_grounded(case: Case, r) -> None:
    texts = {d.id: d.text for d in case.documents}
    for _, s in spans(r):
        assert texts[s.doc][s.start:s.end] == s.text


# --- text and encodings -------------------------------------------------------------------------------------

@pytest.mark.parametrize("data, encoding", [
    ("\ufeffPatient reports café visits; pain 7/10.\r\n".encode("utf-8"), "utf-8-sig"),
    ("Patient reports café visits; pain 7/10.\r\n".encode("utf-16"), "utf-16"),
    ("Patient reports café visits; pain 7/10.\r\n".encode("cp1252"), "cp1252"),
    ("Patient reports café visits; pain 7/10.\n".encode("utf-8"), "utf-8"),
])
def test_text_encodings_decode_to_the_same_text(data, encoding):
    got = read_bytes(data, name="note.txt")
    assert got.text == "Patient reports café visits; pain 7/10.\n"
    assert (got.format, got.encoding, got.page_count) == ("text", encoding, 1)


def test_cp1252_smart_quotes_and_form_feed_pages():
    got = read_bytes("Pt \u201cfeels worse\u201d\fpage two".encode("cp1252"))
    assert got.text == "Pt \u201cfeels worse\u201d\fpage two"
    assert [(p.page, got.text[p.start:p.end]) for p in got.pages] == [(1, "Pt \u201cfeels worse\u201d"), (2, "page two")]


def test_reflow_joins_only_wrapped_lines_and_keeps_offsets():
    text = ("Denies fever, weight loss, saddle numbness, or bowel incontinence. No\n"
            "history of cancer. Completed physical therapy for six weeks and then\n"
            "Exam:\n"
            "- MRI lumbar spine\n")
    out = reflow(text)
    assert len(out) == len(text)
    assert "No history of cancer" in out and "and then Exam" not in out and "Exam:\n- MRI" in out


# --- text-layer PDF -------------------------------------------------------------------------------------------

def test_text_pdf_is_read_from_its_text_layer_with_pages_and_reviewed():
    ing = read_bytes(text_pdf(NOTE), name="chart.pdf")
    assert (ing.format, ing.page_count, ing.ocr_pages, ing.words) == ("pdf", 2, [], [])
    assert "No history of cancer" in ing.text  # the wrapped line was joined back
    case = packet_case(ing.to_document("chart.pdf"))
    r = review(case)
    check_grounded(case, r)
    assert r.decision == "meets_criteria" and "A.i" in r.criteria
    pages = {(f.code, s.text): s.page for f, s in spans(r)}
    assert pages[("physical_therapy", "physical therapy")] == 1
    assert pages[("motor_weakness", "foot drop")] == 2
    assert {f.code: f.reason for f in r.ruled_out}.get("malignancy") == "negated"
    for _, s in spans(r):
        page = next(p for p in ing.pages if p.page == s.page)
        assert page.start <= s.start < page.end
    assert [(s.format, s.page_count, s.sha256) for s in r.sources] == [("pdf", 2, ing.sha256)]
    html = render_review_page(case, r)
    assert 'data-page="2"' in html and "foot drop" in html and ing.sha256 in html and "(p. 2)" in html


def test_format_comes_from_content_not_the_extension(tmp_path):
    p = tmp_path / "note.txt"
    p.write_bytes(text_pdf(PAGE1))
    assert read_path(p).format == "pdf"
    q = tmp_path / "scan.pdf"
    q.write_text(PAGE1, encoding="utf-8")
    assert read_path(q).format == "text"


# --- DOCX, RTF, HTML, C-CDA -----------------------------------------------------------------------------------

def make_docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("Spine Clinic Note")
    d.add_paragraph(PAGE1)
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "Exam", "Left EHL strength 3/5 with a new left foot drop."
    t.cell(1, 0).text, t.cell(1, 1).text = "Reflexes", "Left Achilles reflex absent."
    d.add_paragraph("A/P: Left L5 radiculopathy. MRI lumbar spine without contrast.")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_docx_paragraphs_and_tables_in_document_order():
    ing = read_bytes(make_docx(), name="letter.docx")
    assert ing.format == "docx" and ing.page_count == 1
    lines = ing.text.split("\n")
    assert lines[0] == "Spine Clinic Note" and lines[1] == PAGE1
    assert lines[2] == "Exam | Left EHL strength 3/5 with a new left foot drop."
    assert lines[4].startswith("A/P:")
    case = packet_case(ing.to_document("letter.docx"))
    r = review(case)
    check_grounded(case, r)
    assert {"motor_weakness", "physical_therapy", "abnormal_reflexes"} <= {f.code for f in r.findings}


RTF = (r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Arial;}}\f0\fs20 {\b HPI:} 45 yo with low back pain radiating "
       r"down the left leg, caf\'e9 worker.\par Exam: Left EHL strength 3/5 with a new left foot drop.\par}")


def test_rtf():
    ing = read_bytes(RTF.encode("ascii"), name="note.rtf")
    assert ing.format == "rtf"
    assert ing.text.splitlines() == ["HPI: 45 yo with low back pain radiating down the left leg, café worker.",
                                     "Exam: Left EHL strength 3/5 with a new left foot drop."]
    r = review(packet_case(ing.to_document("note.rtf")))
    assert {"motor_weakness", "radicular_pain"} <= {f.code for f in r.findings}


@pytest.mark.parametrize("data", [codecs.BOM_UTF8 + RTF.encode("ascii"), RTF.encode("utf-16"),
                                  codecs.BOM_UTF16_BE + RTF.encode("utf-16-be")], ids=["utf8-bom", "utf16-le", "utf16-be"])
def test_rtf_saved_with_a_byte_order_mark_reads_like_plain_rtf(data):
    plain = read_bytes(RTF.encode("ascii"), name="note.rtf").text
    ing = read_bytes(data, name="note.rtf")
    assert ing.format == "rtf" and ing.text == plain and "\x00" not in ing.text and not ing.text.startswith("\u00ef")


HTML = """<!DOCTYPE html><html><head><title>x</title><style>p{color:red}</style><script>var a = "low back pain";</script>
</head><body><h2>History of Present Illness</h2><p>45 yo with low back pain
radiating down the left leg &amp; foot.</p><div>Exam: Left EHL strength 3/5.<br>New left foot drop.</div>
<table><tr><td>BP</td><td>120/80</td></tr></table></body></html>"""


def test_html_keeps_block_boundaries_and_drops_scripts():
    ing = read_bytes(HTML.encode(), name="note.html")
    assert ing.format == "html"
    lines = [x for x in ing.text.split("\n") if x]
    assert lines == ["History of Present Illness", "45 yo with low back pain radiating down the left leg & foot.",
                     "Exam: Left EHL strength 3/5.", "New left foot drop.", "BP | 120/80"]
    assert "var a" not in ing.text and "color" not in ing.text


CCDA = """<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3"><title>Progress Note</title>
<component><structuredBody>
<component><section><code code="10164-2"/><title>History of Present Illness</title>
<text><paragraph>45 yo with low back pain radiating down the left leg for 8 weeks.</paragraph>
<paragraph>Completed physical therapy for 6 weeks without relief.</paragraph></text></section></component>
<component><section><title>Physical Exam</title><text><list><item>Left EHL strength 3/5.</item>
<item>New left <content styleCode="Bold">foot drop</content>.</item></list></text></section></component>
<component><section><title>Medications</title><text><table><thead><tr><th>Drug</th><th>Dose</th></tr></thead>
<tbody><tr><td>naproxen</td><td>500 mg BID</td></tr></tbody></table></text></section></component>
</structuredBody></component></ClinicalDocument>"""


def test_ccda_sections_become_headed_narrative():
    ing = read_bytes(CCDA.encode(), name="summary.xml")
    assert ing.format == "ccda"
    assert ing.text.split("\n\n") == [
        "Progress Note",
        "History of Present Illness:\n45 yo with low back pain radiating down the left leg for 8 weeks.\n"
        "Completed physical therapy for 6 weeks without relief.",
        "Physical Exam:\nLeft EHL strength 3/5.\nNew left foot drop.",
        "Medications:\nDrug | Dose\nnaproxen | 500 mg BID"]
    r = review(packet_case(ing.to_document("summary.xml")))
    assert {"motor_weakness", "physical_therapy", "radicular_pain"} <= {f.code for f in r.findings}


# --- bad files ---------------------------------------------------------------------------------------------------

def _pdf_variant(kind: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    if kind == "zero":
        w = PdfWriter()
    else:
        w = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf(PAGE1))))
        w.encrypt(user_password="secret", algorithm="RC4-128")
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


BAD = {
    "encrypted.pdf": (lambda: _pdf_variant("encrypted"), "encrypted PDF"),
    "zero.pdf": (lambda: _pdf_variant("zero"), "no pages"),
    "corrupt.pdf": (lambda: b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R >> garbage", "damaged PDF"),
    "empty.txt": (lambda: b"", "is empty"),
    "blank.txt": (lambda: b" \n\t\n", "is empty"),
    "old.doc": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "password-protected Microsoft Office"),
    "pic.gif": (lambda: b"GIF89a" + b"\x00" * 100, "unsupported format"),
    "binary.bin": (lambda: bytes(range(256)) * 4, "binary file"),
    "archive.zip": (lambda: _zip({"readme.txt": b"hello"}), "ZIP archive that is not a Word"),
    "bomb.docx": (lambda: _zip({"word/document.xml": b"<w:document/>" + b" " * 3_000_000,
                                "[Content_Types].xml": b"<Types/>"}), "zip bomb"),
    "broken.docx": (lambda: _zip({"word/document.xml": b"<not xml", "[Content_Types].xml": b"<Types/>"}), "damaged DOCX"),
    "other.xml": (lambda: b'<?xml version="1.0"?><invoice><total>3</total></invoice>', "not a C-CDA"),
    "entity.xml": (lambda: b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><ClinicalDocument xmlns="urn:hl7-org:v3">'
                           b'<title>&a;</title></ClinicalDocument>', "refused for safety"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_files_give_one_sentence_naming_the_file(name):
    make, expected = BAD[name]
    with pytest.raises(IngestError) as info:
        read_bytes(make(), name=name, limits=Limits(max_unzipped_bytes=1_000_000))
    msg = str(info.value)
    assert msg.startswith(name) and expected in msg and "\n" not in msg and msg.endswith(".")


def test_size_and_page_limits(tmp_path, monkeypatch):
    pdf = text_pdf(PAGE1 + "\f" + PAGE2)
    with pytest.raises(IngestError, match="chart.pdf has 2 pages, more than the limit of 1"):
        read_bytes(pdf, name="chart.pdf", limits=Limits(max_pages=1))
    from PIL import Image

    scans = io.BytesIO()
    Image.new("L", (100, 100), 255).save(scans, "PDF", save_all=True, append_images=[Image.new("L", (100, 100), 255)])
    with pytest.raises(IngestError, match="scan.pdf has 2 pages without a text layer, more than the OCR limit of 1"):
        read_bytes(scans.getvalue(), name="scan.pdf", limits=Limits(max_ocr_pages=1))  # refused before any OCR
    (tmp_path / "big.txt").write_text("pain " * 300_000)
    monkeypatch.setenv("PRIORAUTH_MAX_UPLOAD_MB", "1")
    with pytest.raises(IngestError, match=r"big.txt is 1.4 MB, more than the limit of 1 MB"):
        read_path(tmp_path / "big.txt")
    with pytest.raises(IngestError, match="missing.pdf does not exist"):
        read_path(tmp_path / "missing.pdf")


def test_error_messages_never_carry_note_text():
    secret = "Patient Jane Roe SSN 123-45-6789 "
    with pytest.raises(IngestError) as info:
        read_bytes(b"<?xml version='1.0'?><x>" + secret.encode() * 20 + b"</x>", name="n.xml")
    assert "Jane" not in str(info.value)


# --- cases with `path`, batch, CLI ------------------------------------------------------------------------------

def _write_packet(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "chart.pdf").write_bytes(text_pdf(NOTE))
    (tmp_path / "notes" / "letter.docx").write_bytes(make_docx())
    (tmp_path / "notes" / "locked.pdf").write_bytes(_pdf_variant("encrypted"))
    req = {"cpt_codes": ["72148"], "patient_age": 45, "request_date": "2026-03-02", "has_standard_written_order": True}
    cases = [
        {"id": "mixed", "request": req, "documents": [{"id": "chart", "type": "progress_note", "path": "notes/chart.pdf"},
                                                      {"id": "locked", "path": "notes/locked.pdf"},
                                                      {"id": "typed", "text": "Patient has low back pain."}]},
        {"id": "none", "request": req, "documents": [{"path": "notes/locked.pdf"}, {"path": "notes/absent.tif"}]},
        {"id": "text", "request": req, "documents": [{"id": "n", "text": PAGE1}]},
    ]
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in cases))
    return path


def test_batch_reads_paths_relative_to_the_cases_file(tmp_path):
    path = _write_packet(tmp_path)
    lines = path.read_text().splitlines()
    mixed, none, text = list(run_batch(lines, ExtractorSpec(), 1, base_dir=path.parent))
    assert mixed["case_id"] == "mixed" and mixed["decision"] == "meets_criteria"
    assert [(s["doc"], s["format"], s["page_count"], s["error"] is None) for s in mixed["sources"]] == \
        [("chart", "pdf", 2, True), ("locked", None, None, False)]
    assert "encrypted PDF" in mixed["sources"][1]["error"]
    assert any("document locked could not be read" in w for w in mixed["warnings"])
    weak = next(f for f in mixed["findings"] if f["code"] == "motor_weakness")
    assert {(e["doc"], e["page"]) for e in weak["evidence"]} == {("chart", 2)}
    assert set(none) == {"case_id", "error", "line"} and none["case_id"] == "none"
    assert "no document of case none could be read" in none["error"] and "absent.tif does not exist" in none["error"]
    assert "decision" in text and text["sources"] == []
    # without a base directory (cases from an untrusted caller) paths are refused
    refused = next(run_batch(lines[:1], ExtractorSpec(), 1, base_dir=None))
    assert "not allowed here" in refused["sources"][0]["error"]


def test_cli_reviews_files_of_several_formats_and_names_the_unreadable(tmp_path):
    _write_packet(tmp_path)
    notes = tmp_path / "notes"
    res = CliRunner().invoke(app, ["review", str(notes / "chart.pdf"), str(notes / "letter.docx"), str(notes / "locked.pdf"),
                                   "--cpt", "72148", "--age", "45", "--request-date", "2026-03-02", "--json"])
    assert res.exit_code == 0, res.output
    r = json.loads(res.stdout[res.stdout.index("{"):])
    assert r["decision"] == "meets_criteria"
    assert [(s["doc"], s["format"]) for s in r["sources"]] == [("chart.pdf", "pdf"), ("letter.docx", "docx"), ("locked.pdf", None)]
    bad = CliRunner().invoke(app, ["review", str(notes / "locked.pdf"), "--cpt", "72148"])
    assert bad.exit_code == 1 and "Traceback" not in bad.output and "encrypted PDF" in bad.output


def test_evaluate_reads_path_cases(tmp_path):
    gold_case = {"id": "g", "request": {"cpt_codes": ["72148"], "patient_age": 45, "request_date": "2026-03-02",
                                        "has_standard_written_order": True},
                 "documents": [{"id": "chart", "path": "chart.pdf"}],
                 "gold": {"decision": "meets_criteria", "findings": [{"code": "motor_weakness"}]}}
    (tmp_path / "chart.pdf").write_bytes(text_pdf(NOTE))
    (tmp_path / "g.jsonl").write_text(json.dumps(gold_case) + "\n")
    res = CliRunner().invoke(app, ["evaluate", str(tmp_path / "g.jsonl"), "--json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout[res.stdout.index("{"):])
    assert summary["cases"] == 1 and summary["decision_accuracy"] == 1.0


def test_check_reads_path_documents_and_reports_unreadable_ones(tmp_path):
    from priorauth.evaluation.check import check_file

    (tmp_path / "chart.pdf").write_bytes(text_pdf(NOTE))
    text = read_bytes(text_pdf(NOTE)).text
    start = text.index("foot drop")
    ok = {"id": "a", "documents": [{"id": "chart", "path": "chart.pdf"}],
          "gold": {"decision": "meets_criteria", "findings": [{"code": "motor_weakness", "evidence": [
              {"doc": "chart", "start": start, "end": start + 9, "text": "foot drop"}]}]}}
    bad = {"id": "b", "documents": [{"id": "x", "path": "gone.pdf"}, {"id": "y", "text": "low back pain"}],
           "gold": {"decision": "incomplete"}}
    (tmp_path / "c.jsonl").write_text(json.dumps(ok) + "\n" + json.dumps(bad) + "\n")
    problems = check_file(tmp_path / "c.jsonl")
    assert [(p["case_id"], "gone.pdf does not exist" in p["problem"]) for p in problems] == [("b", True)]


def test_a_garbled_text_layer_is_not_trusted():
    from priorauth.ingest.pdf import garbled, needs_ocr

    mojibake = "\ue001\ue002\ue003 \ue004\ue005 " * 20 + "Page 1"
    assert garbled(mojibake) and needs_ocr(None, mojibake)
    assert not garbled(PAGE1) and not needs_ocr(None, PAGE1)


@pytest.mark.parametrize("workers", [1, 2])
def test_batch_cli_with_html_pages_for_path_cases(tmp_path, monkeypatch, workers):
    import priorauth.ingest.cases as cases_mod

    path = _write_packet(tmp_path)
    reads: list[str] = []
    real = cases_mod.read_path
    monkeypatch.setattr(cases_mod, "read_path", lambda p, **kw: reads.append(p.name) or real(p, **kw))
    res = CliRunner().invoke(app, ["review", "--cases", str(path), "-o", str(tmp_path / "out.jsonl"), "--html-dir", str(tmp_path / "html"),
                                   "--workers", str(workers)])
    assert res.exit_code == 0, res.output
    if workers == 1:  # one read per document named (two cases name locked.pdf); pages do not read (or OCR) again
        assert sorted(reads) == ["absent.tif", "chart.pdf", "locked.pdf", "locked.pdf"]
    records = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [("error" in r) for r in records] == [False, True, False]
    page = (tmp_path / "html" / "mixed.html").read_text()
    assert 'data-page="2"' in page and "could not be read" in page and "Source files" in page
    assert not (tmp_path / "html" / "none.html").exists()


def test_docx_page_breaks_give_pages():
    import docx

    d = docx.Document()
    d.add_paragraph(PAGE1)
    d.add_page_break()
    d.add_paragraph("Exam: Left EHL strength 3/5 with a new left foot drop.")
    buf = io.BytesIO()
    d.save(buf)
    ing = read_bytes(buf.getvalue(), name="two.docx")
    assert ing.page_count == 2 and ing.page_of(ing.text.index("physical")) == 1
    assert ing.page_of(ing.text.index("foot drop")) == 2 and ing.pages[-1].end == len(ing.text)
    r = review(packet_case(ing.to_document("two.docx")))
    weak = next(f for f in r.findings if f.code == "motor_weakness")
    assert {s.page for s in weak.evidence} == {2}
