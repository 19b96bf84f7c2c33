"""Real documents read faithfully: C-CDA narrative, sections, header and unstructured bodies; PDF reading order,
hyphenation, OCR reports; document dates. Real public samples are in tests/samples (README there)."""

from __future__ import annotations

import base64
import re
import zlib
from datetime import date
from pathlib import Path

import pytest

from priorauth.ingest import IngestError, Limits, read_bytes, read_path
from priorauth.ingest.cases import load_documents
from priorauth.ingest.ccda import CcdaReference, codes
from priorauth.models import Case, Document
from priorauth.pipeline import review
from tests.conftest import packet_case

SAMPLES = Path(__file__).parent / "samples"


def _ccda(*sections: str, header: str = "") -> bytes:
    body = "".join(f"<component>{s}</component>" for s in sections)
    return (f'<?xml version="1.0"?>\n<ClinicalDocument xmlns="urn:hl7-org:v3">{header}<title>Clinic Note</title>'
            f"<component><structuredBody>{body}</structuredBody></component></ClinicalDocument>").encode()


def _section(code: str, title: str, narrative: str) -> str:
    return f'<section><code code="{code}" codeSystem="2.16.840.1.113883.6.1"/><title>{title}</title><text>{narrative}</text></section>'


HPI = """<paragraph>54 yo with low back pain radiating down the left leg since an injury
          8 weeks ago. Taking naproxen 500 mg twice daily for 8 weeks without relief. Denies fever, saddle numbness or bowel/bladder
          incontinence.</paragraph>"""


# --- C-CDA narrative ------------------------------------------------------------------------------------------

def test_xml_whitespace_means_nothing_in_the_narrative():
    """A line wrap inside a paragraph is no sentence break: 'Denies ... bowel/bladder' and 'incontinence' stay one clause."""
    ing = read_bytes(_ccda(_section("10164-2", "HPI", HPI)), name="note.xml")
    assert "Denies fever, saddle numbness or bowel/bladder incontinence." in ing.text
    assert "\n          " not in ing.text and "  " not in ing.text
    r = review(packet_case(ing.to_document("note.xml")))
    assert "bowel_bladder_dysfunction" not in {f.code for f in r.findings}
    assert "bowel_bladder_dysfunction" in {f.code for f in r.ruled_out if f.reason == "negated"}


@pytest.mark.parametrize("sample", ["ccda-progress-note.xml", "ccda-imaging-report.xml", "ccda-allergy-codeine-section.xml"])
def test_pretty_and_collapsed_ccda_read_and_review_the_same(sample):
    pretty = (SAMPLES / sample).read_bytes()
    collapsed = re.sub(rb"\s+", b" ", pretty)
    a, b = read_bytes(pretty, name=sample), read_bytes(collapsed, name=sample)
    assert a.text == b.text and a.sections == b.sections
    ra, rb = (review(packet_case(x.to_document("d"))).model_dump(exclude={"sources"}) for x in (a, b))
    assert ra == rb


def test_table_rows_are_lines_with_cells_separated():
    pretty = (SAMPLES / "ccda-progress-note.xml").read_bytes()
    ing = read_bytes(pretty, name="progress.xml")
    rows = len(re.findall(rb"<tr[\s>]", pretty))
    lines = ing.text.split("\n")
    assert not any(line.startswith("|") or line.endswith("|") for line in lines)
    assert sum(" | " in line for line in lines) >= rows * 0.9  # single-cell rows have no separator
    assert ["Substance | Reaction", "Penicillin | Nausea", "Codeine | Wheezing"] == lines[3:6]


# --- C-CDA sections, header ---------------------------------------------------------------------------------

def test_ccda_codes_are_validated():
    c = codes()
    assert c.sections["48765-2"] == "allergies" and c.documents["18748-4"] == "imaging_report"
    assert set(c.sections.values()) <= c.roles


def test_allergy_list_is_not_a_medication_trial():
    """A fragment without declaration is a C-CDA section; its LOINC code says allergies whatever its title."""
    frag = (SAMPLES / "ccda-allergy-codeine-section.xml").read_bytes()
    assert not frag.lstrip().startswith(b"<?xml")
    ing = read_bytes(frag, name="allergies.xml")
    assert ing.format == "ccda" and "Codeine" in ing.text and "<td" not in ing.text
    assert {s.role for s in ing.sections} == {"allergies"}
    note = Document(id="n", type="progress_note", date=date(2026, 2, 20),
                    text="HPI: low back pain radiating down the left leg for 10 weeks. Home exercise program for 8 weeks.")
    r = review(packet_case(note, ing.to_document("allergies.xml")))
    meds = [c for c in (r.conservative_therapy.components if r.conservative_therapy else []) if c.kind == "medication"]
    assert not meds
    assert not any(s.doc == "allergies.xml" for f in r.findings for s in f.evidence if f.code == "medication")


