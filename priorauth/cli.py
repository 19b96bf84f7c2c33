"""Command line: review one packet or a batch, and evaluate against labeled cases.

Note text is PHI: nothing here logs it. Errors name the case and the reason only.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import sys
from datetime import date
from pathlib import Path
from typing import Callable, List, NoReturn, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.progress import Progress
from rich.table import Table

from priorauth.batch import brief as _brief, case_id_of as _case_id, run_batch
from priorauth.extract.spec import ExtractorSpec
from priorauth.cli_io import OutputFile, check_writable, parse_cli_date, write_private
from priorauth.jsonl import InputError, read_bytes, read_lines
from priorauth.models import Case, Request, Review, SourceFile

app = typer.Typer(add_completion=False, help="Review prior-authorization packets against the guideline that covers each requested code, with evidence.")
out = Console()
err = Console(stderr=True)

ACTION_TEXT = {"approve": "APPROVE", "route_to_clinician": "ROUTE TO A CLINICIAN for review (never an automatic denial)",
               "request_information": "REQUEST the missing information"}
STYLE = {"meets_criteria": "green", "not_met": "yellow", "incomplete": "cyan"}
LLM_MODEL = typer.Option(None, "--llm-model", help="Model name (else PRIORAUTH_LLM_MODEL).")
LLM_BASE_URL = typer.Option(None, "--llm-base-url", help="OpenAI-compatible endpoint (else OPENAI_BASE_URL).")
LLM_TIMEOUT = typer.Option(None, "--llm-timeout", help="Seconds per request (else PRIORAUTH_LLM_TIMEOUT, 60).")
CACHE_DIR = typer.Option(None, "--cache-dir", help="LLM answer cache (else PRIORAUTH_CACHE_DIR, ~/.cache/priorauth/llm, or 'off').")
GUIDELINE = typer.Option(None, "--guideline", help="Review every request under this guideline (id, or id@version) instead of the "
                         "one covering its codes; the version is still the one in effect on the date of service unless named.")


def fail(message: str, code: int = 2) -> NoReturn:
    """One clear sentence on stderr and a non-zero exit: the answer to an ordinary mistake, never a traceback."""
    err.print(f"[red]error:[/] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code)


def friendly(command: Callable) -> Callable:
    """Turn an InputError (a file, a flag or a date the user got wrong) into `fail`."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except InputError as exc:
            fail(str(exc))

    return run


