"""The reviewer's page: one self-contained HTML file per packet.

Decision banner, criteria checklist with the policy's words, and the notes with
every finding highlighted; clicking a criterion highlights and scrolls to its
evidence. Inline CSS and a little inline JavaScript, no external assets; every
character of note text is escaped (htmltext.highlight).
"""

from __future__ import annotations

import re
from html import escape
from typing import Iterable

from priorauth.codes import code_table
from priorauth.guidelines import ref_of, using
from priorauth.htmltext import Mark, highlight
from priorauth.models import Case, CriterionResult, EvidenceSpan, Finding, Qualifier, Review
from priorauth.rules.policy import policy_text

GROUP_CLASS = {"complaint": "g-complaint", "red_flag": "g-redflag", "conservative": "g-care", "other": "g-other",
               "supporting": "g-other"}
GROUP_LABEL = {"g-redflag": "red flags and neurologic deficits", "g-complaint": "presenting complaint",
               "g-care": "conservative care and course", "g-other": "other indications and limitations"}
ACTION = {"approve": "Approve", "route_to_clinician": "Route to a clinician for review",
          "request_information": "Request the missing information"}

CSS = """
:root{--ink:#1a1a1a;--muted:#555;--line:#c8c8c8}
.timeline li.ruled{text-decoration:line-through;color:var(--muted)}
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:var(--ink);background:#fff}
header.banner{padding:14px 20px;border-bottom:4px solid}
.meets_criteria{background:#e6f4ea;border-color:#1e7b34}.not_met{background:#fff4e0;border-color:#a65f00}
.incomplete{background:#e8f0fe;border-color:#1a56b0}
.banner h1{margin:0 0 4px;font-size:22px}.banner p{margin:2px 0}
main{display:grid;grid-template-columns:minmax(320px,38%) 1fr;gap:0;min-height:80vh}
aside{border-right:1px solid var(--line);padding:12px 16px;overflow:auto;max-height:calc(100vh - 90px);position:sticky;top:0}
section.docs{padding:12px 20px}
h2{font-size:17px;margin:14px 0 6px}h3{font-size:15px;margin:12px 0 4px}
button.crit{display:block;width:100%;text-align:left;border:1px solid var(--line);background:#fafafa;border-radius:6px;
 padding:8px 10px;margin:6px 0;font:inherit;color:inherit;cursor:pointer}
button.crit:focus{outline:3px solid #1a56b0;outline-offset:1px}
button.crit[aria-pressed=true]{background:#fffbd6;border-color:#8a6d00}
.status{font-weight:700;margin-right:6px}.met .status{color:#1e7b34}.not_met_c .status{color:#a65f00}
.not_needed_c{background:#f4f4f4}.not_needed_c .status{color:#666}
.quote{display:block;font-style:italic;color:#333;margin:4px 0 2px;border-left:3px solid var(--line);padding-left:8px}
.loc,.small{color:var(--muted);font-size:12px}.crit .loc,.crit .small{display:block}
pre.note{white-space:pre-wrap;word-wrap:break-word;font:14px/1.55 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
 background:#fcfcfc;border:1px solid var(--line);padding:10px;border-radius:6px}
mark{color:inherit;border-radius:2px;padding:0 1px}
mark.lowconf{background:transparent;text-decoration:underline wavy #c62828;text-decoration-skip-ink:none}
mark.g-redflag{background:#ffd9d9;box-shadow:inset 0 -2px #c62828}mark.g-complaint{background:#dbe9ff;box-shadow:inset 0 -2px #1a56b0}
mark.g-care{background:#dff3df;box-shadow:inset 0 -2px #2e7d32}mark.g-other{background:#efe3fa;box-shadow:inset 0 -2px #6a1b9a}
mark.qual{background:#f6f0ff;box-shadow:inset 0 -1px #6a1b9a}.metby{color:#1e7b34 !important;font-weight:600}
mark.ruled{background:#eee;color:#666;text-decoration:line-through;box-shadow:none}
mark.fuzzy{outline:2px dotted #a65f00}mark.conflict{outline:2px solid #c62828}
mark.active{background:#ffe94d !important;box-shadow:0 0 0 2px #8a6d00;text-decoration:none;color:#000}
mark:focus{outline:3px solid #1a56b0}
.pageno{display:block;color:var(--muted);font-size:12px;margin:8px 0 2px;border-top:1px dashed var(--line)}
table.sources td,table.sources th{border:1px solid var(--line);padding:2px 6px;font-size:12px;text-align:left;vertical-align:top}
table.sources{border-collapse:collapse}.unreadable{color:#c62828}
.legend span{display:inline-block;margin:2px 10px 2px 0}.legend mark{padding:0 6px}
ul.tight{margin:4px 0;padding-left:18px}
.conflict-box{border:2px solid #c62828;background:#fff0f0;padding:6px 10px;border-radius:6px;margin:6px 0}
footer{border-top:1px solid var(--line);padding:10px 20px;color:var(--muted);font-size:12px}
@media print{main{display:block}aside{position:static;max-height:none;border:0}button.crit{break-inside:avoid}
 mark.active{box-shadow:none}header.banner{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""

JS = """
(function(){
  var marks=[].slice.call(document.querySelectorAll('mark[data-marks]'));
  var pos=-1;
  function clear(){document.querySelectorAll('mark.active').forEach(function(m){m.classList.remove('active')});
    document.querySelectorAll('button.crit[aria-pressed=true]').forEach(function(b){b.setAttribute('aria-pressed','false')});}
  function show(ids,btn){clear();var first=null;
    marks.forEach(function(m){var own=m.getAttribute('data-marks').split(' ');
      for(var i=0;i<ids.length;i++){if(own.indexOf(ids[i])>=0){m.classList.add('active');if(!first)first=m;break;}}});
    if(btn)btn.setAttribute('aria-pressed','true');
    if(first){first.scrollIntoView({block:'center'});first.focus({preventScroll:true});}
    return first;}
  document.querySelectorAll('button.crit').forEach(function(b){b.addEventListener('click',function(){
    var ids=(b.getAttribute('data-evidence')||'').split(' ').filter(Boolean);show(ids,b);});});
  document.addEventListener('keydown',function(e){
    if(e.target&&e.target.tagName==='BUTTON'&&(e.key===' '||e.key==='Enter'))return;
    if(e.key==='n'||e.key==='p'){if(!marks.length)return;pos=(pos+(e.key==='n'?1:-1)+marks.length)%marks.length;
      marks[pos].scrollIntoView({block:'center'});marks[pos].focus({preventScroll:true});e.preventDefault();}
    if(e.key==='Escape')clear();});
  window.priorauthShow=show;
})();
"""


def span_id(s: EvidenceSpan) -> str:
    return f"ev-{re.sub(r'[^A-Za-z0-9_-]', '_', s.doc)}-{s.start}-{s.end}"


def _policy_line(start: int) -> int:
    return policy_text().count("\n", 0, start) + 1


def _marks(review: Review) -> dict[str, list[Mark]]:
    """Every highlight, by document: findings by code group, ruled-out struck through, LLM statuses."""
    out: dict[str, list[Mark]] = {}
    conflict_spans = {(c.evidence.doc, c.evidence.start, c.evidence.end): c for c in review.conflicts}

    by_code = code_table().by_code

    def add(f: Finding, extra: str, label: str) -> None:
        group = GROUP_CLASS.get(by_code[f.code].group if f.code in by_code else "other", "g-other")
        quals = f"; qualifiers: {qualifier_summary(f.qualifiers)}" if f.qualifiers else ""
        if f.evidence_total:  # the review kept the first spans of a finding mentioned very often
            quals += f"; the first {len(f.evidence)} of {f.evidence_total} mentions are highlighted"
        for s in f.evidence:
            css = f"{group} {extra}".strip()
            if s.alignment == "fuzzy":
                css += " fuzzy"
            title = f"{f.code}: {label}{quals}" + (f" ({s.alignment} match, needs checking)" if s.alignment == "fuzzy" else "")
            title += f", page {s.page}" if s.page else ""
            if (s.doc, s.start, s.end) in conflict_spans:
                c = conflict_spans[(s.doc, s.start, s.end)]
                css += " conflict"
                title += f"; conflict: LLM says {c.llm}, ConText says {c.context}"
            out.setdefault(s.doc, []).append(Mark(s.start, s.end, css, title, span_id(s)))

    for f in review.findings:
        add(f, "", "present" + (", on exam" if f.exam else "") + f", from {f.source}")
    for f in review.ruled_out:
        add(f, "ruled", f"ruled out ({f.reason})")
    for f in review.needs_checking:
        add(f, "", "needs checking (approximate quote)")
    marked = {m.ident for ms in out.values() for m in ms}
    for f in review.findings:
        for q in f.qualifiers:
            for s in q.evidence:
                if span_id(s) not in marked:
                    marked.add(span_id(s))
                    out.setdefault(s.doc, []).append(Mark(s.start, s.end, "g-other qual", f"{f.code} qualifier: {_qual(q)}", span_id(s)))
    for cr in review.criteria_results:  # spans a bounded finding no longer lists, so a criterion still shows all its own
        for s in cr.evidence:
            if span_id(s) not in marked:
                marked.add(span_id(s))
                out.setdefault(s.doc, []).append(Mark(s.start, s.end, "g-other", f"evidence for {cr.id}", span_id(s)))
    for c in review.conflicts:
        key = (c.evidence.doc, c.evidence.start, c.evidence.end)
        if not any((m.start, m.end) == key[1:] for m in out.get(c.evidence.doc, [])):
            out.setdefault(c.evidence.doc, []).append(Mark(c.evidence.start, c.evidence.end, "g-other conflict",
                                                           f"{c.code}: conflict: LLM says {c.llm}, ConText says {c.context}",
                                                           span_id(c.evidence)))
    return out


def _qual(q: Qualifier) -> str:
    return q.name.replace("_", " ") if q.value is True else f"{q.name.replace('_', ' ')}: {str(q.value).replace('_', ' ')}"


def qualifier_summary(qualifiers: Iterable[Qualifier]) -> str:
    """Qualifiers in words, for tooltips: 'complex, modality: ct'."""
    return ", ".join(dict.fromkeys(_qual(q) for q in qualifiers if q.value is not False))


def _met_by(c: CriterionResult) -> str:
    if c.status != "met" or not c.subitem or c.kind == "documentation":
        return ""
    quote = next((s.text for q in c.qualifiers for s in q.evidence), "")
    said = f" — “{quote}”" if quote else ""
    return f'<span class="small metby">met by {escape(c.subitem)}: {escape(c.subitem_text)}{escape(said)}</span>'


def _criterion(c: CriterionResult, approved: bool = False) -> str:
    ids = " ".join(dict.fromkeys(span_id(s) for s in c.evidence))
    status = "met" if c.status == "met" else "not met"
    css = "met" if c.status == "met" else "not_met_c"
    if c.kind == "limitation" and c.status == "met":
        status, css = "applies", "not_met_c"
    not_needed = approved and c.kind == "indication" and c.status == "not_met"  # another indication carries the case
    if not_needed:
        status, css = "not needed", "not_needed_c"
    quotes = "".join(f'<span class="quote">“{escape(q.text)}”</span>'
                     f'<span class="loc">policy line {_policy_line(q.start)}, characters {q.start}-{q.end}</span>'
                     for q in c.citations)
    evidence = (f'<span class="small">{len(c.evidence)} evidence span(s): '
                + escape("; ".join(dict.fromkeys(f"“{s.text}”" + (f" (p. {s.page})" if s.page else "") for s in c.evidence[:6])))
                + "</span>") if c.evidence else \
        '<span class="small">no note evidence (request data or absence of findings)</span>'
    why = "" if c.status == "met" or c.kind == "limitation" or not_needed else \
        f'<span class="small">Why not: {escape(c.reason)}. Would satisfy it: {escape(c.needed)}.</span>'
    if c.weak_evidence:
        why += f'<span class="small">Evidence too weak to approve on: {escape("; ".join(c.weak_evidence))}.</span>'
    conflict = f'<span class="small">Disputed: {escape(", ".join(c.conflicts))}</span>' if c.conflicts else ""
    study = f" · study {escape(c.study)}" if c.study else ""
    return (f'<button type="button" class="crit {css}" aria-pressed="false" data-criterion="{escape(c.id)}" '
            f'data-evidence="{escape(ids)}"><span class="status">{escape(status)}</span><strong>{escape(c.id)}</strong> '
            f'{escape(c.title)}<span class="small">{escape(c.kind)}{study}</span>{_met_by(c)}{quotes}{evidence}{why}{conflict}</button>')


def _ordered(results: Iterable[CriterionResult]) -> list[CriterionResult]:
    rank = {"documentation": 0, "limitation": 1, "indication": 2, "repeat": 3}
    return sorted(results, key=lambda c: (c.status != "met", rank.get(c.kind, 9)))


def render_review_page(case: Case, review: Review) -> str:
    """The whole page as a string; nothing outside it is needed to display or print it."""
    with using(ref_of(review.policy)):  # its policy text and code groups are those of the guideline version it was reviewed under
        return _page(case, review)


def policy_line(pol) -> str:
    """'title · number · version · effective' of the policy a review applied, and why that version when it says."""
    if pol is None:
        return ""
    version = f" · version {pol.version}" if pol.version else ""
    until = f" until {pol.effective_until}" if pol.effective_until else ""
    note = f" ({pol.version_note})" if pol.version_note else ""
    return f"{pol.title} · {pol.number}{version} · effective {pol.effective}{until}{note}"


def _criteria_html(review: Review) -> str:
    """The criteria checklist; a request spanning guidelines lists each guideline's criteria under its name and version."""
    if not review.parts:
        approved = review.decision == "meets_criteria"
        return "".join(_criterion(c, approved) for c in _ordered(review.criteria_results)) or "<p>No criterion was considered.</p>"
    out = []
    for part in review.parts:
        with using(ref_of(part.policy)):
            items = "".join(_criterion(c, part.decision == "meets_criteria") for c in _ordered(part.criteria_results))
        codes = ", ".join(s.cpt for s in part.studies)
        out.append(f'<h3 class="guideline">{escape(codes)}: {escape(part.decision.replace("_", " "))}</h3>'
                   f'<p class="small">{escape(policy_line(part.policy))}</p>{items or "<p>No criterion was considered.</p>"}')
    return "".join(out)