def test_section_role_comes_from_the_code_not_the_title():
    allergy = _section("48765-2", "Adverse Reactions", "<list><item>Codeine: nausea</item><item>Ibuprofen: rash</item></list>")
    meds = _section("10160-0", "Current Drugs", "<list><item>Gabapentin 300 mg three times daily for 10 weeks</item></list>")
    ing = read_bytes(_ccda(_section("10164-2", "HPI", "<paragraph>Low back pain radiating down the left leg for 10 weeks."
                                                        "</paragraph>"), allergy, meds), name="n.xml")
    assert [s.role for s in ing.sections] == ["hpi", "allergies", "medications"]
    for s in ing.sections:
        assert ing.text[s.start:s.end].startswith(s.title + ":")
    r = review(packet_case(ing.to_document("n.xml")))
    evidence = [s.text for f in r.findings if f.code == "medication" for s in f.evidence]
    assert any("Gabapentin" in e for e in evidence)
    assert not any("Codeine" in e or "Ibuprofen" in e for e in evidence)


def test_plan_and_procedures_sections_are_read_by_role():
    """Titles the sectionizer does not know: the plan's therapy is planned, not received; a listed procedure was done."""
    hpi = _section("10164-2", "HPI", "<paragraph>Low back pain radiating down the left leg for 10 weeks.</paragraph>")
    plan = _section("18776-5", "Next Steps", "<list><item>Physical therapy twice weekly for 6 weeks</item>"
                                             "<item>Lumbar fusion at L4-5</item></list>")
    done = _section("47519-4", "Interventions Done", "<table><tbody><tr><td>Lumbar laminectomy L4-5</td><td>2019</td></tr>"
                                                      "</tbody></table>")
    ing = read_bytes(_ccda(hpi, plan, done), name="n.xml")
    assert [s.role for s in ing.sections] == ["hpi", "plan", "procedures"]
    r = review(packet_case(ing.to_document("n.xml")))
    found = {f.code: [s.text for s in f.evidence] for f in r.findings}
    assert found.get("surgery_planned") == ["Lumbar fusion"] and found.get("prior_spine_surgery") == ["Lumbar laminectomy"]
    assert "physical_therapy" not in found and r.conservative_therapy is None
    assert [(f.code, f.reason) for f in r.ruled_out] == [("physical_therapy", "hypothetical")]


@pytest.mark.parametrize("status, counted", [("Resolved", False), ("Inactive", False), ("Active", True)])
def test_a_problem_list_entry_reads_by_its_status(status, counted):
    """The HL7 samples write problems as 'Pneumonia : Status - Resolved'; a resolved problem is history."""
    hpi = _section("10164-2", "HPI", "<paragraph>Low back pain radiating down the left leg for 10 weeks.</paragraph>")
    problems = _section("11450-4", "Problems", f"<list><item>Left foot drop : Status - {status}</item></list>")
    r = review(packet_case(read_bytes(_ccda(hpi, problems), name="n.xml").to_document("n.xml")))
    assert ("motor_weakness" in {f.code for f in r.findings}) is counted
    if not counted:
        assert ("motor_weakness", "historical") in {(f.code, f.reason) for f in r.ruled_out}


def test_header_gives_date_type_and_author_and_the_case_wins(tmp_path):
    ing = read_path(SAMPLES / "ccda-imaging-report.xml")
    assert (ing.date, ing.doc_type, ing.date_from) == (date(2005, 3, 29), "imaging_report", "C-CDA header effectiveTime")
    assert ing.author
    doc = ing.to_document("mri")
    assert doc.date == date(2005, 3, 29) and doc.type == "imaging_report" and doc.source.date_from
    own = ing.to_document("mri", type="letter", date=date(2026, 1, 2))
    assert (own.date, own.type, own.source.date_from) == (date(2026, 1, 2), "letter", None)
    (tmp_path / "mri.xml").write_bytes((SAMPLES / "ccda-imaging-report.xml").read_bytes())
    raw = load_documents({"id": "c", "documents": [{"id": "a", "path": "mri.xml"},
                                                   {"id": "b", "path": "mri.xml", "date": "2026-01-05"}]}, tmp_path)
    case = Case.model_validate(raw)
    assert [d.date for d in case.documents] == [date(2005, 3, 29), date(2026, 1, 5)]


