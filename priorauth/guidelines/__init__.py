"""The installed guidelines, each one folder of data selected by id.

A guideline folder holds `guideline.json` (identity and the CPT-to-study map),
the vendored policy text, its lexicons, ConText, section, qualifier,
attribution, care and contrast files, and its LLM prompt. Code never names a
folder: it asks `get(id)`, or `get()` for the guideline active in this context
(`using(id)`), so two reviews under different guidelines share one process.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Iterator, Literal, Optional, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from priorauth.models import PolicyIdentity

DEFAULT = "wps-mri-spine"
T = TypeVar("T")


class StudySpec(BaseModel):
    """What a requested CPT code asks for: body region, contrast, low-field scanner."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    region: Optional[str] = None
    contrast: Optional[Literal["without", "with", "without_then_with"]] = None
    low_field: bool = False


class Manifest(BaseModel):
    """`guideline.json`: who the guideline is and which codes it covers."""

    model_config = ConfigDict(extra="forbid")
    id: str
    title: str
    number: str
    effective: str
    policy_file: str = "policy.txt"
    region_words: dict[str, str] = Field(default={}, description="Body region -> regex naming it in a note, tried in order.")
    level_words: dict[str, str] = Field(default={}, description=(
        "Body region -> regex (case-sensitive) naming its levels or roots ('L4-5', 'C6', 'S1'): where a surgery or an "
        "EMG finding was, when the words name no region."))
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


@dataclass(eq=False)
class Guideline:
    """One installed guideline: its folder and validated manifest."""

    root: Path
    manifest: Manifest = field(repr=False)

    @property
    def id(self) -> str:
        return self.manifest.id

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
        return {cpt: Study(cpt, s.region, s.contrast, s.low_field) for cpt, s in self.manifest.studies.items()}

    @cached_property
    def region_words(self) -> tuple[tuple[str, re.Pattern[str]], ...]:
        """(region, case-insensitive regex) pairs in the manifest's order."""
        return tuple((r, re.compile(p, re.I)) for r, p in self.manifest.region_words.items())

    def region_named(self, text: str) -> Optional[str]:
        """The first region whose words occur in `text`."""
        return next((r for r, rx in self.region_words if rx.search(text)), None)

    @cached_property
    def level_words(self) -> tuple[tuple[str, re.Pattern[str]], ...]:
        return tuple((r, re.compile(p)) for r, p in self.manifest.level_words.items())

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
        return PolicyIdentity(id=m.id, title=m.title, number=m.number, effective=m.effective,
                              sha256=hashlib.sha256(self.policy_text.encode("utf-8")).hexdigest())


_INSTALLED: dict[str, Guideline] = {}
_ACTIVE: ContextVar[str] = ContextVar("priorauth_guideline", default=DEFAULT)


def load(root: Path) -> Guideline:
    """Read and validate a guideline folder (raises naming the file on a bad manifest)."""
    from priorauth.validate import load_model

    return Guideline(Path(root), load_model(Manifest, Path(root) / "guideline.json"))


def register(root: Path) -> Guideline:
    """Install the guideline in `root` under its id (the one place guidelines are listed)."""
    g = load(root)
    _INSTALLED[g.id] = g
    return g


def installed() -> list[str]:
    return sorted(_INSTALLED)


def get(guideline_id: Optional[str] = None) -> Guideline:
    """The guideline with this id, or the one active in this context."""
    key = guideline_id or _ACTIVE.get()
    try:
        return _INSTALLED[key]
    except KeyError:
        raise ValueError(f"unknown guideline {key!r}; installed: {', '.join(installed())}") from None


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
def using(guideline_id: Optional[str]) -> Iterator[Guideline]:
    """Make `guideline_id` the active guideline for the code run inside the block."""
    g = get(guideline_id)
    token = _ACTIVE.set(g.id)
    try:
        yield g
    finally:
        _ACTIVE.reset(token)


def per_guideline(load_fn: Callable[[Guideline], T]) -> Callable[..., T]:
    """Cache a loader of guideline data once per guideline id; call it with an id or none (the active one)."""
    cache: dict[str, T] = {}

    @functools.wraps(load_fn)
    def wrapper(guideline: Optional[str] = None) -> T:
        g = get(guideline)
        if g.id not in cache:
            cache[g.id] = load_fn(g)
        return cache[g.id]

    wrapper.cache_clear = cache.clear  # type: ignore[attr-defined]
    return wrapper


register(Path(__file__).parent / "wps_mri_spine")