def _page(case: Case, review: Review) -> str:
    marks = _marks(review)
    d = review.decision
    action = ACTION[review.action]
    detail = ""
    if review.action == "route_to_clinician" and review.reasons:
        first, rest = review.reasons[0], review.reasons[1:]
        detail = (f'<p class="main-reason"><strong>{escape(first)}</strong></p>'
                  + ("<ul class=tight>" + "".join(f"<li>{escape(r)}</li>" for r in rest) + "</ul>" if rest else ""))
    if review.action == "request_information":
        detail = "<ul class=tight>" + "".join(f"<li>{escape(m)}</li>" for m in review.missing) + "</ul>"
    criteria_html = _criteria_html(review)
    conflicts = "".join(f'<div class="conflict-box"><strong>Conflict on {escape(c.code)}</strong>: the LLM reads '
                        f'“{escape(c.evidence.text)}” as {escape(c.llm)}, ConText as {escape(c.context)}.</div>'
                        for c in review.conflicts)
    unverified = ("<h3>Unverified model claims (not counted)</h3><ul class=tight>"
                  + "".join(f"<li>{escape(u.code)}: “{escape(u.quote)}”</li>" for u in review.unverified) + "</ul>") if review.unverified else ""
    ct = review.conservative_therapy
    therapy = (f"<p>Conservative care: {ct.weeks if ct.weeks is not None else 'unknown'} weeks; active: {'yes' if ct.active else 'no'}; "
               f"inactive: {'yes' if ct.inactive else 'no'}; components: "
               f"{escape(', '.join(f'{c.kind} ({c.weeks} wk)' if c.weeks else c.kind for c in ct.components))}.</p>") if ct else \
        "<p>No conservative care of the current episode is documented.</p>"
    docs_html = "".join(
        f'<h3 id="doc-{escape(doc.id)}">{escape(doc.id)} <span class="small">{escape(doc.type or "")} '
        f'{escape(str(doc.date or ""))}</span></h3>{_doc_body(doc, marks.get(doc.id, []))}'
        for doc in case.documents)
    legend = "".join(f'<span><mark class="{k}">{escape(v)}</mark></span>' for k, v in GROUP_LABEL.items())
    legend += '<span><mark class="g-other ruled">ruled out (negated, family, historical, hypothetical)</mark></span>'
    legend += '<span><mark class="g-other qual">qualifier cue (e.g. pathologic, rising PSA)</mark></span>'
    if review.llm:  # these marks exist only when the LLM step ran
        legend += '<span><mark class="g-other fuzzy">approximate quote, needs checking</mark></span>'
        legend += '<span><mark class="g-other conflict">LLM and ConText disagree</mark></span>'
    if any(doc.low_confidence for doc in case.documents):
        legend += '<span><mark class="lowconf">OCR read this word with low confidence: check the page image</mark></span>'
    warnings = ('<ul class="tight warnings">' + "".join(f"<li>Warning: {escape(w)}</li>" for w in review.warnings) + "</ul>") \
        if review.warnings else ""
    pol = review.policy
    llm = (f" · LLM {escape(review.llm.model)}, prompt v{escape(review.llm.prompt_version)} "
           f"({escape(review.llm.prompt_sha256[:12])}), schema {escape(review.llm.schema_sha256[:12])}, status {escape(review.llm.status)}"
           + (f" ({escape(review.llm.reason or '')})" if review.llm.reason else "")) if review.llm else ""
    findings_list = ", ".join(f.code + (" (exam)" if f.exam else "")
                              + (f" [{qualifier_summary(f.qualifiers)}]" if f.qualifiers else "") for f in review.findings) or "none"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Review {escape(review.case_id or "")}: {escape(d)}</title><style>{CSS}</style></head>