def test_an_old_ccda_mri_is_not_a_recent_prior_mri():
    """The 2005 report's header date, not the request date, places the MRI on the timeline."""
    report = _ccda(_section("121070", "Findings", "<paragraph>MRI lumbar spine without contrast: L4-5 disc protrusion."
                                                  "</paragraph>"),
                   header='<code code="18748-4"/><effectiveTime value="20050329171504-0500"/>')
    ing = read_bytes(report, name="mri.xml")
    note = Document(id="n", type="progress_note", date=date(2026, 2, 27), text=(
        "HPI: 54 yo with low back pain radiating down the left leg for 10 weeks despite physical therapy for 8 weeks "
        "and naproxen for 8 weeks. Left EHL weakness 4/5."))
    r = review(packet_case(note, ing.to_document("mri.xml")))
    assert "prior_mri_same_region" not in {f.code for f in r.findings}
    undated = review(packet_case(note, ing.to_document("mri.xml", date=date(2026, 2, 1))))
    assert "prior_mri_same_region" in {f.code for f in undated.findings}


# --- unstructured bodies -------------------------------------------------------------------------------------

def test_unstructured_base64_text_body():
    ing = read_path(SAMPLES / "ccda-unstructured-text.xml")
    assert ing.format == "ccda-text" and "CC: Chronic cervical pain" in ing.text
    assert ing.date == date(2020, 4, 20) and ing.author


def _nonxml(payload: bytes, media: str, compression: str = "") -> bytes:
    attr = f' compression="{compression}"' if compression else ""
    return (f'<ClinicalDocument xmlns="urn:hl7-org:v3"><code code="11488-4"/><effectiveTime value="20130801"/>'
            f'<component><nonXMLBody><text mediaType="{media}" representation="B64"{attr}>'
            f"{base64.b64encode(payload).decode()}</text></nonXMLBody></component></ClinicalDocument>").encode()


@pytest.mark.parametrize("compression, pack", [("", lambda b: b), ("DF", lambda b: zlib.compress(b)[2:-4]),
                                               ("ZL", zlib.compress)])
def test_unstructured_pdf_body_is_read_as_a_pdf(compression, pack):
    from priorauth.ingest.pdfwrite import text_pdf

    pdf = text_pdf("Consult: low back pain radiating down the left leg for 8 weeks.\fPage two: EHL weakness 4/5.")
    ing = read_bytes(_nonxml(pack(pdf), "application/pdf", compression), name="consult.xml")
    assert ing.format == "ccda-pdf" and ing.page_count == 2 and "EHL weakness" in ing.text
    assert (ing.date, ing.doc_type) == (date(2013, 8, 1), "consult_note")


def test_an_embedded_pdf_is_read_in_the_limited_child_like_any_pdf(monkeypatch):
    import priorauth.ingest.isolated as isolated
    from priorauth.ingest.pdfwrite import text_pdf

    seen = []
    real = isolated.read_isolated
    monkeypatch.setattr(isolated, "read_isolated", lambda data, *a: seen.append(data[:5]) or real(data, *a))
    ing = read_bytes(_nonxml(text_pdf("Low back pain radiating down the left leg."), "application/pdf"), name="c.xml",
                     isolate=True)
    assert seen == [b"%PDF-"] and ing.format == "ccda-pdf" and ing.date == date(2013, 8, 1) and "left leg" in ing.text


def test_a_large_ccda_is_parsed_in_the_limited_child(monkeypatch):
    import priorauth.ingest as ingest
    import priorauth.ingest.isolated as isolated

    seen = []
    real = isolated.read_isolated
    monkeypatch.setattr(isolated, "read_isolated", lambda data, *a: seen.append(len(data)) or real(data, *a))
    monkeypatch.setattr(ingest, "CCDA_INLINE_BYTES", 10_000)
    small = _ccda(_section("10164-2", "HPI", "<paragraph>Low back pain.</paragraph>"))
    big = (SAMPLES / "ccda-progress-note.xml").read_bytes()
    assert read_bytes(small, name="s.xml", isolate=True).format == "ccda" and seen == []
    ing = read_bytes(big, name="p.xml", isolate=True)
    assert seen == [len(big)] and ing.format == "ccda" and ing.sections and ing.date == date(2005, 3, 29)


