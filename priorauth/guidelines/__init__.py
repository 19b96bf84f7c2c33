"""The installed guidelines, each one folder of data selected by id (and version).

A guideline folder holds `guideline.json` (identity, version, effective date and
the CPT codes it covers), the vendored policy text, its lexicons, ConText,
section, qualifier, attribution, care and contrast files, its LLM prompt and any
Python modules of its own predicates. Code never names a folder: it asks
`get(ref)`, or `get()` for the guideline active in this context (`using(ref)`),
so reviews under different guidelines share one process. A ref is an id (the
version active here, else the newest) or `id@version`. Several versions of one
guideline may be installed; `in_effect(id, day)` picks the one for a date, and
`route(codes, day)` finds the guideline that covers each requested code.
"""

from __future__ import annotations

import functools
import hashlib
import json
import importlib
import importlib.util
import re
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterator, Literal, Optional, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from priorauth.models import PolicyIdentity

DEFAULT = "wps-mri-spine"
T = TypeVar("T")


class StudySpec(BaseModel):
    """What a requested CPT code asks for: body region, contrast, low-field scanner, and the guideline's own features."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    region: Optional[str] = None
    contrast: Optional[Literal["without", "with", "without_then_with"]] = None
    low_field: bool = False
    features: list[str] = Field(default=[], description="Words the guideline's predicates read ('transforaminal', 'unguided', 'add_on').")


class Manifest(BaseModel):
    """`guideline.json`: who the guideline is and which codes it covers."""

    model_config = ConfigDict(extra="forbid")
    id: str
    title: str
    number: str
    effective: str = Field(description="MM/DD/YYYY: the first day this version applies.")
    version: Optional[str] = Field(default=None, description="This version's name (default: its effective date); id@version names it.")
    short_name: Optional[str] = Field(default=None, description="A short name for identifiers (the FHIR Questionnaire's id and url); default: the id.")
    modules: list[str] = Field(default=[], description="Python files in the folder that register the guideline's own predicates and readers.")
    policy_file: str = "policy.txt"
    region_words: dict[str, str] = Field(default={}, description="Body region -> regex naming it in a note, tried in order.")
    study_body_words: dict[str, str] = Field(default={}, description=(
        "Body region -> regex of the plain body words a study is named by ('an MRI of her neck', 'of his low back'): "
        "read only in a study's own words, where 'back' cannot be a pain elsewhere."))
    study_joiners: list[str] = Field(default=[], description=(
        "Words that may stand between a study's name and the regions written after it ('was of the lumbar region', "
        "'MRI brain + C-spine + T-spine'): anything else ends the list."))
    level_words: dict[str, str] = Field(default={}, description=(
        "Body region -> regex (case-sensitive) naming its levels or roots ('L4-5', 'C6', 'S1'): where a surgery or an "
        "EMG finding was, when the words name no region."))
    limb_words: dict[str, str] = Field(default={}, description=(
        "Spinal region -> regex naming the limb or root territory that region serves ('deltoid', 'grip', 'hand' for "
        "cervical; 'EHL', 'foot drop', 'thigh' for lumbar): where a deficit is, read beside its words."))
    studies: dict[str, StudySpec]
    prior_study_code: Optional[str] = Field(
        default=None, description="The finding code that records a recent study of the same region; it brings in the repeat criteria.")
    repeat_not_met: str = Field(
        default="a recent study of the same region was done and no repeat criterion is met",
        description="The reason a reviewer reads when a recent study exists and no repeat criterion is met.")


@dataclass(frozen=True)
class Study:
    """A requested study this guideline covers (from its CPT-to-study map)."""

    cpt: str
    region: Optional[str]
    contrast: Optional[Literal["without", "with", "without_then_with"]]
    low_field: bool = False
    features: tuple[str, ...] = ()


@dataclass(eq=False)
class Guideline:
    """One installed guideline: its folder and validated manifest."""

    root: Path
    manifest: Manifest = field(repr=False)

    @property
    def id(self) -> str:
        return self.manifest.id

    @property
    def version(self) -> str:
        return self.manifest.version or self.manifest.effective

    @property
    def ref(self) -> str:
        """`id@version`: names this version wherever an id is accepted."""
        return f"{self.id}@{self.version}"

    @cached_property
    def starts(self) -> date:
        return datetime.strptime(self.manifest.effective, "%m/%d/%Y").date()

    def load_modules(self) -> None:
        """Import the folder's own Python modules (they register predicates and readers), once per content.

        A module inside the package is imported by its dotted name; one elsewhere (a guideline installed
        from another folder) from its file. A copy with the same content as one already imported is skipped,
        so two versions sharing their code register it once.
        """
        for name in self.manifest.modules:
            path = self.path(name)
            digest = _digest(path)
            if digest in _MODULES:
                continue
            try:
                rel = path.resolve().relative_to(Path(__file__).parent.resolve())
            except ValueError:
                rel = None
            if rel is not None:
                module = importlib.import_module(".".join((__name__, *rel.with_suffix("").parts)))
            else:
                spec = importlib.util.spec_from_file_location(f"priorauth_guideline_{path.stem}_{digest[:16]}", path)
                assert spec is not None and spec.loader is not None, path
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
            _MODULES[digest] = module

    def path(self, *parts: str) -> Path:
        return self.root.joinpath(*parts)

    def read_text(self, *parts: str) -> str:
        return self.path(*parts).read_text(encoding="utf-8")

    def read_json(self, *parts: str) -> Any:
        return json.loads(self.read_text(*parts))

    @cached_property
    def policy_text(self) -> str:
        return self.read_text(self.manifest.policy_file)

    @cached_property
    def studies(self) -> dict[str, Study]:
        """CPT code -> study, from the manifest."""
        return {cpt: Study(cpt, s.region, s.contrast, s.low_field, tuple(s.features)) for cpt, s in self.manifest.studies.items()}

    @cached_property
    def region_words(self) -> tuple[tuple[str, re.Pattern[str]], ...]:
        """(region, case-insensitive regex) pairs in the manifest's order."""
        return tuple((r, re.compile(p, re.I)) for r, p in self.manifest.region_words.items())

    def region_named(self, text: str) -> Optional[str]:
        """The first region whose words occur in `text`."""
        return next((r for r, rx in self.region_words if rx.search(text)), None)

    @cached_property
    def study_body_words(self) -> tuple[tuple[str, re.Pattern[str]], ...]:
        return tuple((r, re.compile(p, re.I)) for r, p in self.manifest.study_body_words.items())

    @cached_property
    def study_joiners(self) -> frozenset[str]:
        return frozenset(w.lower() for w in self.manifest.study_joiners)

    def study_region_named(self, text: str) -> Optional[str]:
        """The region a study's own words name, by region words first, then by plain body words."""
        return self.region_named(text) or next((r for r, rx in self.study_body_words if rx.search(text)), None)

    @cached_property
    def level_words(self) -> tuple[tuple[str, re.Pattern[str]], ...]:
        return tuple((r, re.compile(p)) for r, p in self.manifest.level_words.items())

    @cached_property
    def limb_words(self) -> tuple[tuple[str, re.Pattern[str]], ...]:
        return tuple((r, re.compile(p, re.I)) for r, p in self.manifest.limb_words.items())

    def limbs_of(self, text: str) -> set[str]:
        """The spinal regions whose limb territory `text` names ('left deltoid 4/5' -> cervical)."""
        return {r for r, rx in self.limb_words if rx.search(text)}

    def region_of(self, text: str) -> Optional[str]:
        """The region `text` names by words or, failing that, by its levels; None when none or several levels do."""
        named = self.region_named(text)
        if named:
            return named
        found = {r for r, rx in self.level_words if rx.search(text)}
        return found.pop() if len(found) == 1 else None

    @cached_property
    def identity(self) -> PolicyIdentity:
        m = self.manifest
        nxt = next((v for v in versions(m.id) if v.starts > self.starts), None)
        return PolicyIdentity(id=m.id, title=m.title, number=m.number, effective=m.effective,
                              sha256=hashlib.sha256(self.policy_text.encode("utf-8")).hexdigest(), version=self.version,
                              effective_until=nxt.manifest.effective if nxt else None)