<body>
<header class="banner {escape(d)}" role="banner">
<h1>{escape(action)}: {escape(d.replace("_", " "))}</h1>
<p>Case {escape(review.case_id or "")} · criteria: {escape(", ".join(review.criteria) or "none")} ·
requested: {escape(", ".join(case.request.cpt_codes or []) or "no code")} ·
guideline: {escape(", ".join(f"{p.policy.number} {p.policy.version or ''}".strip() for p in (review.parts or [review]) if p.policy) or "none")} · age {escape(str(case.request.patient_age if case.request.patient_age is not None else "unknown"))}</p>
{detail}
{warnings}
<p class="small">This tool never denies: a case that is not approved goes to a clinician or back for information.</p>
</header>
<main>
<aside aria-label="Criteria checklist">
<h2>Criteria</h2>
<p class="small">Click a criterion (or press Enter on it) to highlight its evidence in the notes. Keys: n / p next and previous highlight, Esc clears.</p>
{conflicts}
{criteria_html}
<h2>Findings</h2><p>{escape(findings_list)}</p>
{therapy}
{_timeline(review)}
{unverified}
{_sources(review)}
</aside>
<section class="docs" aria-label="Documents">
<h2>Documents</h2>
<p class="legend">{legend}</p>
{docs_html}
</section>
</main>
<footer>Policy: {escape(" / ".join(policy_line(p.policy) for p in review.parts) if review.parts else policy_line(pol))}
· text sha256 {escape(pol.sha256[:16] if pol else "")} · extractor {escape(review.extractor)}{llm}</footer>
<script>{JS}</script>
</body></html>
"""


STATUS_WORDS = {"found": "found on exam", "reported": "reported"}


def _event_head(e) -> str:
    """'L4-5 prior spine surgery — performed 03/12/2019': its levels, what, its status and its own date."""
    name = " ".join([*e.levels, e.code.replace("_", " ")])
    status = STATUS_WORDS.get(e.status, e.status) if e.status else ("found on exam" if e.source == "exam" else "reported")
    when = f" {e.when:%m/%d/%Y}" if e.when else ""
    result = f", result {e.result.replace('_', ' ')}" if e.result else ""
    return f"{name} — {status}{when}{result}{_span_words(e)}"


def _span_words(e) -> str:
    """', 08/20/2026 to 10/30/2026, 10.1 weeks, no response': when care ran or a symptom began, how long, its response."""
    bits = []
    if e.began and e.ended:
        bits.append(f"{e.began:%m/%d/%Y} to {e.ended:%m/%d/%Y}")
    elif e.began:
        bits.append(f"since {e.began:%m/%d/%Y}")
    if e.weeks is not None:
        bits.append(f"{e.weeks:g} weeks")
    if e.response:
        bits.append(e.response.replace("_", " "))
    return "".join(f", {b}" for b in bits)


def _event_text(e) -> str:
    what = [_event_head(e)]
    if e.polarity < 0 and e.status not in ("declined", "contraindicated"):
        what.append("negated")
    if e.subject != "patient":
        what.append(e.subject.replace("_", " "))
    if e.history_of:
        what.append("history")
    if e.conditional and e.status not in ("planned", "ordered"):
        what.append("planned/hypothetical")
    if e.cause:
        what.append(f"explained by {e.cause}")
    what += [a.replace("_", " ") for a in e.attributes if a in ("contradicted", "before_surgery", "templated_ros")]
    quote = e.evidence[0]
    link = f'<a href="#{escape(span_id(quote))}">“{escape(quote.text)}”</a>'
    return f'<li class="{"counts" if e.counts else "ruled"}">{escape(", ".join(what))}: {link}</li>'


def _timeline(review: Review) -> str:
    """The packet's documents by date with the events each tells; struck-through events do not count."""
    if not review.timeline:
        return ""
    rows = []
    for t in review.timeline:
        items = "".join(_event_text(review.events[i]) for i in t.events)
        rows.append(f'<li><strong>{escape(str(t.date or "undated"))}</strong> {escape(t.doc)} '
                    f'<span class="small">{escape(t.role.replace("_", " "))}</span><ul class=tight>{items}</ul></li>')
    return ('<h2>Timeline</h2><p class="small">Events as each document tells them; struck-through ones do not count '
            '(negated, another person, history, planned, contradicted by a later exam, explained by another cause).</p>'
            f'<ol class="timeline tight">{"".join(rows)}</ol>')