def test_a_compressed_body_cannot_inflate_past_the_limit():
    bomb = zlib.compress(b"a" * (3 * 1024 * 1024))
    with pytest.raises(IngestError, match="inflates past the upload limit"):
        read_bytes(_nonxml(bomb, "text/plain", "ZL"), name="bomb.xml", limits=Limits(max_bytes=1024 * 1024))


def test_a_referenced_body_is_never_fetched_and_is_listed_missing(tmp_path):
    with pytest.raises(CcdaReference) as exc:
        read_path(SAMPLES / "ccda-unstructured-reference.xml")
    assert exc.value.reference == "UD_sample.pdf" and "not fetched" in str(exc.value)
    (tmp_path / "ref.xml").write_bytes((SAMPLES / "ccda-unstructured-reference.xml").read_bytes())
    (tmp_path / "note.txt").write_text("HPI: low back pain radiating down the left leg for 10 weeks.")
    case = Case.model_validate(load_documents({"id": "c", "documents": [{"id": "ref", "path": "ref.xml"},
                                                                        {"id": "n", "path": "note.txt"}]}, tmp_path))
    assert [u.reference for u in case.unreadable] == ["UD_sample.pdf"]
    r = review(case)
    assert any("ref" in m and "UD_sample.pdf" in m for m in r.missing)


@pytest.mark.parametrize("data, fmt", [
    (b"<section><code code='48765-2'/><title>Allergies</title><text>Codeine</text></section>", "ccda"),
    (b"<?xml version='1.0'?>\n<section xmlns='urn:hl7-org:v3'><title>Plan</title><text>PT</text></section>", "ccda"),
    (b"<section><h2>Plan</h2><p>Physical therapy twice weekly.</p></section>", "text"),
])
def test_xml_fragments_are_recognised(data, fmt):
    assert read_bytes(data, name="x").format == fmt


# --- PDF: text engine per page, hyphenation, OCR report, dates -------------------------------------------------

LAB_ROWS = [["TESTS", "RESULT", "FLAG", "UNITS", "REFERENCE INTERVAL", "LAB"],
            ["Sedimentation Rate", "48", "High", "mm/hr", "0-20", "01"],
            ["C-Reactive Protein", "12.1", "High", "mg/L", "0.0-4.9", "01"],
            ["White Blood Cell Count", "13.9", "High", "x10E3/uL", "3.4-10.8", "01"]]


def test_a_form_pdf_reads_in_row_order():
    """Cells drawn right to left: pypdf glues them backwards, the per-page score picks PDFium's ordered rows."""
    from priorauth.ingest.pdftext import score
    from priorauth.ingest.pdfwrite import form_pdf, text_pdf

    ing = read_bytes(form_pdf(LAB_ROWS, [130, 60, 50, 60, 120, 40]), name="lab.pdf")
    assert ing.engines == ["pdfium"]
    lines = ing.text.split("\n")
    assert lines[:2] == ["TESTS RESULT FLAG UNITS REFERENCE INTERVAL LAB", "Sedimentation Rate 48 High mm/hr 0-20 01"]
    assert "LABREFERENCE" not in ing.text
    assert score("TESTS RESULT FLAG") > score("LABREFERENCE INTERVALUNITSFLAGRESULTTESTS") + 0.5
    assert read_bytes(text_pdf("Low back pain radiating down the left leg for eight weeks."), name="n.pdf").engines == ["pypdf"]


def test_a_real_lab_report_reads_in_column_order():
    ing = read_path(SAMPLES / "labcorp-ana-report-p2.pdf")
    assert ing.engines == ["pdfium"]
    assert "TESTS RESULT FLAG UNITS REFERENCE INTERVAL LAB" in ing.text and "LABREFERENCE" not in ing.text


def test_a_real_narrative_pdf_keeps_pypdf_and_its_dates():
    ing = read_path(SAMPLES / "discharge-summary-2009.pdf")
    assert ing.engines == ["pypdf"] * 3 and ing.page_count == 3
    assert (ing.date, ing.date_from) == (date(2009, 3, 26), "the note's header")


HYPHENATED = ("The patient has no known history of malignan-\ncy and reports well-\ndefined pain at L4-\n5 with T2-\n"
              "weighted changes; gabapen-\ntin helped.")


def test_hyphenated_line_ends_are_rejoined_only_into_words():
    from priorauth.ingest.hyphen import dehyphenate, moved

    text, removed = dehyphenate(HYPHENATED)
    assert "history of malignancy and" in text and "gabapentin helped" in text
    assert "well-\ndefined" in text and "L4-\n5" in text and "T2-\nweighted" in text
    old = HYPHENATED.index("cy and")
    assert text[moved(old, removed):].startswith("cy and")
    assert moved(HYPHENATED.index("malignan-"), removed) == text.index("malignancy")


