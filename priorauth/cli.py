"""Command line: review one packet or a batch, and evaluate against labeled cases.

Note text is PHI: nothing here logs it. Errors name the case and the reason only.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.panel import Panel
from rich.progress import Progress
from rich.table import Table

from priorauth.batch import ExtractorSpec, brief as _brief, case_id_of as _case_id, run_batch
from priorauth.models import Case, Document, Request, Review

app = typer.Typer(add_completion=False, help="Review MRI-spine prior-authorization packets against the guideline, with evidence.")
out = Console()
err = Console(stderr=True)

ACTION_TEXT = {"approve": "APPROVE", "route_to_clinician": "ROUTE TO A CLINICIAN for review (never an automatic denial)",
               "request_information": "REQUEST the missing information"}
STYLE = {"meets_criteria": "green", "not_met": "yellow", "incomplete": "cyan"}
LLM_MODEL = typer.Option(None, "--llm-model", help="Model name (else PRIORAUTH_LLM_MODEL).")
LLM_BASE_URL = typer.Option(None, "--llm-base-url", help="OpenAI-compatible endpoint (else OPENAI_BASE_URL).")
LLM_TIMEOUT = typer.Option(None, "--llm-timeout", help="Seconds per request (else PRIORAUTH_LLM_TIMEOUT, 60).")
CACHE_DIR = typer.Option(None, "--cache-dir", help="LLM answer cache (else PRIORAUTH_CACHE_DIR, ~/.cache/priorauth/llm).")




def _read_packet(paths: List[str], cpt: List[str], age: Optional[int], request_date: Optional[str], swo: bool,
                 note_date: Optional[str] = None) -> Case:
    docs = []
    from priorauth.extract.dates import date_of_service

    given = date.fromisoformat(note_date) if note_date else None
    fallback = date.fromisoformat(request_date) if request_date else None
    for i, p in enumerate(paths, 1):
        text = sys.stdin.read() if p == "-" else Path(p).read_text(encoding="utf-8")
        # --note-date wins, then the note's own date of service, then the request date
        when = given or date_of_service(text) or fallback
        docs.append(Document(id=f"note-{i}" if p == "-" else Path(p).name, type="clinical_note", date=when, text=text))
    req = Request(cpt_codes=cpt, patient_age=age, has_standard_written_order=swo,
                  request_date=date.fromisoformat(request_date) if request_date else None)
    return Case(id="packet", request=req, documents=docs)


class PageWriter:
    """Writes one reviewer page per reviewed case and an index; error records appear in the index only."""

    def __init__(self, directory: Path):
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.rows: list = []
        self.used: set[str] = set()
        self.count = 0

    def add(self, raw: str, rec: dict) -> None:
        from priorauth.review_page import render_review_page, safe_filename

        if "error" in rec:
            return
        case, review = Case.model_validate_json(raw), Review.model_validate(rec)
        name = safe_filename(case.id)
        k = 2
        while name in self.used:
            name = safe_filename(f"{case.id}-{k}")
            k += 1
        self.used.add(name)
        (self.directory / name).write_text(render_review_page(case, review), encoding="utf-8")
        self.rows.append((name, case.id, review))
        self.count += 1

    def finish(self) -> None:
        from priorauth.review_page import render_index

        (self.directory / "index.html").write_text(render_index(self.rows), encoding="utf-8")


def print_review(r: Review) -> None:
    color = STYLE[r.decision]
    body = f"[bold]{r.decision}[/]  →  {ACTION_TEXT[r.action]}\ncriteria: {', '.join(r.criteria) or '(none)'}"
    if r.policy:
        body += f"\npolicy: {r.policy.number}, effective {r.policy.effective}"
    out.print(Panel(body, title="priorauth review", border_style=color))
    met = [c for c in r.criteria_results if c.status == "met" and c.kind in ("indication", "repeat", "limitation")]
    for c in met:
        t = Table(show_header=False, box=None, padding=(0, 1))
        t.add_row("[bold]policy[/]", "\n".join(f"“{q.text}” [dim](chars {q.start}-{q.end})[/]" for q in c.citations))
        t.add_row("[bold]evidence[/]", "\n".join(f"{e.doc}[{e.start}:{e.end}] “{e.text}”" for e in c.evidence[:8]) or "(request data)")
        out.print(Panel(t, title=f"{c.id} {c.title} ({c.kind}, study {c.study})", border_style=color))
    if r.missing:
        out.print(Panel("\n".join(r.missing), title="missing documentation", border_style="cyan"))
    if r.reasons:
        out.print(Panel("\n".join(r.reasons), title="why not met / what would satisfy", border_style="yellow"))
    if r.conservative_therapy:
        ct = r.conservative_therapy
        out.print(f"conservative therapy: {ct.weeks} weeks, active={ct.active}, inactive={ct.inactive}, "
                  f"components={', '.join(c.kind for c in ct.components)}")
    out.print(f"findings: {', '.join(f.code + ('*' if f.exam else '') for f in r.findings) or '(none)'}  (* on exam)")
    if r.ruled_out:
        out.print(f"[dim]ruled out: {', '.join(_ruled_out_label(f) for f in r.ruled_out)}[/]")
    if r.llm:
        out.print(f"LLM step: {r.llm.status} ({r.llm.model}, prompt v{r.llm.prompt_version} {r.llm.prompt_sha256[:12]}"
                  f"{', ' + r.llm.reason if r.llm.reason else ''}); tokens {r.usage.prompt_tokens if r.usage else 0}"
                  f"/{r.usage.completion_tokens if r.usage else 0}, cached chunks {r.llm.cached_chunks}")
    for c in r.conflicts:
        out.print(f"[red]conflict:[/] {c.code} at {c.evidence.doc}[{c.evidence.start}:{c.evidence.end}] “{c.evidence.text}”: "
                  f"LLM says {c.llm}, ConText says {c.context}")
    for f in r.needs_checking:
        out.print(f"[yellow]needs checking (approximate quote):[/] {f.code}: " + "; ".join(f"“{s.text}”" for s in f.evidence))
    for u in r.unverified:
        out.print(f"[dim]unverified model claim (quote not in the note, not counted): {u.code}[/]")
    for w in r.warnings:
        out.print(f"[yellow]warning:[/] {w}")


@app.command("review")
def review_cmd(
    notes: List[str] = typer.Argument(None, help="Note files of one packet ('-' reads standard input)."),
    cpt: List[str] = typer.Option([], "--cpt", help="Requested CPT code (repeatable)."),
    age: Optional[int] = typer.Option(None, "--age", help="Patient age in years at the request date."),
    request_date: Optional[str] = typer.Option(None, "--request-date", help="YYYY-MM-DD; defaults to today."),
    no_swo: bool = typer.Option(False, "--no-swo", help="No standard written order accompanies the request."),
    note_date: Optional[str] = typer.Option(None, "--note-date", help="YYYY-MM-DD the notes were written; defaults to the date of service the note states, else the request date."),
    as_json: bool = typer.Option(False, "--json", help="Print the review as JSON."),
    cases: Optional[Path] = typer.Option(None, "--cases", help="Batch: a cases JSONL file (cases.md format)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Batch: where to write one JSON line per case."),
    workers: int = typer.Option(1, "--workers", min=1, help="Batch: review in this many processes (order kept)."),
    html: Optional[Path] = typer.Option(None, "--html", help="Write the reviewer's HTML page for this packet here."),
    html_dir: Optional[Path] = typer.Option(None, "--html-dir", help="Batch: one HTML page per case plus index.html here."),
    extractor_name: str = typer.Option("rules", "--extractor", help="rules (default, offline), llm or hybrid."),
    llm_model: Optional[str] = LLM_MODEL,
    llm_base_url: Optional[str] = LLM_BASE_URL,
    llm_timeout: Optional[float] = LLM_TIMEOUT,
    cache_dir: Optional[Path] = CACHE_DIR,
) -> None:
    """Review one packet from note files, or a batch of cases with --cases."""
    from priorauth.pipeline import review

    if cases is not None:
        if output is None:
            raise typer.BadParameter("--cases needs -o/--output")
        lines = cases.read_text(encoding="utf-8").splitlines()
        spec = _spec(extractor_name, llm_model, llm_base_url, llm_timeout, cache_dir)
        if workers == 1:
            make_extractor(spec)  # fail early on a bad configuration
        n_err = 0
        pages = PageWriter(html_dir) if html_dir else None
        with output.open("w", encoding="utf-8") as fh, Progress(console=err, transient=True) as bar:
            task = bar.add_task("reviewing", total=len(lines))
            for raw, rec in zip(lines, run_batch(lines, spec, workers)):
                n_err += "error" in rec
                fh.write(json.dumps(rec) + "\n")
                if pages is not None:
                    pages.add(raw, rec)
                bar.advance(task)
        if pages is not None:
            pages.finish()
            err.print(f"wrote {pages.count} pages and index.html to {html_dir}")
        err.print(f"wrote {len(lines)} records to {output} ({n_err} errors)")
        return
    if not notes:
        raise typer.BadParameter("give note files (or '-') or --cases")
    case = _read_packet(notes, cpt, age, request_date or date.today().isoformat(), not no_swo, note_date)
    r = review(case, make_extractor(_spec(extractor_name, llm_model, llm_base_url, llm_timeout, cache_dir)))
    if html is not None:
        from priorauth.review_page import render_review_page

        html.write_text(render_review_page(case, r), encoding="utf-8")
        err.print(f"wrote {html}")
    if as_json:
        out.print_json(r.model_dump_json())
    else:
        print_review(r)


def _spec(name: str, model: Optional[str], base_url: Optional[str], timeout: Optional[float], cache_dir: Optional[Path]) -> ExtractorSpec:
    if name not in ("rules", "llm", "hybrid", "gold"):
        raise typer.BadParameter(f"unknown extractor {name!r}: use rules, llm or hybrid")
    return ExtractorSpec(name, {"model": model, "base_url": base_url, "timeout": timeout, "cache_dir": cache_dir})


def make_extractor(spec: ExtractorSpec):
    """Build the extractor, turning configuration problems into a clear CLI error."""
    try:
        return spec.build()
    except ValueError as exc:
        raise typer.BadParameter(str(exc))


@app.command("evaluate")
def evaluate_cmd(
    cases: Optional[Path] = typer.Argument(None, help="Labeled cases JSONL (cases.md format)."),
    extractor_name: str = typer.Option("rules", "--extractor", help="rules (default, offline), llm or hybrid."),
    gold_findings: bool = typer.Option(False, "--gold-findings", help="Feed gold findings to the rules (measures rules alone)."),
    as_json: bool = typer.Option(False, "--json", help="Print the metrics as JSON (save it to compare runs)."),
    report: Optional[Path] = typer.Option(None, "--report", help="Write a self-contained HTML report here."),
    errors_out: Optional[Path] = typer.Option(None, "--errors", help="Write per-case error analysis as JSONL here."),
    compare_runs: Optional[tuple[Path, Path]] = typer.Option(None, "--compare", help="Compare two saved --json runs: A.json B.json."),
    check: bool = typer.Option(False, "--check", help="Validate the labeled set (spans, codes, decisions, ids) and exit."),
    llm_model: Optional[str] = LLM_MODEL,
    llm_base_url: Optional[str] = LLM_BASE_URL,
    llm_timeout: Optional[float] = LLM_TIMEOUT,
    cache_dir: Optional[Path] = CACHE_DIR,
) -> None:
    """Measure extraction and decisions against labels (cases.md section 3)."""
    from priorauth.evaluation.errors import case_errors, is_error
    from priorauth.evaluation.metrics import evaluate, score_case
    from priorauth.pipeline import review

    if compare_runs:
        from priorauth.evaluation.compare import compare

        a, b = (json.loads(p.read_text(encoding="utf-8")) for p in compare_runs)
        diff = compare(a, b)
        if as_json:
            out.print_json(json.dumps(diff))
            return
        t = Table(title=f"{compare_runs[0].name} -> {compare_runs[1].name}")
        for col in ("metric", "A", "B", "change"):
            t.add_column(col, justify="right" if col != "metric" else "left")
        for k, v in {**diff["metrics"], **{f"F1 {c}": v for c, v in diff["per_code_f1"].items()}}.items():
            t.add_row(k, f"{v['a']:.3f}", f"{v['b']:.3f}", f"{v['delta']:+.3f}")
        out.print(t if t.row_count else "no metric moved")
        for label in ("fixed", "broken"):
            for c in diff[label]:
                out.print(f"{label}: {c['case_id']} {c['a']} -> {c['b']} (gold {c['gold']})")
        return
    if cases is None:
        raise typer.BadParameter("give a CASES.jsonl file (or --compare A.json B.json)")
    if check:
        from priorauth.evaluation.check import check_file

        problems = check_file(cases)
        if as_json:
            out.print_json(json.dumps({"problems": problems}))
        else:
            for p in problems:
                out.print(f"line {p['line']} ({p['case_id']}): {p['problem']}")
            out.print(f"{len(problems)} problem(s) in {cases}")
        raise typer.Exit(1 if problems else 0)

    extractor = make_extractor(_spec("gold" if gold_findings else extractor_name, llm_model, llm_base_url, llm_timeout, cache_dir))
    pairs, n_errors = [], 0
    lines = cases.read_text(encoding="utf-8").splitlines()
    with Progress(console=err, transient=True) as bar:
        task = bar.add_task("evaluating", total=len(lines))
        for n, raw in enumerate(lines, 1):
            bar.advance(task)
            if not raw.strip():
                continue
            try:
                case = Case.model_validate_json(raw)
                if case.gold is None:
                    raise ValueError("no gold labels")
                pairs.append((case, review(case, extractor)))
            except Exception as exc:
                n_errors += 1
                err.print(f"line {n} ({_case_id(raw)}): {_brief(exc)}")
    summary = evaluate(pairs, n_errors).summary()
    records = [case_errors(c, r, score_case(c, r)) for c, r in pairs]
    wrong = sorted((x for x in records if is_error(x)), key=lambda x: -x["badness"])
    if errors_out:
        with errors_out.open("w", encoding="utf-8") as fh:
            for rec in records:
                if is_error(rec):
                    fh.write(json.dumps(rec) + "\n")
    if report:
        from priorauth.evaluation.report import render_report

        report.write_text(render_report(summary, wrong, {c.id: c for c, _ in pairs}, f"priorauth evaluation: {cases.name}"),
                          encoding="utf-8")
    if as_json:
        out.print_json(json.dumps(summary))
        return
    _print_summary(summary, cases.name + (" (gold findings)" if gold_findings else ""), wrong)


def _print_summary(summary: dict, title: str, wrong: list[dict]) -> None:
    t = Table(title=f"{title}: {summary['cases']} cases")
    t.add_column("metric")
    t.add_column("value", justify="right")
    for k in ("findings", "findings_macro", "grounded_findings"):
        t.add_row(k, "P {precision:.3f}  R {recall:.3f}  F1 {f1:.3f}".format(**summary[k]))
    for k in ("conservative_therapy_accuracy", "decision_accuracy", "criteria_exact"):
        t.add_row(k, f"{summary[k]:.3f}")
    lo, hi = summary["ci95"]["findings_f1"]
    t.add_row("findings F1 95% CI", f"{lo:.3f}-{hi:.3f}")
    lo, hi = summary["ci95"]["decision_accuracy"]
    t.add_row("decision accuracy 95% CI", f"{lo:.3f}-{hi:.3f}")
    t.add_row("assertion_errors", json.dumps(summary["assertion_errors"]))
    _approval_rows(t, summary["approval"])
    if summary.get("tokens"):
        t.add_row("tokens (prompt/completion)", f"{summary['tokens']['prompt']}/{summary['tokens']['completion']}")
    out.print(t)
    pc = Table(title="per code")
    for col in ("code", "support", "P", "R", "F1"):
        pc.add_column(col, justify="left" if col == "code" else "right")
    for code, v in summary["per_code"].items():
        pc.add_row(code, str(v["support"]), f"{v['precision']:.2f}", f"{v['recall']:.2f}", f"{v['f1']:.2f}")
    out.print(pc)
    cm = Table(title="decision confusion (rows gold, columns predicted)")
    cm.add_column("gold")
    for d in ("meets_criteria", "not_met", "incomplete"):
        cm.add_column(d, justify="right")
    for g, row in summary["confusion"].items():
        cm.add_row(g, *(str(v) for v in row.values()))
    out.print(cm)
    _print_false_approvals(summary["approval"]["false_approval_cases"])
    for rec in wrong[:5]:
        bits = [f"missed {', '.join(m['code'] for m in rec['missed'])}" if rec["missed"] else "",
                f"extra {', '.join(e['code'] for e in rec['extra'])}" if rec["extra"] else "",
                f"decision {rec['decision']['predicted']} (gold {rec['decision']['gold']})" if "decision" in rec else "",
                f"criteria -{rec['criteria']['missing']} +{rec['criteria']['extra']}" if "criteria" in rec else "",
                "conservative therapy" if "conservative_therapy" in rec else ""]
        out.print(f"[bold]{rec['case_id']}[/]: " + "; ".join(b for b in bits if b))


def _ruled_out_label(f) -> str:
    """'code (reason)', naming the cause when a deficit was explained by something outside the spine."""
    return f"{f.code} ({f.reason}: {f.attributed_to})" if f.attributed_to else f"{f.code} ({f.reason})"


def _ratio(v: Optional[float], ci: Optional[list[float]]) -> str:
    """A ratio with its 95% interval; 'n/a' when its denominator is empty."""
    if v is None:
        return "n/a"
    return f"{v:.3f}" + (f" (95% CI {ci[0]:.3f}-{ci[1]:.3f})" if ci else "")


def _approval_rows(t: Table, a: dict) -> None:
    """Approvals measured on their own (cases.md section 3): the one decision that acts without a clinician."""
    ci = a["ci95"]
    share = "n/a" if a["share_meets_criteria"] is None else f"{a['share_meets_criteria']:.3f}"
    t.add_row("approval precision", _ratio(a["precision"], ci["precision"]))
    t.add_row("approval recall", _ratio(a["recall"], ci["recall"]))
    t.add_row("false approvals", f"{a['false_approvals']} (rate {_ratio(a['false_approval_rate'], ci['false_approval_rate'])})")
    t.add_row("approved / labeled meets_criteria", f"{a['approved']} / {a['labeled_meets_criteria']} (label share {share})")


def _print_false_approvals(cases: list[dict]) -> None:
    """Each false approval with the criterion that approved it and the note words it rested on."""
    from rich.markup import escape

    for c in cases:
        out.print(f"[bold red]false approval[/] {escape(c['case_id'])} (gold {c['gold_decision']}"
                  f"{' ' + escape(','.join(c['gold_criteria'])) if c['gold_criteria'] else ''})")
        for b in c["basis"]:
            spans = "; ".join(f"{e['doc']}[{e['start']}:{e['end']}] '{e['text']}'" for e in b["evidence"]) or "no evidence span"
            out.print(f"  {escape(b['criterion'])}" + (f" ({escape(b['study'])})" if b.get("study") else "") + f": {escape(spans)}")


@app.command("evaluate-negation")
def evaluate_negation_cmd(
    annotations: Path = typer.Argument(..., help="NegEx annotations file (tab-separated, 4 columns)."),
    as_json: bool = typer.Option(False, "--json", help="Print the metrics as JSON."),
) -> None:
    """Score the project's ConText rules on the NegEx test set ('Negated' is the positive class)."""
    from priorauth.evaluation.negation import read_negex, score

    result = score(read_negex(annotations))
    if as_json:
        out.print_json(json.dumps(result))
        return
    out.print(f"NegEx {result['rows']} rows: precision {result['precision']:.3f}, recall {result['recall']:.3f}, "
              f"F1 {result['f1']:.3f}, accuracy {result['accuracy']:.3f} "
              f"(tp {result['tp']}, fp {result['fp']}, fn {result['fn']}, tn {result['tn']}; "
              f"concept not found in {result['unlocated']})")
    out.print("[dim]published anchor, GenNegEx v1.2 on this set: precision 0.933, recall 0.959, F 0.946[/]")


if __name__ == "__main__":
    app()