def _doc_body(doc, marks: list[Mark]) -> str:
    """The note text, one block per page when it came from a paginated file, OCR'd low-confidence words marked."""
    marks = list(marks) + [Mark(w.start, w.end, "lowconf", f"OCR confidence {w.confidence:.0f}% on page {w.page}: "
                                "check this word against the page image") for w in doc.low_confidence]
    if not doc.pages or len(doc.pages) == 1:
        return f'<pre class="note">{highlight(doc.text, marks)}</pre>'
    out = []
    for p in doc.pages:
        local = [Mark(max(m.start, p.start) - p.start, min(m.end, p.end) - p.start, m.css,
                      m.title, m.ident if m.start >= p.start else "")
                 for m in marks if m.start < p.end and m.end > p.start]
        out.append(f'<span class="pageno" id="{escape(doc.id)}-page-{p.page}">page {p.page}</span>'
                   f'<pre class="note" data-page="{p.page}">{highlight(doc.text[p.start:p.end], local)}</pre>')
    return "".join(out)


def _sources(review: Review) -> str:
    """The packet's files as received: hash, format, pages, which pages were OCR'd, and any that could not be read."""
    if not review.sources:
        return ""
    rows = []
    for s in review.sources:
        if s.error:
            rows.append(f'<tr class="unreadable"><td>{escape(s.doc)}</td><td colspan="3">could not be read: {escape(s.error)}</td></tr>')
            continue
        timed = [f"{p} ({t:.1f} s)" for p, t in zip(s.ocr_pages, s.ocr_seconds)] if len(s.ocr_seconds) == len(s.ocr_pages) \
            else list(map(str, s.ocr_pages))
        ocr = f"; OCR on page(s) {escape(', '.join(timed))}" if s.ocr_pages else ""
        if s.blank_pages:
            ocr += f"; blank page(s) {escape(', '.join(map(str, s.blank_pages)))} not OCR'd"
        if s.date_from:
            ocr += f"; dated from {escape(s.date_from)}"
        rows.append(f'<tr><td>{escape(s.name or s.doc)}</td><td>{escape(s.format or "")}</td>'
                    f'<td>{s.page_count if s.page_count is not None else ""} page(s){ocr}</td>'
                    f'<td><code title="{escape(s.sha256 or "")}">sha256 {escape((s.sha256 or "")[:16])}…</code></td></tr>')
    return ('<h2>Source files</h2><table class="sources"><tr><th>file</th><th>format</th><th>pages</th><th>hash</th></tr>'
            + "".join(rows) + "</table>")


