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
