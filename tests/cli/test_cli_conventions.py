"""One command-line convention: every option explained, strict values, docs in step with the CLI."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from optimizer.cli import cli
from tests.conftest import REPO

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def _commands(group: click.Group = cli, path: tuple[str, ...] = ()):
    for name, cmd in sorted(group.commands.items()):
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*path, name))
        else:
            yield (*path, name), cmd


COMMANDS = dict(_commands())


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_every_option_has_help(path):
    cmd = COMMANDS[path]
    assert cmd.help, f"optimizer {' '.join(path)} has no description"
    for p in cmd.params:
        if isinstance(p, click.Option) and not p.hidden:
            assert p.help, f"optimizer {' '.join(path)} {p.opts[0]} has no help"


def test_writers_share_out_and_force():
    """Every command that writes a folder takes --out, and --force to replace it."""
    for path, cmd in COMMANDS.items():
        names = {o for p in cmd.params for o in getattr(p, "opts", [])}
        if "--out" in names:
            assert "--force" in names, f"optimizer {' '.join(path)} has --out but no --force"
        assert "--overwrite" not in {
            o for p in cmd.params if not getattr(p, "hidden", False) for o in p.opts
        }


@pytest.mark.parametrize("value", ["p05", "P10", "cvar", "median", "p0"])
def test_risk_values_are_strict(value, tmp_path):
    r = CliRunner().invoke(
        cli,
        [
            "allocate",
            "--curves",
            str(tmp_path / "c.json"),
            "--budget",
            "1",
            "--weeks",
            "1",
            "--risk",
            value,
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert r.exit_code == 2, r.output
    assert "--risk" in r.output


def _doc_commands():
    """Command lines shown in the docs: (file, line, tokens)."""
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        blocks = re.findall(r"```(?:bash|sh|console)?\n(.*?)```", text, flags=re.S)
        blocks += re.findall(r"`((?:\.venv/bin/)?optimizer [^`]+)`", text)
        for block in blocks:
            joined = block.replace("\\\n", " ")
            for line in joined.splitlines():
                line = line.split(" #")[0].strip()
                m = re.match(r"^(?:\$ )?(?:\.venv/bin/)?optimizer(\s.*)?$", line)
                if m:
                    yield doc.name, line, (m.group(1) or "").split()


def test_docs_show_commands_and_options_that_exist():
    seen = 0
    for doc, line, tokens in _doc_commands():
        group: click.Command = cli
        path: list[str] = []
        rest = list(tokens)
        while isinstance(group, click.Group) and rest and rest[0] in group.commands:
            path.append(rest[0])
            group = group.commands[rest.pop(0)]
        if not path:
            continue  # e.g. "optimizer --version"
        seen += 1
        opts = {o: p for p in group.params for o in getattr(p, "opts", [])}
        opts["--help"] = opts["-h"] = None  # type: ignore[assignment]
        for i, tok in enumerate(rest):
            tok = tok.strip("[]")
            if not tok.startswith("--"):
                continue
            name = tok.split("=")[0]
            assert name in opts, f"{doc}: `{line}`: optimizer {' '.join(path)} has no {name}"
            param = opts[name]
            nxt = rest[i + 1].strip("[]") if i + 1 < len(rest) else ""
            if param is not None and isinstance(param.type, click.Choice) and "|" in nxt:
                shown = set(nxt.split("|"))
                allowed = set(param.type.choices)
                assert shown <= allowed, (
                    f"{doc}: `{line}`: {name} {nxt} but the CLI accepts {'|'.join(allowed)}"
                )
    assert seen >= 15


def test_docs_mention_every_command():
    text = "\n".join(d.read_text(encoding="utf-8") for d in DOCS)
    for path in COMMANDS:
        assert f"optimizer {' '.join(path)}" in text, f"optimizer {' '.join(path)} undocumented"


def test_shlex_parses_doc_lines():
    for _doc, line, _tokens in _doc_commands():
        shlex.split(line)


def test_help_mentions_progress_on_stderr():
    r = CliRunner().invoke(cli, ["--help"])
    assert r.exit_code == 0
    assert "stderr" in r.output


def test_readme_quick_start_paths_exist():
    assert (REPO / "scenarios" / "demo" / "dataset.toml").is_file()
    assert Path(REPO / "Makefile").is_file()
