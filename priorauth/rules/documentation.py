"""Documentation criteria every guideline shares: a clinical record (DOC.records) and a covered code (DOC.coding).

They live here, not in a guideline's folder, because each installed guideline names them in its criteria.json.
"""

from __future__ import annotations

from priorauth.guidelines import Study, studies_for
from priorauth.rules.catalog import register_predicates
from priorauth.rules.criterion import Outcome, met, unmet
from priorauth.rules.facts import Facts


def doc_records(f: Facts, s: Study) -> Outcome:
    return met() if f.has_records else unmet("the packet has no clinical document with text")


def doc_coding(f: Facts, s: Study) -> Outcome:
    return met() if studies_for(f.request.cpt_codes) else unmet("no requested code belongs to this policy")


register_predicates({"DOC.records": doc_records, "DOC.coding": doc_coding})
