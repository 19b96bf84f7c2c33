"""The documentation is checked like code: the README is a short front page whose links resolve, the guides
build with MkDocs in strict mode, every CLI option and environment variable the code reads is documented, and
every command shown in a guide's code blocks uses only options its subcommand accepts."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from priorauth.cli import app
from priorauth.service.worker import build_parser

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README = ROOT / "README.md"


def docs_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(DOCS.glob("*.md"))) + README.read_text(encoding="utf-8")


def cli_commands() -> dict:
    group = typer.main.get_command(app)
    return dict(group.commands)


def option_names(cmd) -> set[str]:
    return {o for p in cmd.params for o in (*p.opts, *p.secondary_opts) if o.startswith("-")} | {"--help"}


def test_readme_is_a_front_page_whose_links_resolve():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 150
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    assert links, "the README links to its guides"
    for link in links:
        if re.match(r"[a-z]+://", link):
            continue
        path = link.split("#", 1)[0]
        assert (ROOT / path).exists(), f"README links to {link}, which does not exist"
    for guide in ("reviewer-guide", "cli", "operator-guide", "api-fhir", "input-formats", "evaluation",
                  "policy-readings", "adding-a-guideline", "architecture", "changelog"):
        assert f"docs/{guide}.md" in text


def test_mkdocs_builds_in_strict_mode(tmp_path):
    r = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(ROOT / "mkdocs.yml"),
                        "-d", str(tmp_path / "site")], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-3000:]
    assert (tmp_path / "site" / "index.html").exists()


def test_every_cli_option_is_documented():
    text = docs_text()
    missing = [f"priorauth {name} {opt}" for name, cmd in cli_commands().items() for opt in sorted(option_names(cmd))
               if opt.startswith("--") and opt != "--help" and opt not in text]
    missing += [f"priorauth.service.worker {o}" for a in build_parser()._actions for o in a.option_strings
                if o.startswith("--") and o != "--help" and o not in text]
    assert not missing, "options missing from docs/: " + ", ".join(missing)


ENV_READ = re.compile(r"""(?:environ\.get|getenv|environ\.setdefault|environ\[|envvar=|_env\()\s*\(?\s*["']([A-Z][A-Z0-9_]+)["']""")
ENV_LITERAL = re.compile(r"""["']((?:PRIORAUTH|OPENAI)_[A-Z0-9_]+)["']""")


def env_vars_read() -> set[str]:
    names: set[str] = set()
    for py in (ROOT / "priorauth").rglob("*.py"):
        src = py.read_text(encoding="utf-8")
        names |= set(ENV_READ.findall(src)) | set(ENV_LITERAL.findall(src))
    return names


def test_every_environment_variable_is_documented():
    names = env_vars_read()
    assert {"PRIORAUTH_DATABASE_URL", "OPENAI_API_KEY"} <= names  # the scan finds what it must
    text = docs_text()
    missing = sorted(n for n in names if n not in text)
    assert not missing, "environment variables missing from docs/: " + ", ".join(missing)


def shown_commands() -> list[tuple[str, str]]:
    """(guide, command line) for every `priorauth ...` line in a code block of the README and the guides."""
    found = []
    for page in [README, *sorted(DOCS.glob("*.md"))]:
        for block in re.findall(r"```[a-z]*\n(.*?)```", page.read_text(encoding="utf-8"), re.S):
            for line in block.replace("\\\n", " ").splitlines():
                line = line.split(" #", 1)[0].strip()
                m = re.search(r"(?:^|\s|/)priorauth\s+([a-z][a-z-]*(?:\s.*)?)$", line)
                if m and not line.startswith(("from ", "import ", "{", "\"")):
                    found.append((page.name, "priorauth " + m.group(1)))
                elif "priorauth.service.worker" in line:
                    found.append((page.name, "priorauth.service.worker " + line.split("priorauth.service.worker", 1)[1]))
    return found


def test_guides_show_commands():
    assert len(shown_commands()) >= 10


@pytest.mark.parametrize("page,line", shown_commands())
def test_every_command_shown_parses(page, line):
    commands = cli_commands()
    args = shlex.split(line.replace("[", " ").replace("]", " ").replace("|", " ").replace("...", " "))
    if args[0] == "priorauth.service.worker":
        accepted = {o for a in build_parser()._actions for o in a.option_strings}
        args[0:1] = ["worker"]
    else:
        args = args[1:]
        assert args and args[0] in commands, f"{page}: unknown subcommand in `{line}`"
        accepted = option_names(commands[args[0]])
    used = {a.split("=", 1)[0] for a in args[1:] if re.match(r"--?[a-z]", a)}
    unknown = sorted(used - accepted)
    assert not unknown, f"{page}: `{line}` uses options `priorauth {args[0]}` does not accept: {unknown}"


def documented_path(path: str) -> str:
    """A route as the guides write it: every path parameter is `{...}`, whatever its name."""
    return re.sub(r"\{[a-z_]+\}", "{}", path)


def test_every_http_route_is_in_the_api_guide(tmp_path):
    """Every route of /openapi.json (the JSON API and the FHIR endpoint) is listed in docs/api-fhir.md."""
    from priorauth.service.app import create_app
    from priorauth.service.settings import Settings

    schema = create_app(Settings(data_dir=tmp_path), start_workers=False).openapi()
    routes = {documented_path(p) for p in schema["paths"]}
    assert {"/api/requests", "/fhir/Claim/$submit"} <= routes  # the scan sees both routers
    guide = (DOCS / "api-fhir.md").read_text(encoding="utf-8")
    written = {documented_path(p) for p in re.findall(r"`(?:[A-Z]+(?:\s*/\s*[A-Z]+)*\s+)?(/(?:api|fhir)/[^`\s?]*)", guide)}
    # `/claim`, `/release` and `.pdf` / `.html` shorthands in the table name the routes beside them
    written |= {w.replace(".pdf", ".{}") for w in written}
    missing = sorted(r for r in routes if r not in written
                     and not (r.endswith("/release") and r.replace("/release", "/claim") in written))
    assert not missing, "routes missing from docs/api-fhir.md: " + ", ".join(missing)


def test_every_environment_variable_is_in_the_operator_settings_table():
    """The operator's guide gathers every setting in one table (its Configuration section)."""
    guide = (DOCS / "operator-guide.md").read_text(encoding="utf-8")
    section = guide.split("## Install and configuration", 1)[1].split("\n## ", 1)[0]
    table = "\n".join(line for line in section.splitlines() if line.startswith("|"))
    settings = {n for n in env_vars_read() if n.startswith(("PRIORAUTH_", "OPENAI_"))}  # not OMP_/TMPDIR we set
    missing = sorted(n for n in settings if f"`{n}" not in table)
    assert not missing, "settings missing from the operator guide's table: " + ", ".join(missing)


WORK_LOG = re.compile(r"\bissues? #?\d+|\bitems? \d+\b|\bbranch(es)?\b|\bthis session\b", re.I)
DATED_FIGURE = re.compile(r"(measured|benchmarks?/|run)[^|]{0,100}?\b20\d\d-[01]\d-[0-3]\d", re.I | re.S)


def test_user_docs_carry_no_work_items_branches_or_dated_logs():
    """User docs name no work items or branches; only the evaluation guide (and the changelog's release
    headings) carry dates of measurement."""
    for page in [README, *sorted(DOCS.glob("*.md"))]:
        text = page.read_text(encoding="utf-8")
        assert not WORK_LOG.search(text), f"{page.name}: {WORK_LOG.search(text).group(0)!r}"
        if page.name not in ("evaluation.md", "changelog.md"):
            m = DATED_FIGURE.search(text)
            assert not m, f"{page.name}: a dated measurement belongs in evaluation.md: {m.group(0)!r}"