_MODULES: dict[str, ModuleType] = {}  # sha256 of a guideline module's source -> the module imported from it
_DIGESTS: dict[tuple[Path, int, int], str] = {}  # (path, mtime, size) -> sha256 of the file


def _digest(path: Path) -> str:
    """A module file's sha256, hashed again only when its modification time or size changes: every review asks."""
    st = path.stat()
    key = (path, st.st_mtime_ns, st.st_size)
    digest = _DIGESTS.get(key)
    if digest is None:
        digest = _DIGESTS[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest
_INSTALLED: dict[str, list[Guideline]] = {}  # id -> its installed versions, oldest first
_ACTIVE: ContextVar[str] = ContextVar("priorauth_guideline", default=DEFAULT)
_GENERATION = 0  # bumped by register(): a name may then mean another version


def load(root: Path) -> Guideline:
    """Read and validate a guideline folder (raises naming the file on a bad manifest)."""
    from priorauth.validate import load_model

    return Guideline(Path(root), load_model(Manifest, Path(root) / "guideline.json"))


def register(root: Path) -> Guideline:
    """Install the guideline in `root` under its id and version (the one place guidelines are listed).

    Another version of an installed id is added beside it; the same version again replaces it.
    """
    global _GENERATION
    g = load(root)
    kept = [v for v in _INSTALLED.get(g.id, []) if v.version != g.version]
    _INSTALLED[g.id] = sorted(kept + [g], key=lambda v: v.starts)
    _GENERATION += 1  # per_guideline's fast lookups name guidelines as they were installed
    for v in _INSTALLED[g.id]:
        v.__dict__.pop("identity", None)  # its effective_until may change
    return g


def installed() -> list[str]:
    return sorted(_INSTALLED)


def versions(guideline_id: str) -> list[Guideline]:
    """The installed versions of a guideline, oldest first."""
    return list(_INSTALLED.get(guideline_id, []))


def _unknown(ref: str) -> ValueError:
    return ValueError(f"unknown guideline {ref!r}; installed: {', '.join(installed())}")


def get(ref: Optional[str] = None) -> Guideline:
    """The guideline named by `ref` (id or id@version), or the one active in this context.

    A bare id is the version active here when the active guideline has that id, else the newest installed.
    """
    key = ref or _ACTIVE.get()
    gid, _, version = key.partition("@")
    found = _INSTALLED.get(gid)
    if not found:
        raise _unknown(key)
    if version:
        hit = next((v for v in found if v.version == version), None)
        if hit is None:
            raise _unknown(key)
        return hit
    active_id, _, active_version = _ACTIVE.get().partition("@")
    if ref and active_id == gid and active_version:
        return get(_ACTIVE.get())
    return found[-1]


def ref_of(policy: Optional[PolicyIdentity]) -> Optional[str]:
    """The installed guideline a stored review was made under: its id@version when that version is installed, else its id."""
    if policy is None or policy.id is None:
        return None
    if policy.version and any(v.version == policy.version for v in versions(policy.id)):
        return f"{policy.id}@{policy.version}"
    return policy.id


def in_effect(guideline_id: str, day: Optional[date]) -> tuple[Guideline, str]:
    """The version of `guideline_id` in effect on `day`, and a note when it is not simply that.

    Before the earliest installed version that version applies (labeled packets predate most
    policies' current revision); with no date the newest applies. The note says which happened.
    """
    found = versions(guideline_id)
    if not found:
        raise _unknown(guideline_id)
    if day is None:
        return found[-1], f"no date of service or request date: the newest installed version ({found[-1].version}) applied"
    current = [v for v in found if v.starts <= day]
    if current:
        return current[-1], ""
    first = found[0]
    return first, (f"the date of service {day.isoformat()} precedes the earliest installed version "
                   f"(effective {first.manifest.effective}); that version applied")


@dataclass(frozen=True)
class Route:
    """The guideline version that reviews some of a request's codes."""

    guideline: Guideline
    codes: tuple[str, ...]
    note: str = ""


def route(cpt_codes: Optional[list[str]], day: Optional[date] = None) -> list[Route]:
    """Group requested codes by the installed guideline that covers them (in its version for `day`).

    Codes no guideline covers are left out; a code two guidelines cover goes to the first installed.
    """
    routes: dict[str, Route] = {}
    for raw in cpt_codes or []:
        code = raw.strip().upper()
        for gid in _INSTALLED:
            g, note = in_effect(gid, day)
            if code in g.studies:
                r = routes.get(g.ref, Route(g, (), note))
                if code not in r.codes:
                    routes[g.ref] = Route(g, r.codes + (code,), note)
                break
    return list(routes.values())


def studies_for(cpt_codes: Optional[list[str]], guideline: Optional[str] = None) -> list[Study]:
    """The requested studies the guideline covers, in request order, duplicates dropped."""
    covered = get(guideline).studies
    seen: list[Study] = []
    for raw in cpt_codes or []:
        study = covered.get(raw.strip().upper())
        if study is not None and study not in seen:
            seen.append(study)
    return seen


@contextmanager
def using(ref: Optional[str]) -> Iterator[Guideline]:
    """Make the guideline `ref` names (id or id@version) the active one for the code run inside the block."""
    g = get(ref)
    token = _ACTIVE.set(g.ref)
    try:
        yield g
    finally:
        _ACTIVE.reset(token)


def per_guideline(load_fn: Callable[[Guideline], T]) -> Callable[..., T]:
    """Cache a loader of guideline data once per guideline version; call it with a ref or none (the active one).

    The loader runs with its guideline active, so loaders it calls by id read the same version.
    """
    cache: dict[str, T] = {}
    named: dict[tuple[Optional[str], str, int], T] = {}  # (argument, active guideline, generation) -> value

    @functools.wraps(load_fn)
    def wrapper(guideline: Optional[str] = None) -> T:
        # the rules ask for their data tens of thousands of times per packet set: resolve each name once
        key = (guideline, _ACTIVE.get(), _GENERATION)
        hit = named.get(key)
        if hit is not None:
            return hit
        g = get(guideline)
        if g.ref not in cache:
            token = _ACTIVE.set(g.ref)
            try:
                cache[g.ref] = load_fn(g)
            finally:
                _ACTIVE.reset(token)
        named[key] = cache[g.ref]
        return cache[g.ref]

    wrapper.cache_clear = cache.clear  # type: ignore[attr-defined]
    return wrapper


register(Path(__file__).parent / "wps_mri_spine")
register(Path(__file__).parent / "cms_lcd_esi")