def test_a_pdf_with_hyphenated_line_ends_reads_whole_words():
    from priorauth.ingest.pdfwrite import text_pdf

    note = "HPI: low back pain. No history of malignan-\ncy. Denies saddle anesthe-\nsia."
    ing = read_bytes(text_pdf(note), name="h.pdf")
    assert "No history of malignancy." in ing.text and "saddle anesthesia." in ing.text
    r = review(packet_case(ing.to_document("h.pdf")))
    assert {"malignancy", "saddle_anesthesia"} <= {f.code for f in r.ruled_out if f.reason == "negated"}


def test_pdf_metadata_dates_a_document_without_a_header_date():
    from pypdf import PdfReader, PdfWriter

    from priorauth.ingest.pdfwrite import text_pdf

    w = PdfWriter(clone_from=PdfReader(__import__("io").BytesIO(text_pdf("Low back pain radiating to the left leg."))))
    w.add_metadata({"/CreationDate": "D:20130315093000-05'00'"})
    buf = __import__("io").BytesIO()
    w.write(buf)
    ing = read_bytes(buf.getvalue(), name="m.pdf")
    assert (ing.date, ing.date_from) == (date(2013, 3, 15), "the file's metadata (created)")
    r = review(packet_case(ing.to_document("m.pdf")))
    assert any("m.pdf states no date" in w and "2013-03-15" in w for w in r.warnings)
    dated = read_bytes(text_pdf("Date of Service: 02/20/2026\nLow back pain."), name="d.pdf")
    assert dated.date == date(2026, 2, 20)


def test_blank_pages_are_not_ocrd_and_ocr_time_is_reported(monkeypatch):
    """A scan of a note and a blank sheet: only the note is OCR'd, its seconds reported, the blank page named."""
    from PIL import Image, ImageDraw, ImageFont

    import priorauth.ingest.scanpage as scanpage

    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 28)
    page = Image.new("L", (1700, 500), 255)
    ImageDraw.Draw(page).text((100, 100), "Low back pain radiating down the left leg.", font=font, fill=0)
    blank = Image.new("L", (1700, 500), 255)
    calls = []
    monkeypatch.setattr(scanpage, "ocr_page", lambda image, label: calls.append(label) or ("Low back pain.", []))
    buf = __import__("io").BytesIO()
    page.save(buf, "PDF", resolution=200, save_all=True, append_images=[blank])
    ing = read_bytes(buf.getvalue(), name="scan.pdf", limits=Limits(ocr_dpi=100))
    assert calls == ["scan.pdf page 1"]
    assert ing.ocr_pages == [1] and len(ing.ocr_seconds) == 1 and ing.ocr_seconds[0] >= 0
    assert ing.blank_pages == [2] and ing.engines == ["ocr", "blank"]
    src = ing.source("scan.pdf")
    assert src.blank_pages == [2] and src.ocr_seconds == ing.ocr_seconds


def test_docx_created_date_dates_a_document_without_a_header_date():
    import datetime as dt
    import io

    import docx

    d = docx.Document()
    d.add_paragraph("Low back pain radiating down the left leg.")
    d.core_properties.created = dt.datetime(2012, 6, 4, 10, 0)
    buf = io.BytesIO()
    d.save(buf)
    ing = read_bytes(buf.getvalue(), name="n.docx")
    assert (ing.date, ing.date_from) == (date(2012, 6, 4), "the file's metadata (created)")


def test_section_roles_follow_a_long_note_cut_in_pieces(monkeypatch):
    import priorauth.extract.pieces as pieces
    from priorauth.models import DocSection, section_role

    text = "Allergies:\nCodeine\n\nMedications:\nGabapentin 300 mg"
    secs = [DocSection(start=0, end=18, role="allergies"), DocSection(start=20, end=len(text), role="medications")]
    monkeypatch.setattr(pieces, "SPLIT_OVER", 10)
    parts = pieces.split_documents([Document(id="d", text=text, sections=secs)], limit=30)
    assert len(parts) == 2
    for _, piece, offset in parts:
        for word, role in (("Codeine", "allergies"), ("Gabapentin", "medications")):
            at = piece.text.find(word)
            if at >= 0:
                assert section_role(piece.sections, at) == role == section_role(secs, at + offset)
