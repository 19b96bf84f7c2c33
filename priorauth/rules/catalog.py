"""A guideline's criteria: data (`criteria.json`, keyed by id) joined to predicates registered by id.

The data says what a criterion is (title, verbatim quotes, what would satisfy
it, regions, and declared behaviour: its group, which indications it
supersedes, when a limitation gives way); the predicate, a small pure Python
function, says whether the facts meet it. Predicates are registered by id in
the spirit of spaCy's registries (`@predicate("A.i")`) so a new guideline adds
functions and data, never edits the decision code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Optional, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from priorauth.codes import code_table
from priorauth.guidelines import Guideline, per_guideline
from priorauth.rules.criterion import Criterion, Kind, Predicate
from priorauth.rules.policy import cite
from priorauth.validate import DataFileError, load_model

PREDICATES: dict[str, Predicate] = {}
P = TypeVar("P", bound=Callable)


def predicate(*ids: str) -> Callable[[P], P]:
    """Register a function as the predicate of these criterion ids."""

    def add(fn: P) -> P:
        for i in ids:
            if i in PREDICATES and PREDICATES[i] is not fn:
                raise ValueError(f"predicate {i!r} is registered twice")
            PREDICATES[i] = fn
        return fn

    return add


def register_predicates(table: dict[str, Predicate]) -> None:
    for i, fn in table.items():
        predicate(i)(fn)


class Lift(BaseModel):
    """A limitation that gives way when the study is requested for another met indication."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    except_: list[str] = Field(default=[], alias="except", description="Indications inside the limitation's own scope: they never lift it (labeling.md).")
    unless_finding: Optional[str] = Field(default=None, description="A finding that keeps the limitation in force.")
    own_findings: list[str] = Field(default=[], description=(
        "Findings inside the limitation's scope: an indication met on these alone (beside the pain it needs) does not "
        "lift it. A lumbar study in a suspected-MS work-up is not made necessary by the myelopathy's own signs; a "
        "one-sided deficit (a root's foot drop) is outside that scope."))


class CriterionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    kind: Kind
    quotes: list[str] = Field(min_length=1)
    needed: str
    regions: Optional[list[str]] = None
    exam_evidence: bool = False
    group: Optional[str] = None
    supersedes: list[str] = []
    lifted_by_other_indication: Optional[Lift] = None
    predicate: Optional[str] = Field(default=None, description="Registered predicate id; default: the criterion's own id.")
    subitems: dict[str, str] = Field(default={}, description="Sub-item id the predicate may name as met -> its verbatim policy words.")


class CriteriaFile(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    doc: str = Field(default="", alias="_doc")
    criteria: dict[str, CriterionSpec]


@dataclass(frozen=True)
class Catalog:
    """The criteria of one guideline by kind, in decision order."""

    documentation: tuple[Criterion, ...]
    indications: tuple[Criterion, ...]
    repeat: tuple[Criterion, ...]
    limitations: tuple[Criterion, ...]

    # Views computed once per guideline (the catalog is loaded once): `order` is asked per case and per id checked.
    @cached_property
    def all(self) -> tuple[Criterion, ...]:
        return self.documentation + self.indications + self.repeat + self.limitations

    @cached_property
    def order(self) -> dict[str, int]:
        return {c.id: i for i, c in enumerate(self.all)}

    @cached_property
    def limitation_ids(self) -> frozenset[str]:
        return frozenset(c.id for c in self.limitations)


def _load_predicates() -> None:
    # Only the predicates every guideline shares; a guideline's own are in its folder (Guideline.load_modules).
    import priorauth.rules.documentation  # noqa: F401


@per_guideline
def catalog(g: Guideline) -> Catalog:
    """Load and check the guideline's criteria; an unknown predicate or a non-verbatim quote fails here."""
    _load_predicates()
    g.load_modules()  # the guideline's own predicates, registered by id from its folder
    path = g.path("criteria.json")
    data = load_model(CriteriaFile, path)
    built: list[Criterion] = []
    regions = {s.region for s in g.studies.values() if s.region}
    for cid, spec in data.criteria.items():
        name = spec.predicate or cid
        if name not in PREDICATES:
            raise DataFileError(f"{path}: criterion {cid!r} names no registered predicate ({name!r})")
        if set(spec.regions or ()) - regions:
            raise DataFileError(f"{path}: criterion {cid!r} names regions no study of the guideline has "
                                f"{sorted(set(spec.regions or ()) - regions)}")
        built.append(Criterion(cid, spec.title, spec.kind, tuple(spec.quotes), PREDICATES[name], spec.needed,
                               frozenset(spec.regions) if spec.regions is not None else None, spec.exam_evidence,
                               group=spec.group, supersedes=frozenset(spec.supersedes),
                               lift=spec.lifted_by_other_indication,
                               citations=tuple(cite(q, g.id) for q in spec.quotes),
                               subitems={k: cite(q, g.id) for k, q in spec.subitems.items()}))
    indications = {c.id for c in built if c.kind == "indication"}
    for c in built:  # a limitation is lifted only from outside its scope: its scope names real indications
        unknown = set(c.lift.except_) - indications if c.lift else set()
        if unknown:
            raise DataFileError(f"{path}: limitation {c.id!r} names unknown indications in its scope {sorted(unknown)}")
        strange = set(c.lift.own_findings) - set(code_table().by_code) if c.lift else set()
        if strange:
            raise DataFileError(f"{path}: limitation {c.id!r} names unknown finding codes as its own {sorted(strange)}")
    by = {k: tuple(c for c in built if c.kind == k) for k in ("documentation", "indication", "repeat", "limitation")}
    return Catalog(by["documentation"], by["indication"], by["repeat"], by["limitation"])
