"""A self-contained HTML evaluation report: tables, confusion matrix and per-code bars as inline SVG,
and each error case with its note text highlighted. No external assets; every note character escaped."""

from __future__ import annotations

from html import escape
from typing import Any

from priorauth.htmltext import Mark, highlight
from priorauth.models import Case

DECISIONS = ("meets_criteria", "not_met", "incomplete")
CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1b1b1b;max-width:1100px}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #bbb;padding:.25rem .6rem;text-align:right}
th{background:#f0f0f0}td:first-child,th:first-child{text-align:left}
mark.missed{background:#ffd6d6;outline:1px solid #b00020}mark.extra{background:#fff1b8;outline:1px dashed #8a6d00}
mark.gold{background:#d8f5dc}pre{white-space:pre-wrap;background:#fafafa;border:1px solid #ddd;padding:.6rem}
.case{border-top:2px solid #ddd;margin-top:1.5rem}.bad{color:#b00020}.small{color:#555;font-size:12px}
@media print{a{color:inherit;text-decoration:none}}
"""


def _fmt(x: float) -> str:
    return f"{x:.3f}"


CHAR_W = 0.62  # average glyph width as a share of the font size, for sizing SVG text generously


def _text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR_W


def _confusion_svg(confusion: dict[str, dict[str, int]]) -> str:
    """3x3 matrix sized to its labels: the title, column labels and cells follow each other without a gap."""
    cell, size = 90, 11
    left = int(max(_text_width(d, size) for d in DECISIONS)) + 30  # row labels plus the rotated "gold" title
    top = 44  # "predicted" title, then the column labels just above the cells
    width, height = left + 3 * cell + 10, top + 3 * cell + 10
    top_n = max((v for row in confusion.values() for v in row.values()), default=0) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label="decision confusion matrix">']
    parts.append(f'<text x="{left + 1.5 * cell}" y="14" text-anchor="middle" font-size="12">predicted</text>')
    for j, d in enumerate(DECISIONS):
        parts.append(f'<text x="{left + j * cell + cell / 2}" y="{top - 8}" text-anchor="middle" font-size="{size}">{d}</text>')
        parts.append(f'<text x="{left - 6}" y="{top + j * cell + cell / 2 + 4}" text-anchor="end" font-size="{size}">{d}</text>')
    for i, g in enumerate(DECISIONS):
        for j, p in enumerate(DECISIONS):
            v = confusion.get(g, {}).get(p, 0)
            shade = int(235 - 175 * v / top_n)
            color = f"rgb({shade},{shade + 10 if shade < 245 else 245},255)" if i == j else f"rgb(255,{shade},{shade})"
            parts.append(f'<rect x="{left + j * cell}" y="{top + i * cell}" width="{cell}" height="{cell}" fill="{color}" stroke="#999"/>')
            parts.append(f'<text x="{left + j * cell + cell / 2}" y="{top + i * cell + cell / 2 + 6}" text-anchor="middle" '
                         f'font-size="18">{v}</text>')
    parts.append(f'<text x="12" y="{top + 1.5 * cell}" font-size="12" transform="rotate(-90 12 {top + 1.5 * cell})" '
                 f'text-anchor="middle">gold</text></svg>')
    return "".join(parts)


def _bars_svg(per_code: dict[str, dict[str, float]]) -> str:
    """Per-code F1 bars; the label column and the right margin fit the longest code and the longest value label."""
    row, width, size = 20, 300, 12
    items = sorted(per_code.items())
    values = [f'{v["f1"]:.2f} (n={v["support"]})' for _, v in items]
    label = int(max((_text_width(c, size) for c, _ in items), default=60)) + 12
    right = int(max((_text_width(x, 11) for x in values), default=40)) + 12
    total = label + width + right
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="{row * len(items) + 10}" '
             f'viewBox="0 0 {total} {row * len(items) + 10}" role="img" aria-label="per-code F1">']
    for i, ((code, v), value) in enumerate(zip(items, values)):
        y = i * row + 5
        parts.append(f'<text x="{label - 6}" y="{y + 13}" text-anchor="end" font-size="{size}">{escape(code)}</text>')
        parts.append(f'<rect x="{label}" y="{y + 2}" width="{width * v["f1"]:.1f}" height="{row - 6}" fill="#4a78c2"/>')
        parts.append(f'<text x="{label + width * v["f1"] + 4:.1f}" y="{y + 13}" font-size="11">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _case_html(rec: dict[str, Any], case: Case) -> str:
    head = [f'<section class="case" id="case-{escape(rec["case_id"])}"><h3>{escape(rec["case_id"])}</h3>']
    if "decision" in rec:
        head.append(f'<p class="bad">decision {escape(rec["decision"]["predicted"])}, gold {escape(rec["decision"]["gold"])}</p>')
    if "criteria" in rec:
        head.append(f'<p>criteria missing: {escape(", ".join(rec["criteria"]["missing"]) or "-")}; '
                    f'extra: {escape(", ".join(rec["criteria"]["extra"]) or "-")}</p>')
    if "conservative_therapy" in rec:
        head.append(f'<p>conservative therapy predicted {escape(str(rec["conservative_therapy"]["predicted"]))}, '
                    f'gold {escape(str(rec["conservative_therapy"]["gold"]))}</p>')
    head.append(f'<p>missed: {escape(", ".join(m["code"] for m in rec["missed"]) or "-")}; '
                f'extra: {escape(", ".join(e["code"] for e in rec["extra"]) or "-")}</p>')
    for d in case.documents:
        marks = [Mark(s["start"], s["end"], "missed", f'missed {m["code"]}') for m in rec["missed"] for s in m["evidence"] if s["doc"] == d.id]
        marks += [Mark(s["start"], s["end"], "extra", f'extra {e["code"]}' + (f' ({e["assertion_error"]})' if e["assertion_error"] else ""))
                  for e in rec["extra"] for s in e["evidence"] if s["doc"] == d.id]
        if marks:
            head.append(f'<h4>{escape(d.id)} <span class="small">{escape(d.type or "")} {escape(str(d.date or ""))}</span></h4>'
                        f'<pre>{highlight(d.text, marks)}</pre>')
    head.append("</section>")
    return "".join(head)


def _ratio(v: Any, ci: Any) -> str:
    if v is None:
        return "n/a"
    return _fmt(v) + (f' <span class="small">(95% CI {_fmt(ci[0])}-{_fmt(ci[1])})</span>' if ci else "")


def _approval_html(a: dict[str, Any]) -> str:
    """Approval precision/recall, false approvals, and each false approval with the criterion and evidence behind it."""
    ci = a["ci95"]
    share = "n/a" if a["share_meets_criteria"] is None else _fmt(a["share_meets_criteria"])
    rows = (f"<tr><td>approval precision</td><td>{_ratio(a['precision'], ci['precision'])}</td></tr>"
            f"<tr><td>approval recall</td><td>{_ratio(a['recall'], ci['recall'])}</td></tr>"
            f"<tr><td>false approvals</td><td>{a['false_approvals']}</td></tr>"
            f"<tr><td>false-approval rate</td><td>{_ratio(a['false_approval_rate'], ci['false_approval_rate'])}</td></tr>"
            f"<tr><td>approved / labeled meets_criteria</td><td>{a['approved']} / {a['labeled_meets_criteria']} "
            f"(label share {share})</td></tr>")
    items = []
    for c in a["false_approval_cases"]:
        basis = "".join(f"<li>{escape(b['criterion'])}{' (' + escape(b['study']) + ')' if b.get('study') else ''}: "
                        + ("; ".join(f"{escape(e['doc'])}[{e['start']}:{e['end']}] &ldquo;{escape(e['text'])}&rdquo;"
                                     for e in b["evidence"]) or "no evidence span") + "</li>" for b in c["basis"])
        items.append(f'<li class="bad"><a href="#case-{escape(c["case_id"])}">{escape(c["case_id"])}</a> '
                     f'(gold {escape(c["gold_decision"])}{" " + escape(",".join(c["gold_criteria"])) if c["gold_criteria"] else ""})'
                     f'<ul>{basis}</ul></li>')
    return (f'<h2>Approvals</h2><table><tr><th>measure</th><th>value</th></tr>{rows}</table>'
            f'<h3>False approvals ({a["false_approvals"]})</h3><ul>{"".join(items) or "<li>none</li>"}</ul>')


def render_report(summary: dict[str, Any], errors: list[dict[str, Any]], cases: dict[str, Case], title: str) -> str:
    rows = "".join(f"<tr><td>{k}</td><td>{_fmt(summary[k]['precision'])}</td><td>{_fmt(summary[k]['recall'])}</td>"
                   f"<td>{_fmt(summary[k]['f1'])}</td></tr>" for k in ("findings", "findings_macro", "grounded_findings"))
    ci = summary.get("ci95", {})
    scalars = "".join(f"<tr><td>{k}</td><td>{_fmt(summary[k])}</td></tr>"
                      for k in ("conservative_therapy_accuracy", "decision_accuracy", "criteria_exact"))
    per_code = "".join(f"<tr><td>{escape(c)}</td><td>{v['support']}</td><td>{_fmt(v['precision'])}</td><td>{_fmt(v['recall'])}</td>"
                       f"<td>{_fmt(v['f1'])}</td></tr>" for c, v in sorted(summary["per_code"].items()))
    links = "".join(f'<li><a href="#case-{escape(e["case_id"])}">{escape(e["case_id"])}</a> '
                    f'<span class="small">(missed {len(e["missed"])}, extra {len(e["extra"])}'
                    f'{", decision wrong" if "decision" in e else ""})</span></li>' for e in errors)
    cases_html = "".join(_case_html(e, cases[e["case_id"]]) for e in errors if e["case_id"] in cases)
    tokens = summary.get("tokens")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>{CSS}</style></head>
<body><h1>{escape(title)}</h1>
<p>{summary['cases']} cases, {summary.get('errors', 0)} unreadable.
Findings F1 95% CI {_fmt(ci.get('findings_f1', [0, 0])[0])}-{_fmt(ci.get('findings_f1', [0, 0])[1])};
decision accuracy 95% CI {_fmt(ci.get('decision_accuracy', [0, 0])[0])}-{_fmt(ci.get('decision_accuracy', [0, 0])[1])}.
{f"Tokens: {tokens['prompt']} prompt, {tokens['completion']} completion." if tokens else ""}</p>
<table><tr><th>findings</th><th>precision</th><th>recall</th><th>F1</th></tr>{rows}</table>
<table><tr><th>measure</th><th>value</th></tr>{scalars}
<tr><td>assertion errors</td><td>{escape(", ".join(f"{k}: {v}" for k, v in summary["assertion_errors"].items()) or "none")}</td></tr></table>
{_approval_html(summary["approval"]) if "approval" in summary else ""}
<h2>Decision confusion</h2>{_confusion_svg(summary["confusion"])}
<h2>Per-code F1</h2>{_bars_svg(summary["per_code"])}
<table><tr><th>code</th><th>support</th><th>precision</th><th>recall</th><th>F1</th></tr>{per_code}</table>
<h2>Cases with errors ({len(errors)})</h2><ul>{links or "<li>none</li>"}</ul>
<p class="small"><mark class="missed">missed gold evidence</mark> <mark class="extra">extra predicted evidence</mark></p>
{cases_html}
</body></html>
"""