INDEX_JS = """
(function(){
  var table=document.getElementById('cases'),body=table.tBodies[0],q=document.getElementById('q'),dec=document.getElementById('decision');
  var count=document.getElementById('shown');
  function filter(){var text=q.value.toLowerCase(),d=dec.value,n=0;
    [].forEach.call(body.rows,function(r){var ok=(!d||r.getAttribute('data-decision')===d)&&r.textContent.toLowerCase().indexOf(text)>=0;
      r.hidden=!ok;if(ok)n++;});count.textContent=n;}
  q.addEventListener('input',filter);dec.addEventListener('change',filter);
  [].forEach.call(table.tHead.rows[0].cells,function(th,i){var b=th.querySelector('button');if(!b)return;
    b.addEventListener('click',function(){var asc=th.getAttribute('aria-sort')!=='ascending';
      [].forEach.call(table.tHead.rows[0].cells,function(o){o.removeAttribute('aria-sort')});
      th.setAttribute('aria-sort',asc?'ascending':'descending');
      var rows=[].slice.call(body.rows),num=th.hasAttribute('data-numeric');
      rows.sort(function(a,b){var x=a.cells[i].getAttribute('data-sort')||a.cells[i].textContent,y=b.cells[i].getAttribute('data-sort')||b.cells[i].textContent;
        var c=num?(parseFloat(x)||-1)-(parseFloat(y)||-1):x.localeCompare(y);return asc?c:-c;});
      rows.forEach(function(r){body.appendChild(r)});});});
  filter();
})();
"""


