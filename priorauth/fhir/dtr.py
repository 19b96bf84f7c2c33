"""A DTR QuestionnaireResponse sent in `Claim.supportingInfo` -> one Document of its answers.

DTR (Documentation Templates and Rules) lets the clinic answer the payer's
questions in the EHR; the answers are the clinic's own statements, so they are
read like a note. Each answered question becomes a line `question: answer` of
the document's text, so evidence found in it is a span of that text like any
other (the review page shows the line; the span is computed by our code).
"""

from __future__ import annotations

import datetime as dt
from typing import Iterator, Optional

from priorauth.models import Document

VALUE_KEYS = ("valueString", "valueBoolean", "valueInteger", "valueDecimal", "valueDate", "valueDateTime", "valueTime",
              "valueUri")


def _answer_text(answer: dict) -> Optional[str]:
    for key in VALUE_KEYS:
        if key in answer:
            v = answer[key]
            return ("yes" if v else "no") if isinstance(v, bool) else str(v)
    coding = answer.get("valueCoding")
    if coding:
        return coding.get("display") or coding.get("code")
    q = answer.get("valueQuantity")
    if q:
        return f"{q.get('value')} {q.get('unit') or q.get('code') or ''}".strip()
    return None


def _lines(items: list[dict], depth: int = 0) -> Iterator[str]:
    for it in items or []:
        question = (it.get("text") or it.get("linkId") or "").strip()
        answers = [a for a in (_answer_text(x) for x in it.get("answer") or []) if a]
        if answers:
            yield f"{question}: {'; '.join(answers)}"
        elif it.get("item") and question and depth == 0:
            yield f"{question}"
        yield from _lines(it.get("item") or [], depth + 1)
        for a in it.get("answer") or []:  # nested questions under an answer
            yield from _lines(a.get("item") or [], depth + 1)


def questionnaire_response_document(qr: dict, doc_id: str, fallback_date: Optional[dt.date]) -> Document:
    """The answers of a QuestionnaireResponse as a note; an empty response gives an empty document (no evidence)."""
    text = "\n".join(_lines(qr.get("item") or [])) + "\n"
    authored = qr.get("authored")
    date = None
    if isinstance(authored, str) and len(authored) >= 10:
        try:
            date = dt.date.fromisoformat(authored[:10])
        except ValueError:
            date = None
    return Document(id=doc_id, type="dtr_questionnaire_response", date=date or fallback_date, text=text.strip() + "\n")