def read_stdin_note() -> str:
    """The note given as '-': standard input's bytes as UTF-8 (files go through priorauth.ingest)."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        return sys.stdin.read()
    try:
        return stream.read().decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("the note on standard input is not UTF-8 text") from None


def _read_packet(paths: List[str], cpt: List[str], age: Optional[int], request_date: Optional[date], swo: bool,
                 note_date: Optional[date] = None) -> Case:
    """Each file through priorauth.ingest (PDF, scans, faxes, DOCX, RTF, HTML, C-CDA, text); '-' is text on stdin.

    A missing file or a directory is the user's mistake (one sentence, exit 2); a file
    that cannot be read is named on stderr and in the review; if none can be read, exit 1.
    """
    from priorauth.ingest import IngestError, read_path
    from priorauth.packet import note_document

    docs, unreadable, used = [], [], set()
    for i, p in enumerate(paths, 1):
        if p != "-":
            path = Path(p)
            if path.is_dir():
                raise InputError(f"{p} is a directory, not a note file")
            if not path.exists():
                raise InputError(f"note file {p} does not exist")
        doc_id = f"note-{i}" if p == "-" or Path(p).name in used else Path(p).name
        used.add(doc_id)
        try:
            source = read_stdin_note() if p == "-" else read_path(p, isolate=True)
        except IngestError as exc:
            err.print(f"cannot read: {exc}", markup=False, highlight=False, soft_wrap=True)
            unreadable.append(SourceFile(doc=doc_id, name=p, error=str(exc), reference=getattr(exc, "reference", None)))
            continue
        # --note-date wins, then the file's own date (C-CDA header, the note's header, metadata), then the request date
        # (priorauth.packet: the service does the same)
        docs.append(note_document(doc_id, source, request_date, note_date))
    if not docs:
        err.print("error: no note file could be read; nothing was reviewed.", highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    req = Request(cpt_codes=cpt, patient_age=age, has_standard_written_order=swo, request_date=request_date)
    return Case(id="packet", request=req, documents=docs, unreadable=unreadable)


class PageWriter:
    """Writes one reviewer page per reviewed case and an index; error records appear in the index only.

    File names are unique whatever the ids (sanitised, cut to a fixed length, then
    numbered) and never `index.html`, which is the index's own.
    """

    def __init__(self, directory: Path):
        if directory.exists() and not directory.is_dir():
            raise InputError(f"--html-dir {directory} is a file, not a directory")
        self.directory = directory
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)  # pages quote notes (PHI)
        self.rows: list = []
        self.used: set[str] = {"index.html"}
        self.count = 0

    def name_for(self, case_id: str) -> str:
        from priorauth.review_page import safe_filename

        name = safe_filename(case_id)
        k = 2
        while name.lower() in self.used:
            name = safe_filename(case_id, suffix=f"-{k}")
            k += 1
        self.used.add(name.lower())
        return name

    def add(self, case: Optional[Case], rec: dict) -> None:
        """One page from the case as the batch read and reviewed it (no file is read again)."""
        from priorauth.review_page import render_review_page

        if "error" in rec or case is None:
            return
        review = Review.model_validate(rec)
        name = self.name_for(case.id)
        write_private(self.directory / name, render_review_page(case, review))
        self.rows.append((name, case, review))
        self.count += 1

    def finish(self) -> None:
        from priorauth.review_page import render_index

        write_private(self.directory / "index.html", render_index(self.rows))


def print_review(r: Review) -> None:
    color = STYLE[r.decision]
    body = f"[bold]{r.decision}[/]  →  {ACTION_TEXT[r.action]}\ncriteria: {escape(', '.join(r.criteria)) or '(none)'}"
    for part in r.parts or [r]:
        p = part.policy
        if p:
            codes = ", ".join(s.cpt for s in part.studies) if r.parts else ""
            body += (f"\npolicy{' for ' + codes if codes else ''}: {escape(p.number)}"
                     + (f", version {escape(p.version)}" if p.version else "") + f", effective {escape(p.effective)}"
                     + (f" ({escape(p.version_note)})" if p.version_note else ""))
    out.print(Panel(body, title="priorauth review", border_style=color))
    met = [c for c in r.criteria_results if c.status == "met" and c.kind in ("indication", "repeat", "limitation")]
    for c in met:
        t = Table(show_header=False, box=None, padding=(0, 1))
        t.add_row("[bold]policy[/]", "\n".join(f"“{escape(q.text)}” [dim](chars {q.start}-{q.end})[/]" for q in c.citations))
        t.add_row("[bold]evidence[/]", "\n".join(escape(f"{e.doc}{f' p.{e.page}' if e.page else ''}[{e.start}:{e.end}] “{e.text}”")
                                                  for e in c.evidence[:8]) or "(request data)")
        out.print(Panel(t, title=escape(f"{c.id} {c.title} ({c.kind}, study {c.study})"), border_style=color))
    if r.missing:
        out.print(Panel(escape("\n".join(r.missing)), title="missing documentation", border_style="cyan"))
    if r.reasons:
        out.print(Panel("[bold]" + escape(r.reasons[0]) + "[/]" + "".join("\n" + escape(x) for x in r.reasons[1:]),
                        title="why not met / what would satisfy", border_style="yellow"))
    if r.conservative_therapy:
        ct = r.conservative_therapy
        out.print(f"conservative therapy: {ct.weeks} weeks, active={ct.active}, inactive={ct.inactive}, "
                  f"components={', '.join(c.kind for c in ct.components)}")
    out.print(f"findings: {', '.join(f.code + ('*' if f.exam else '') for f in r.findings) or '(none)'}  (* on exam)")
    if r.ruled_out:
        out.print(f"[dim]ruled out: {escape(', '.join(_ruled_out_label(f) for f in r.ruled_out))}[/]")
    if r.llm:
        out.print(f"LLM step: {r.llm.status} ({escape(r.llm.model)}, prompt v{r.llm.prompt_version} {r.llm.prompt_sha256[:12]}"
                  f"{', ' + escape(r.llm.reason) if r.llm.reason else ''}); tokens {r.usage.prompt_tokens if r.usage else 0}"
                  f"/{r.usage.completion_tokens if r.usage else 0}, cached chunks {r.llm.cached_chunks}")
    for c in r.conflicts:
        out.print("[red]conflict:[/] " + escape(f"{c.code} at {c.evidence.doc}[{c.evidence.start}:{c.evidence.end}] "
                                                f"“{c.evidence.text}”: LLM says {c.llm}, ConText says {c.context}"))
    for f in r.needs_checking:
        out.print(f"[yellow]needs checking (approximate quote):[/] {f.code}: " + escape("; ".join(f"“{s.text}”" for s in f.evidence)))
    for u in r.unverified:
        out.print(f"[dim]unverified model claim (quote not in the note, not counted): {u.code}[/]")
    for w in r.warnings:
        out.print(f"[yellow]warning:[/] {escape(w)}")


@app.command("review")
@friendly
def review_cmd(
    notes: List[str] = typer.Argument(None, help="Note files of one packet ('-' reads standard input)."),
    cpt: List[str] = typer.Option([], "--cpt", help="Requested CPT code (repeatable)."),
    age: Optional[int] = typer.Option(None, "--age", min=0, max=130, help="Patient age in years at the request date."),
    request_date: Optional[str] = typer.Option(None, "--request-date", help="YYYY-MM-DD or MM/DD/YYYY; defaults to today."),
    no_swo: bool = typer.Option(False, "--no-swo", help="No standard written order accompanies the request."),
    note_date: Optional[str] = typer.Option(None, "--note-date", help="YYYY-MM-DD or MM/DD/YYYY the notes were written; defaults to the date of service the note states, else the request date."),
    service_date: Optional[str] = typer.Option(None, "--service-date", help="YYYY-MM-DD or MM/DD/YYYY of the planned service; picks the guideline version (default: the request date)."),
    as_json: bool = typer.Option(False, "--json", help="Print the review as JSON."),
    cases: Optional[Path] = typer.Option(None, "--cases", help="Batch: a cases JSONL file (cases.md format)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Batch: where to write one JSON line per case."),
    force: bool = typer.Option(False, "--force", help="Batch: replace an existing output file."),
    resume: bool = typer.Option(False, "--resume", help="Batch: continue an interrupted run, skipping the cases already written."),
    workers: int = typer.Option(1, "--workers", min=1, help="Batch: review in this many processes (order kept)."),
    html: Optional[Path] = typer.Option(None, "--html", help="Write the reviewer's HTML page for this packet here."),
    html_dir: Optional[Path] = typer.Option(None, "--html-dir", help="Batch: one HTML page per case plus index.html here."),
    extractor_name: str = typer.Option("rules", "--extractor", help="rules (default, offline), llm or hybrid."),
    llm_model: Optional[str] = LLM_MODEL,
    llm_base_url: Optional[str] = LLM_BASE_URL,
    llm_timeout: Optional[float] = LLM_TIMEOUT,
    cache_dir: Optional[Path] = CACHE_DIR,
    fhir: Optional[Path] = typer.Option(None, "--fhir", help="PAS request Bundle (JSON), a folder of them or NDJSON; or a DocumentReference."),
    fhir_out: Optional[Path] = typer.Option(None, "--fhir-out", help="Where the PAS response goes (file; folder or .ndjson for a batch)."),
    fhir_qr: Optional[Path] = typer.Option(None, "--fhir-questionnaire", help="Also write the QuestionnaireResponse here."),
    guideline: Optional[str] = GUIDELINE,
) -> None:
    """Review one packet from note files, or a batch of cases with --cases."""
    spec = _spec(extractor_name, llm_model, llm_base_url, llm_timeout, cache_dir, guideline)
    if fhir is not None:
        from priorauth.fhir.cli import run_cli

        raise typer.Exit(run_cli(fhir, fhir_out, fhir_qr, make_extractor(spec), cpt, age,
                                 parse_cli_date(request_date, "--request-date"), no_swo))
    if cases is not None:
        if output is None:
            fail("--cases needs -o/--output: the file to write one JSON line per case to")
        review_batch(cases, output, spec, workers=workers, html_dir=html_dir, force=force, resume=resume)
        return
    if not notes:
        fail("give note files (or '-' for standard input), or --cases CASES.jsonl -o OUT.jsonl")
    review_packet(notes, spec, cpt=cpt, age=age, request_date=parse_cli_date(request_date, "--request-date") or date.today(),
                  note_date=parse_cli_date(note_date, "--note-date"), swo=not no_swo, html=html, as_json=as_json,
                  service_date=parse_cli_date(service_date, "--service-date"))


def review_packet(notes: List[str], spec: ExtractorSpec, *, cpt: List[str], age: Optional[int], request_date: date,
                  note_date: Optional[date], swo: bool, html: Optional[Path], as_json: bool,
                  service_date: Optional[date] = None) -> None:
    """One packet from note files: print the review, optionally write its page."""
    from priorauth.pipeline import TextTooLong, review

    check_writable(html, "--html")
    case = _read_packet(notes, cpt, age, request_date, swo, note_date)
    case.request.service_date = service_date
    try:
        r = review(case, make_extractor(spec), spec.guideline)
    except TextTooLong as exc:
        fail(str(exc))
    if html is not None:
        from priorauth.review_page import render_review_page

        write_private(html, render_review_page(case, r))
        err.print(f"wrote {escape(str(html))}")
    if as_json:
        out.print_json(r.model_dump_json())
    else:
        print_review(r)


class Terminated(SystemExit):
    """SIGTERM, raised in the main thread so the batch closes its files and stops its workers."""


def _on_sigterm(signum, frame) -> None:
    raise Terminated(128 + signal.SIGTERM)


def review_batch(cases: Path, output: Path, spec: ExtractorSpec, *, workers: int = 1, html_dir: Optional[Path] = None,
                 force: bool = False, resume: bool = False) -> None:
    """A cases file to one record per line, in order; the output appears only when every line has its record."""
    from priorauth.extract.llm_client import BREAKER_PREFIX

    lines = read_lines(cases)
    try:
        spec.check()  # a bad configuration stops here, before any file is touched
    except ValueError as exc:
        fail(str(exc))
    sink = OutputFile(output, [cases], force=force, resume=resume)
    pages = PageWriter(html_dir) if html_dir else None
    sink.open()
    todo = [x for x in lines if not sink.already_done(x, None if x.problem else _case_id(x.text))]
    workers = max(1, min(workers, len(todo), os.cpu_count() or 1))  # each process builds a pipeline (~130 MB)
    extractor = make_extractor(spec) if workers == 1 else None
    if sink.kept:
        err.print(f"resuming: {sink.kept} records already in the output, {len(todo)} lines to review")
    n_err, warned = 0, False
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    records = run_batch(todo, spec, workers, extractor, base_dir=cases.parent, keep_cases=pages is not None)
    stopped: Optional[BaseException] = None
    try:
        with Progress(console=err, transient=True) as bar:
            task = bar.add_task("reviewing", total=len(todo))
            for item in records:
                rec, case = item if pages is not None else (item, None)
                n_err += "error" in rec
                sink.write(rec)
                if pages is not None:
                    pages.add(case, rec)
                reason = (rec.get("llm") or {}).get("reason") or ""
                if reason.startswith(BREAKER_PREFIX) and not warned:
                    warned = True
                    err.print(f"[yellow]warning:[/] {escape(reason)}; the rest of the batch uses the deterministic findings",
                              soft_wrap=True)
                bar.advance(task)
    except (Terminated, KeyboardInterrupt) as stop:
        stopped = stop
    finally:
        records.close()  # stops the worker processes, if any
        sink.close()
        signal.signal(signal.SIGTERM, previous)
    if stopped is not None:
        err.print(f"stopped by {'SIGTERM' if isinstance(stopped, Terminated) else 'Ctrl-C'}: the records so far are in "
                  f"{escape(str(sink.partial))}; run again with --resume to continue", soft_wrap=True)
        sys.stdout.flush()
        sys.stderr.flush()
        # Leave without the interpreter's exit hooks: concurrent.futures' hook would wake the
        # pool we just terminated and print a traceback about its closed pipe.
        os._exit(128 + signal.SIGTERM if isinstance(stopped, Terminated) else 130)
    sink.commit()
    if pages is not None:
        pages.finish()
        err.print(f"wrote {pages.count} pages and index.html to {escape(str(html_dir))}")
    err.print(f"wrote {len(todo) + sink.kept} records to {escape(str(output))} ({n_err} errors in this run)")


def _spec(name: str, model: Optional[str], base_url: Optional[str], timeout: Optional[float], cache_dir: Optional[Path],
          guideline: Optional[str] = None) -> ExtractorSpec:
    if name not in ("rules", "llm", "hybrid", "gold"):
        fail(f"unknown extractor {name!r}: use rules, llm or hybrid")
    from priorauth.guidelines import get, installed

    try:
        if guideline is not None:
            get(guideline)
    except ValueError:
        fail(f"unknown guideline {guideline!r}: installed are {', '.join(installed())}")
    return ExtractorSpec(name, {"model": model, "base_url": base_url, "timeout": timeout, "cache_dir": cache_dir}, guideline)


def make_extractor(spec: ExtractorSpec):
    """Build the extractor, turning configuration problems into a clear CLI error."""
    try:
        return spec.build()
    except ValueError as exc:
        fail(str(exc))


@app.command("evaluate")
@friendly
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
    guideline: Optional[str] = GUIDELINE,
) -> None:
    """Measure extraction and decisions against labels (cases.md section 3)."""
    from priorauth.evaluation.errors import case_errors, is_error
    from priorauth.evaluation.metrics import evaluate
    from priorauth.ingest.cases import load_case
    from priorauth.pipeline import review

    if compare_runs:
        _compare_runs(compare_runs, as_json)
        return
    if cases is None:
        fail("give a CASES.jsonl file (or --compare A.json B.json)")
    if check:
        _check_set(cases, as_json)

    for path, flag in ((report, "--report"), (errors_out, "--errors")):
        check_writable(path, flag)
    extractor = make_extractor(_spec("gold" if gold_findings else extractor_name, llm_model, llm_base_url, llm_timeout, cache_dir,
                                     guideline))
    pairs, n_errors = [], 0
    lines = read_lines(cases)
    with Progress(console=err, transient=True) as bar:
        task = bar.add_task("evaluating", total=len(lines))
        for line in lines:
            n, raw = line.number, line.text
            bar.advance(task)
            if line.problem:
                n_errors += 1
                err.print(f"line {n}: {escape(line.problem)}")
                continue
            if not raw.strip():
                continue
            try:
                case = load_case(raw, cases.parent)
                if case.gold is None:
                    raise ValueError("no gold labels")
                pairs.append((case, review(case, extractor, guideline)))
            except Exception as exc:
                n_errors += 1
                err.print(escape(f"line {n} ({_short(_case_id(raw))}): {_brief(exc)}"))
    _say_if_endpoint_given_up(r for _, r in pairs)
    scored = evaluate(pairs, n_errors)
    summary = scored.summary()
    records = [case_errors(c, r, score) for (c, r), score in zip(pairs, scored.scores)]
    wrong = sorted((x for x in records if is_error(x)), key=lambda x: -x["badness"])
    if errors_out:
        write_private(errors_out, "".join(json.dumps(rec) + "\n" for rec in records if is_error(rec)))
    if report:
        from priorauth.evaluation.report import render_report

        write_private(report, render_report(summary, wrong, {c.id: c for c, _ in pairs}, f"priorauth evaluation: {cases.name}"))
    if as_json:
        out.print_json(json.dumps(summary))
        return
    _print_summary(summary, escape(cases.name) + (" (gold findings)" if gold_findings else ""), wrong)


def _compare_runs(compare_runs: tuple[Path, Path], as_json: bool) -> None:
    """evaluate --compare A.json B.json: what moved between two saved runs."""
    from priorauth.evaluation.compare import compare

    try:
        a, b = (json.loads(read_bytes(p, "saved run")) for p in compare_runs)
    except ValueError:
        fail("a --compare file is not a saved `evaluate --json` run")
    diff = compare(a, b)
    if as_json:
        out.print_json(json.dumps(diff))
        return
    t = Table(title=escape(f"{compare_runs[0].name} -> {compare_runs[1].name}"))
    for col in ("metric", "A", "B", "change"):
        t.add_column(col, justify="right" if col != "metric" else "left")
    for k, v in {**diff["metrics"], **{f"F1 {c}": v for c, v in diff["per_code_f1"].items()}}.items():
        t.add_row(k, f"{v['a']:.3f}", f"{v['b']:.3f}", f"{v['delta']:+.3f}")
    out.print(t if t.row_count else "no metric moved")
    for label in ("fixed", "broken"):
        for c in diff[label]:
            out.print(escape(f"{label}: {_short(c['case_id'])} {c['a']} -> {c['b']} (gold {c['gold']})"))


def _check_set(cases: Path, as_json: bool) -> NoReturn:
    """evaluate --check: validate a labeled set and exit non-zero on a problem."""
    from priorauth.evaluation.check import check_file

    problems = check_file(cases)
    if as_json:
        out.print_json(json.dumps({"problems": problems}))
    else:
        for p in problems:
            out.print(escape(f"line {p['line']} ({_short(p['case_id'])}): {p['problem']}"))
        out.print(escape(f"{len(problems)} problem(s) in {cases}"))
    raise typer.Exit(1 if problems else 0)


def _say_if_endpoint_given_up(reviews) -> None:
    """The circuit breaker's news, once: the rest of the run used the deterministic findings."""
    from priorauth.extract.llm_client import BREAKER_PREFIX

    reason = next((r.llm.reason for r in reviews if r.llm and (r.llm.reason or "").startswith(BREAKER_PREFIX)), None)
    if reason:
        err.print(f"[yellow]warning:[/] {escape(reason)}; the rest of the run used the deterministic findings", soft_wrap=True)