def main_reason_of(review: Review) -> str:
    """One line for the index: what is missing, why it is routed, or which criteria approve it."""
    if review.decision == "incomplete" and review.missing:
        return review.missing[0]
    if review.decision == "not_met" and review.reasons:
        return review.reasons[0]
    return f"met: {', '.join(review.criteria)}" if review.criteria else ""


def render_index(rows: list[tuple[str, object, Review]]) -> str:
    """Batch index: (file name, case or case id, review) per case, with CPT, age, main reason; sortable and filterable."""
    body = []
    for fname, who, r in rows:
        case = who if isinstance(who, Case) else None
        cid = case.id if case else str(who)
        cpt = ", ".join(case.request.cpt_codes or []) if case else ", ".join(s.cpt for s in r.studies)
        age = case.request.patient_age if case else None
        body.append(
            f'<tr class="{escape(r.decision)}" data-decision="{escape(r.decision)}"><td><a href="{escape(fname)}">{escape(cid)}</a></td>'
            f'<td>{escape(r.decision)}</td><td>{escape(ACTION[r.action])}</td><td>{escape(cpt or "-")}</td>'
            f'<td data-sort="{age if age is not None else ""}">{escape(str(age) if age is not None else "-")}</td>'
            f'<td class="reason">{escape(main_reason_of(r))}</td><td>{escape(", ".join(r.criteria) or "-")}</td>'
            f'<td>{len(r.findings)}</td><td>{len(r.ruled_out)}</td><td>{len(r.conflicts)}</td></tr>')
    counts = {k: sum(r.decision == k for _, _, r in rows) for k in ("meets_criteria", "not_met", "incomplete")}
    heads = [("case", False), ("decision", False), ("action", False), ("CPT", False), ("age", True), ("main reason", False),
             ("criteria", False), ("findings", True), ("ruled out", True), ("conflicts", True)]
    head = "".join(f'<th scope="col"{" data-numeric" if num else ""}><button type="button" class="sort">{escape(h)}</button></th>'
                   for h, num in heads)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>priorauth reviews</title><style>{CSS}
