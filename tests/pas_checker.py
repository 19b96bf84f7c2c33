"""A checker of PAS 2.2.1 responses against the IG's StructureDefinitions (vendored in tests/fhir_pas/profiles).

Why this and not a library: no maintained Python package validates against
FHIR profiles (the HL7 validator is Java, Firely's .NET, neither installable
from PyPI). So three layers, each from the best tool for it:

1. Structure and datatypes: the `fhir.resources` R4B models (already a
   dependency), every entry's resource.
2. The profiles: this walk over each StructureDefinition snapshot, in the
   element tree of the instance: cardinality (min/max, per parent instance),
   fixed and pattern values, slices (extensions by url, Bundle entries by
   resource type), the types of choice elements, nested extension profiles and
   entry-resource profiles, and required bindings. A required binding whose
   value set the package expands (enumerates its codes) is checked code by
   code; the others are checked by code system only (`BY_SYSTEM` lists them;
   their codes are X12's or LOINC's, not in the package).
3. Invariants: the profiles' own FHIRPath constraints (ClaimResponseFirst,
   FullDateRule, IdentifierUnlessVO ...), evaluated with `fhirpathpy`, the
   maintained FHIRPath engine for Python (the R4 core invariants are left to
   layer 1).

Plus references: every literal reference in the Bundle must resolve inside it
by the FHIR Bundle rules (absolute: a fullUrl; relative `Type/id`: against a
RESTful fullUrl's base; `#id`: contained).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Optional

import fhirpathpy

from priorauth.fhir.errors import FhirError
from priorauth.fhir.resources import validate as r4_validate

PROFILES = Path(__file__).resolve().parent / "fhir_pas" / "profiles"
PAS = "http://hl7.org/fhir/us/davinci-pas"

# Required bindings to value sets that are not in the package: checked by code system only.
BY_SYSTEM = {
    "https://valueset.x12.org/x217/005010/response/2000F/HCR/1/01/00/306": "https://codesystem.x12.org/005010/306",
    "https://valueset.x12.org/x217/005010/response/2000D/PWK/1/01/00/755": "https://codesystem.x12.org/005010/755",
    "http://loinc.org/vs/valid-hl7-attachment-requests": "http://loinc.org",
}

# Required bindings of FHIR R4 core to small code lists (from the R4 specification, not the PAS package).
CORE = {
    "http://hl7.org/fhir/ValueSet/fm-status": {"active", "cancelled", "draft", "entered-in-error"},
    "http://hl7.org/fhir/ValueSet/claim-use": {"claim", "preauthorization", "predetermination"},
    "http://hl7.org/fhir/ValueSet/bundle-type": {"document", "message", "transaction", "transaction-response", "batch",
                                                 "batch-response", "history", "searchset", "collection"},
}


def _strip(url: Optional[str]) -> str:
    return (url or "").split("|")[0]


@lru_cache(maxsize=1)
def _load() -> tuple[dict[str, dict], dict[str, dict]]:
    sds, vss = {}, {}
    for p in PROFILES.glob("*.json"):
        r = json.loads(p.read_text(encoding="utf-8"))
        (sds if r["resourceType"] == "StructureDefinition" else vss)[r["url"]] = r
    return sds, vss


def by_system_bindings() -> dict[str, set[str]]:
    """Value set url -> the code systems it is checked by (those the package does not expand), for the docs and tests."""
    _, vss = _load()
    out = {vs: {sys} for vs, sys in BY_SYSTEM.items()}
    for url, vs in vss.items():
        systems = {i["system"] for i in vs.get("compose", {}).get("include", []) if "concept" not in i}
        if systems:
            out[url] = systems
    return out


class Tree:
    """The snapshot of one StructureDefinition as a tree of element ids."""

    def __init__(self, sd: dict):
        self.sd = sd
        self.elements = {e["id"]: e for e in sd["snapshot"]["element"]}
        self.children: dict[str, list[str]] = {}
        for eid in self.elements:
            if "." in eid:
                parent, _ = eid.rsplit(".", 1)
                self.children.setdefault(parent, []).append(eid)
        self.root = sd["snapshot"]["element"][0]["id"]


def _name(eid: str) -> tuple[str, Optional[str]]:
    last = eid.rsplit(".", 1)[-1]
    name, _, slice_name = last.partition(":")
    return name, slice_name or None


def _values(node: Any, name: str, types: list[str]) -> list[tuple[str, Any]]:
    """(json key, value) of element `name` in a JSON object; choice elements match valueX keys of their types."""
    if not isinstance(node, dict):
        return []
    if name.endswith("[x]"):
        base = name[:-3]
        keys = [k for k in node if k.startswith(base) and len(k) > len(base) and k[len(base)].isupper()]
    else:
        keys = [name] if name in node else []
    out = []
    for k in keys:
        v = node[k]
        out += [(k, x) for x in v] if isinstance(v, list) else [(k, v)]
    return out


def _matches_pattern(value: Any, pattern: Any) -> bool:
    """FHIR pattern semantics: every element of the pattern is present in the value (arrays: each pattern item matches one)."""
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(_matches_pattern(value.get(k), v) for k, v in pattern.items())
    if isinstance(pattern, list):
        return isinstance(value, list) and all(any(_matches_pattern(v, p) for v in value) for p in pattern)
    return value == pattern


class Checker:
    """`check(bundle, profile)` -> list of errors (empty when the Bundle conforms), each naming the path."""

    def __init__(self) -> None:
        self.sds, self.vss = _load()
        self.trees = {url: Tree(sd) for url, sd in self.sds.items()}
        self.not_vendored: set[str] = set()

    # --- bindings ---------------------------------------------------------------------------------------------
    def _allowed(self, vs_url: str) -> Optional[tuple[set[tuple[str, str]], set[str]]]:
        """(enumerated (system, code) pairs, whole systems) of a value set, or None when it is unknown here."""
        url = _strip(vs_url)
        if url in CORE:
            return {(None, c) for c in CORE[url]}, set()
        if url in BY_SYSTEM:
            return set(), {BY_SYSTEM[url]}
        vs = self.vss.get(url)
        if vs is None:
            self.not_vendored.add(url)
            return None
        codes, systems = set(), set()
        for inc in vs.get("compose", {}).get("include", []):
            if "concept" in inc:
                codes |= {(inc["system"], c["code"]) for c in inc["concept"]}
            else:
                systems.add(inc["system"])
        return codes, systems

    def _binding(self, key: str, value: Any, binding: dict, path: str) -> list[str]:
        allowed = self._allowed(binding["valueSet"])
        if allowed is None:
            return []
        codes, systems = allowed

        def ok(system: Optional[str], code: Optional[str]) -> bool:
            return (system, code) in codes or system in systems or (system is None and any(c == code for _, c in codes))

        if isinstance(value, str):  # a code: its system is the value set's
            fine = any(c == value for _, c in codes) or bool(systems)
        elif isinstance(value, dict) and "coding" in value:
            fine = any(ok(c.get("system"), c.get("code")) for c in value["coding"])
        elif isinstance(value, dict) and "code" in value:
            fine = ok(value.get("system"), value.get("code"))
        else:
            fine = True  # a string carrying a code (CommunicationRequest.payload.contentString): not a coded type
        return [] if fine else [f"{path}: not in the required value set {binding['valueSet']}"]

    # --- the walk ---------------------------------------------------------------------------------------------
    def _slice_filter(self, tree: Tree, eid: str, slice_id: str, values: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
        """The values of element `eid` that belong to the slice `slice_id`."""
        slicing = tree.elements[eid].get("slicing") or {}
        disc = (slicing.get("discriminator") or [{}])[0]
        el = tree.elements[slice_id]
        if disc.get("type") == "value" and disc.get("path") == "url":
            url = tree.elements.get(f"{slice_id}.url", {}).get("fixedUri")
            if url is None:
                prof = [p for t in el.get("type") or [] for p in t.get("profile") or []]
                url = _strip(prof[0]) if prof else None
            return [(k, v) for k, v in values if isinstance(v, dict) and v.get("url") == url]
        if disc.get("type") in ("type", "profile") and disc.get("path") == "resource":
            kinds = {t["code"] for t in tree.elements.get(f"{slice_id}.resource", {}).get("type") or []}
            return [(k, v) for k, v in values if isinstance(v, dict) and (v.get("resource") or {}).get("resourceType") in kinds]
        if disc.get("path") == "$this" and ":" in slice_id.rsplit(".", 1)[-1]:  # value[x]:valueDate
            key = slice_id.rsplit(":", 1)[1]
            return [(k, v) for k, v in values if k == key]
        return []

    def _element(self, tree: Tree, eid: str, values: list[tuple[str, Any]], path: str, root: Any) -> list[str]:
        el = tree.elements[eid]
        errs: list[str] = []
        n = len(values)
        if n < el.get("min", 0):
            errs.append(f"{path}: {n} found, the profile requires at least {el['min']} ({eid})")
        mx = el.get("max", "*")
        if mx != "*" and n > int(mx):
            errs.append(f"{path}: {n} found, the profile allows at most {mx} ({eid})")
        types = el.get("type") or []
        for i, (key, v) in enumerate(values):
            here = f"{path}[{i}]" if n > 1 else path
            for k, fixed in el.items():
                if k.startswith("fixed") and v != fixed:
                    errs.append(f"{here}: must be {fixed!r} (fixed by {eid})")
                if k.startswith("pattern") and not _matches_pattern(v, fixed):
                    errs.append(f"{here}: must match {json.dumps(fixed)} (pattern of {eid})")
            if types and key != eid.rsplit(".", 1)[-1] and "[x]" in eid:
                suffix = key[len(_name(eid)[0]) - 3:]
                if suffix.lower() not in {t["code"].lower() for t in types}:
                    errs.append(f"{here}: type {suffix} is not allowed here ({eid})")
            b = el.get("binding")
            if b and b.get("strength") == "required" and b.get("valueSet"):
                errs += self._binding(key, v, b, here)
            for c in el.get("constraint") or []:
                if c.get("severity") == "error" and str(c.get("source", "")).startswith(PAS):
                    try:
                        res = fhirpathpy.evaluate(v, c["expression"], {})
                    except Exception as exc:  # noqa: BLE001 - an expression the engine cannot run is reported, not skipped
                        errs.append(f"{here}: invariant {c['key']} could not be evaluated ({type(exc).__name__})")
                        continue
                    if res and res != [True] and not all(r is True for r in res):
                        errs.append(f"{here}: invariant {c['key']} fails: {c['expression']}")
            for t in types:  # nested profiles: an extension's definition, an entry resource's profile
                for prof in t.get("profile") or []:
                    target = self.trees.get(_strip(prof))
                    if target is None:
                        self.not_vendored.add(_strip(prof))
                    elif t["code"] == "Extension" or isinstance(v, dict) and v.get("resourceType") == target.sd["type"]:
                        errs += self._walk(target, target.root, v, here, root)
            if isinstance(v, dict) and not (types and types[0]["code"][0].islower() and types[0]["code"] != "code"):
                errs += self._children(tree, eid, v, here, root)
        return errs

    def _children(self, tree: Tree, eid: str, node: dict, path: str, root: Any) -> list[str]:
        errs: list[str] = []
        for cid in tree.children.get(eid, []):
            name, slice_name = _name(cid)
            if slice_name:
                continue
            el = tree.elements[cid]
            values = _values(node, name, [t["code"] for t in el.get("type") or []])
            errs += self._element(tree, cid, values, f"{path}.{name}", root)
            for sid in tree.children.get(eid, []):
                sname, sslice = _name(sid)
                if sslice and sname == name:
                    errs += self._element(tree, sid, self._slice_filter(tree, cid, sid, values), f"{path}.{name}:{sslice}", root)
        return errs

    def _walk(self, tree: Tree, eid: str, node: Any, path: str, root: Any) -> list[str]:
        el = tree.elements[eid]
        errs: list[str] = []
        for c in el.get("constraint") or []:
            if c.get("severity") == "error" and str(c.get("source", "")).startswith(PAS):
                res = fhirpathpy.evaluate(node, c["expression"], {})
                if res and not all(r is True for r in res):
                    errs.append(f"{path}: invariant {c['key']} fails: {c['expression']}")
        return errs + (self._children(tree, eid, node, path, root) if isinstance(node, dict) else [])

    # --- entry points -----------------------------------------------------------------------------------------
    def check(self, bundle: dict, profile: str) -> list[str]:
        """Every problem of `bundle` against the profile (a Bundle profile url), the R4 models and the reference rules."""
        errs: list[str] = []
        for i, e in enumerate(bundle.get("entry") or []):
            res = e.get("resource") or {}
            try:
                r4_validate(res)
            except FhirError as exc:
                errs.append(f"Bundle.entry[{i}].resource: {exc}")
        try:
            r4_validate(bundle, "Bundle")
        except FhirError as exc:
            errs.append(str(exc))
        tree = self.trees[_strip(profile)]
        errs += self._walk(tree, tree.root, bundle, "Bundle", bundle)
        for i, e in enumerate(bundle.get("entry") or []):  # each entry against the vendored profiles it declares
            res = e.get("resource") or {}
            for prof in (res.get("meta") or {}).get("profile") or []:
                target = self.trees.get(_strip(prof))
                if target is not None and target.sd["type"] == res.get("resourceType"):
                    errs += self._walk(target, target.root, res, f"Bundle.entry[{i}].resource", bundle)
        errs += unresolved_references(bundle)
        return list(dict.fromkeys(errs))


def _references(obj: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(obj, dict):
        if isinstance(obj.get("reference"), str):
            yield path, obj["reference"]
        for k, v in obj.items():
            if k != "contained":
                yield from _references(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _references(v, f"{path}[{i}]")


def check_resource(resource: dict, profile: str) -> list[str]:
    """One resource (not a Bundle) against a vendored profile and the R4 models."""
    c = checker()
    tree = c.trees[_strip(profile)]
    errs = c._walk(tree, tree.root, resource, resource.get("resourceType", "resource"), resource)
    try:
        r4_validate(resource)
    except FhirError as exc:
        errs.append(str(exc))
    return errs


def unresolved_references(bundle: dict) -> list[str]:
    """References that do not resolve inside the Bundle (FHIR R4 Bundle resolution rules)."""
    urls = {e.get("fullUrl") for e in bundle.get("entry") or []}
    errs = []
    for i, e in enumerate(bundle.get("entry") or []):
        res = e.get("resource") or {}
        contained = {c.get("id") for c in res.get("contained") or []}
        full = e.get("fullUrl") or ""
        for path, ref in _references(res, f"Bundle.entry[{i}].resource"):
            if ref.startswith("#"):
                ok = ref[1:] in contained
            elif ref.startswith("urn:") or "://" in ref:
                ok = ref in urls
            else:
                parts = full.rstrip("/").split("/")
                ok = "://" in full and len(parts) >= 2 and "/".join(parts[:-2] + [ref]) in urls
            if not ok:
                errs.append(f"{path}.reference: {ref!r} does not resolve inside the Bundle")
    return errs


RESPONSE = f"{PAS}/StructureDefinition/profile-pas-response-bundle"
INQUIRY_RESPONSE = f"{PAS}/StructureDefinition/profile-pas-inquiry-response-bundle"


@lru_cache(maxsize=1)
def checker() -> Checker:
    return Checker()


def assert_conforms(bundle: dict, profile: str = RESPONSE) -> None:
    errs = checker().check(bundle, profile)
    assert not errs, "\n".join(errs[:20])
