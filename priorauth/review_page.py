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

from priorauth.codes import BY_CODE
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
.quote{display:block;font-style:italic;color:#333;margin:4px 0 2px;border-left:3px solid var(--line);padding-left:8px}
.loc,.small{color:var(--muted);font-size:12px}.crit .loc,.crit .small{display:block}
pre.note{white-space:pre-wrap;word-wrap:break-word;font:14px/1.55 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
 background:#fcfcfc;border:1px solid var(--line);padding:10px;border-radius:6px}
mark{color:inherit;border-radius:2px;padding:0 1px}
mark.g-redflag{background:#ffd9d9;box-shadow:inset 0 -2px #c62828}mark.g-complaint{background:#dbe9ff;box-shadow:inset 0 -2px #1a56b0}
mark.g-care{background:#dff3df;box-shadow:inset 0 -2px #2e7d32}mark.g-other{background:#efe3fa;box-shadow:inset 0 -2px #6a1b9a}
mark.qual{background:#f6f0ff;box-shadow:inset 0 -1px #6a1b9a}.metby{color:#1e7b34 !important;font-weight:600}
mark.ruled{background:#eee;color:#666;text-decoration:line-through;box-shadow:none}
mark.fuzzy{outline:2px dotted #a65f00}mark.conflict{outline:2px solid #c62828}
mark.active{background:#ffe94d !important;box-shadow:0 0 0 2px #8a6d00;text-decoration:none;color:#000}
mark:focus{outline:3px solid #1a56b0}
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

    def add(f: Finding, extra: str, label: str) -> None:
        group = GROUP_CLASS.get(BY_CODE[f.code].group if f.code in BY_CODE else "other", "g-other")
        quals = f"; qualifiers: {qualifier_summary(f.qualifiers)}" if f.qualifiers else ""
        for s in f.evidence:
            css = f"{group} {extra}".strip()
            if s.alignment == "fuzzy":
                css += " fuzzy"
            title = f"{f.code}: {label}{quals}" + (f" ({s.alignment} match, needs checking)" if s.alignment == "fuzzy" else "")
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


def _criterion(c: CriterionResult) -> str:
    ids = " ".join(dict.fromkeys(span_id(s) for s in c.evidence))
    status = "met" if c.status == "met" else "not met"
    css = "met" if c.status == "met" else "not_met_c"
    if c.kind == "limitation" and c.status == "met":
        status, css = "applies", "not_met_c"
    quotes = "".join(f'<span class="quote">“{escape(q.text)}”</span>'
                     f'<span class="loc">policy line {_policy_line(q.start)}, characters {q.start}-{q.end}</span>'
                     for q in c.citations)
    evidence = (f'<span class="small">{len(c.evidence)} evidence span(s): '
                + escape("; ".join(dict.fromkeys(f"“{s.text}”" for s in c.evidence[:6]))) + "</span>") if c.evidence else \
        '<span class="small">no note evidence (request data or absence of findings)</span>'
    why = "" if c.status == "met" or c.kind == "limitation" else \
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
    marks = _marks(review)
    d = review.decision
    action = ACTION[review.action]
    detail = ""
    if review.action == "route_to_clinician" and review.reasons:
        detail = "<ul class=tight>" + "".join(f"<li>{escape(r)}</li>" for r in review.reasons) + "</ul>"
    if review.action == "request_information":
        detail = "<ul class=tight>" + "".join(f"<li>{escape(m)}</li>" for m in review.missing) + "</ul>"
    criteria_html = "".join(_criterion(c) for c in _ordered(review.criteria_results)) or "<p>No criterion was considered.</p>"
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
        f'{escape(str(doc.date or ""))}</span></h3><pre class="note">{highlight(doc.text, marks.get(doc.id, []))}</pre>'
        for doc in case.documents)
    legend = "".join(f'<span><mark class="{k}">{escape(v)}</mark></span>' for k, v in GROUP_LABEL.items())
    legend += '<span><mark class="g-other ruled">ruled out (negated, family, historical, hypothetical)</mark></span>'
    legend += '<span><mark class="g-other qual">qualifier cue (e.g. pathologic, rising PSA)</mark></span>'
    legend += '<span><mark class="g-other fuzzy">approximate quote, needs checking</mark></span>'
    legend += '<span><mark class="g-other conflict">LLM and ConText disagree</mark></span>'
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
requested: {escape(", ".join(case.request.cpt_codes or []) or "no code")} · age {escape(str(case.request.patient_age if case.request.patient_age is not None else "unknown"))}</p>
{detail}
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
{unverified}
</aside>
<section class="docs" aria-label="Documents">
<h2>Documents</h2>
<p class="legend">{legend}</p>
{docs_html}
</section>
</main>
<footer>Policy: {escape(pol.title if pol else "")} · {escape(pol.number if pol else "")} · effective {escape(pol.effective if pol else "")}
· text sha256 {escape(pol.sha256[:16] if pol else "")} · extractor {escape(review.extractor)}{llm}</footer>
<script>{JS}</script>
</body></html>
"""


def render_index(rows: list[tuple[str, str, Review]]) -> str:
    """Batch index: (file name, case id, review) for each case, with decision, action and counts."""
    body = "".join(
        f'<tr class="{escape(r.decision)}"><td><a href="{escape(fname)}">{escape(cid)}</a></td><td>{escape(r.decision)}</td>'
        f'<td>{escape(ACTION[r.action])}</td><td>{escape(", ".join(r.criteria) or "-")}</td><td>{len(r.findings)}</td>'
        f'<td>{len(r.ruled_out)}</td><td>{len(r.conflicts)}</td></tr>' for fname, cid, r in rows)
    counts = {k: sum(r.decision == k for _, _, r in rows) for k in ("meets_criteria", "not_met", "incomplete")}
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>priorauth reviews</title><style>{CSS}
table{{border-collapse:collapse;margin:16px 20px}}td,th{{border:1px solid var(--line);padding:4px 10px;text-align:left}}</style></head>
<body><header class="banner meets_criteria"><h1>{len(rows)} reviews</h1>
<p>approve {counts["meets_criteria"]} · route to a clinician {counts["not_met"]} · request information {counts["incomplete"]}</p></header>
<table><tr><th>case</th><th>decision</th><th>action</th><th>criteria</th><th>findings</th><th>ruled out</th><th>conflicts</th></tr>
{body}</table></body></html>
"""


def safe_filename(case_id: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]", "_", case_id or "case").strip("._") or "case"
    return name[:120] + ".html"