table{{border-collapse:collapse;margin:8px 20px 16px}}td,th{{border:1px solid var(--line);padding:4px 10px;text-align:left;vertical-align:top}}
td.reason{{max-width:46em;font-size:13px}}button.sort{{all:unset;cursor:pointer;font-weight:700}}button.sort:focus{{outline:2px solid #1a56b0}}
th[aria-sort=ascending] button.sort::after{{content:" \\25B2"}}th[aria-sort=descending] button.sort::after{{content:" \\25BC"}}
.filters{{margin:12px 20px 0}}.filters input{{font:inherit;padding:3px 6px;width:22em}}</style></head>
<body><header class="banner meets_criteria"><h1>{len(rows)} reviews</h1>
<p>approve {counts["meets_criteria"]} · route to a clinician {counts["not_met"]} · request information {counts["incomplete"]}</p></header>
<p class="filters"><label>Filter <input id="q" type="search" placeholder="case, code, reason..."></label>
<label>Decision <select id="decision"><option value="">all</option><option value="meets_criteria">meets_criteria</option>
<option value="not_met">not_met</option><option value="incomplete">incomplete</option></select></label>
<span class="small"><span id="shown">{len(rows)}</span> shown; click a column heading to sort</span></p>
<table id="cases"><thead><tr>{head}</tr></thead><tbody>
{"".join(body)}</tbody></table><script>{INDEX_JS}</script></body></html>
"""


def safe_filename(case_id: str, suffix: str = "") -> str:
    """A portable file name for a case id: sanitised, cut to 120 characters, then `suffix` (so numbering always changes it)."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", case_id or "case").strip("._") or "case"
    return name[:120] + suffix + ".html"