def _short(case_id, limit: int = 80) -> str:
    """A case id for the console: ids are input data and may be any length."""
    text = str(case_id)
    return text if len(text) <= limit else text[:limit] + "…"


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
        out.print(f"[bold]{escape(_short(rec['case_id']))}[/]: " + escape("; ".join(b for b in bits if b)))


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
    for c in cases:
        out.print(f"[bold red]false approval[/] {escape(c['case_id'])} (gold {c['gold_decision']}"
                  f"{' ' + escape(','.join(c['gold_criteria'])) if c['gold_criteria'] else ''})")
        for b in c["basis"]:
            spans = "; ".join(f"{e['doc']}[{e['start']}:{e['end']}] '{e['text']}'" for e in b["evidence"]) or "no evidence span"
            out.print(f"  {escape(b['criterion'])}" + (f" ({escape(b['study'])})" if b.get("study") else "") + f": {escape(spans)}")


@app.command("evaluate-negation")
@friendly
def evaluate_negation_cmd(
    annotations: Path = typer.Argument(..., help="NegEx annotations file (tab-separated, 4 columns)."),
    as_json: bool = typer.Option(False, "--json", help="Print the metrics as JSON."),
) -> None:
    """Score the project's ConText rules on the NegEx test set ('Negated' is the positive class)."""
    from priorauth.evaluation.negation import read_negex, score

    read_bytes(annotations, "annotations file")  # missing or a directory: one sentence
    result = score(read_negex(annotations))
    if as_json:
        out.print_json(json.dumps(result))
        return
    out.print(f"NegEx {result['rows']} rows: precision {result['precision']:.3f}, recall {result['recall']:.3f}, "
              f"F1 {result['f1']:.3f}, accuracy {result['accuracy']:.3f} "
              f"(tp {result['tp']}, fp {result['fp']}, fn {result['fn']}, tn {result['tn']}; "
              f"concept not found in {result['unlocated']})")
    out.print("[dim]published anchor, GenNegEx v1.2 on this set: precision 0.933, recall 0.959, F 0.946[/]")


@app.command("serve")
def serve_cmd(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", help="Uploads and the default SQLite database (else PRIORAUTH_DATA_DIR, ~/.local/share/priorauth)."),
    database_url: Optional[str] = typer.Option(None, "--database-url", envvar="PRIORAUTH_DATABASE_URL", help="SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host/db (else SQLite in the data directory)."),
    workers: int = typer.Option(1, "--workers", min=0, help="Background review workers in the server process."),
) -> None:
    """Run the review service (web pages and JSON API); the first admin comes from PRIORAUTH_ADMIN_PASSWORD."""
    from priorauth.service.server import serve

    serve(host=host, port=port, data_dir=data_dir, database_url=database_url, workers=workers)


if __name__ == "__main__":
    app()
