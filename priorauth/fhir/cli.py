"""`priorauth review --fhir ...`: PAS bundles from a file, a folder or NDJSON; one response per bundle.

A bundle that cannot be read yields its OperationOutcome in place of the response
and a one-sentence message naming the bundle and the element; never a traceback.
Responses quote the notes (PHI): files are created 0600, folders 0700.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Iterator, Optional

from priorauth.cli_io import write_private
from priorauth.fhir.errors import FhirError, operation_outcome
from priorauth.fhir.inbound import case_from_documents
from priorauth.fhir.questionnaire import questionnaire_response, self_contained
from priorauth.fhir.resources import load_json
from priorauth.fhir.submit import review_bundle
from priorauth.models import Request

NDJSON = (".ndjson", ".jsonl")


def _read(path: Path) -> Optional[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _inputs(source: Path) -> Iterator[tuple[str, Optional[str]]]:
    """(name, raw JSON or None when unreadable) per bundle: every *.json of a folder, every non-blank NDJSON line, or the file."""
    if source.is_dir():
        for p in sorted(source.glob("*.json")):
            if not p.name.endswith(".response.json"):  # our own output, when it is written beside the input
                yield p.stem, _read(p)
    elif source.suffix.lower() in NDJSON:
        text = _read(source)
        if text is None:
            yield source.name, None
            return
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                yield f"line-{n}", line
    else:
        yield source.stem, _read(source)


def answer(raw: str, extractor, request: Optional[Request] = None) -> tuple[dict, Optional[dict], Optional[str]]:
    """(response, questionnaire response, error sentence) for one input; the response is an OperationOutcome on error.

    A PAS request Bundle gets the PAS response Bundle. A DocumentReference, or a
    Bundle of them without a Claim, is reviewed with `request` (from the command
    line) and answered with the review JSON, since there is no Claim to respond to.
    """
    from priorauth.pipeline import review

    try:
        obj = load_json(raw)
        entries = obj.get("entry") if obj.get("resourceType") == "Bundle" and isinstance(obj.get("entry"), list) else []
        has_claim = any(isinstance(e, dict) and (e.get("resource") or {}).get("resourceType") == "Claim" for e in entries)
        is_docs = obj.get("resourceType") == "DocumentReference" or (entries and not has_claim and all(
            isinstance(e, dict) and (e.get("resource") or {}).get("resourceType") == "DocumentReference" for e in entries))
        if is_docs:
            case = case_from_documents(obj, request or Request())
            r = review(case, extractor)
            return json.loads(r.model_dump_json()), questionnaire_response(case, r), None
        if obj.get("resourceType") != "Bundle":
            raise FhirError("Bundle.resourceType", f"expected a PAS request Bundle or a DocumentReference, found {obj.get('resourceType')!r}")
        case, r, out = review_bundle(obj, extractor)
        patient = out["entry"][0]["resource"]["patient"]
        return out, questionnaire_response(case, r, patient, out["timestamp"]), None
    except FhirError as exc:
        return exc.outcome, None, str(exc)
    except Exception as exc:  # one bad bundle never stops a batch; the message names no note text
        msg = f"the bundle could not be reviewed ({type(exc).__name__})."
        return operation_outcome(msg, None, "exception"), None, msg


def run_cli(source: Path, out: Optional[Path], qr_out: Optional[Path], extractor, cpt: list[str], age: Optional[int],
            request_date: Optional[dt.date], no_swo: bool) -> int:
    """The command-line entry: request fields (for DocumentReference input) from options; exit status 0 or 1.

    `request_date` is the date `priorauth review` already parsed (parse_cli_date), or None for today.
    """
    import typer

    def echo(msg: str) -> None:
        typer.echo(msg, err=True)

    try:
        request = Request(cpt_codes=cpt or None, patient_age=age, request_date=request_date or dt.date.today(),
                          has_standard_written_order=not no_swo)
    except ValueError:
        echo("--request-date must be YYYY-MM-DD and --age between 0 and 130.")
        return 1
    return 1 if run(source, out, qr_out, extractor, request, echo) else 0


def run(source: Path, out: Optional[Path], qr_out: Optional[Path], extractor, request: Optional[Request], echo) -> int:
    """Answer every bundle of `source`; returns the number of bundles that failed."""
    if not source.exists():
        echo(f"{source}: no such file or folder.")
        return 1
    batch = source.is_dir() or source.suffix.lower() in NDJSON
    if batch and out is None:
        echo("--fhir with a folder or NDJSON needs --fhir-out (a folder, or an .ndjson file).")
        return 1
    to_lines = out is not None and out.suffix.lower() in NDJSON
    if batch and not to_lines:
        out.mkdir(mode=0o700, parents=True, exist_ok=True)
    failed = n = 0
    lines: list[str] = []
    for name, raw in _inputs(source):
        n += 1
        if raw is None:
            error = "the file could not be read."
            resp, qr = operation_outcome(error, None, "exception"), None
        else:
            resp, qr, error = answer(raw, extractor, request)
        if error:
            failed += 1
            echo(f"{name}: {error}")
        text = json.dumps(resp, ensure_ascii=False)
        if to_lines:
            lines.append(text)
        elif batch:
            write_private(out / f"{name}.response.json", json.dumps(resp, indent=2, ensure_ascii=False) + "\n")
        elif out is not None:
            write_private(out, json.dumps(resp, indent=2, ensure_ascii=False) + "\n")
        else:
            print(json.dumps(resp, indent=2, ensure_ascii=False))
        if qr_out is not None and not batch and qr is not None:
            write_private(qr_out, json.dumps(self_contained(qr), indent=2, ensure_ascii=False) + "\n")
    if to_lines:
        write_private(out, "".join(line + "\n" for line in lines))
    if batch or out is not None:
        echo(f"wrote {n} response(s) to {out} ({failed} error(s))")
    return failed
