"""The documentation keeps up with the tool: every command and option is documented,
and the README's session runs as shown."""

from __future__ import annotations

import fnmatch
import importlib
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import click
import pytest

from estate.cli import cli
from estate.errors import ProblemKind

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
PLAN_WAIT = 1_800  # s: the demo's longest time limit (1,500 s), its writing and room


def _text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in [README, *DOCS])


def _commands() -> dict[str, click.Command]:
    assert isinstance(cli, click.Group)
    return dict(cli.commands)


def test_every_command_is_in_the_readme() -> None:
    readme = README.read_text(encoding="utf-8")
    missing = [name for name in _commands() if f"estate {name}" not in readme]
    assert missing == []


def test_every_option_is_documented() -> None:
    text = _text()
    missing = []
    for name, command in _commands().items():
        for param in command.params:
            if isinstance(param, click.Option):
                flags = [o for o in param.opts if o.startswith("--")]
                if flags and not any(re.search(re.escape(f) + r"\b", text) for f in flags):
                    missing.append(f"estate {name} {flags[0]}")
    assert missing == []


def _session() -> list[tuple[str, list[str]]]:
    """The README's console blocks as (command, the lines shown after it)."""
    readme = README.read_text(encoding="utf-8")
    steps: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```console\n(.*?)```", readme, re.S):
        for line in block.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            elif steps:
                steps[-1][1].append(line)
    return steps


def test_the_readme_shows_a_session() -> None:
    commands = [c for c, _ in _session()]
    assert any(c.startswith(".venv/bin/estate plan") for c in commands)
    assert any(c.startswith(".venv/bin/estate validate") for c in commands)


@pytest.mark.slow
def test_the_readme_session_runs(tmp_path: Path) -> None:
    """Each command of the README's session, run in a copy of the demo, exits 0; lines
    that carry no timing are printed exactly as the README shows them.

    The plans start together, each on its own results folder, as HiGHS uses one core
    and none reads another's output; the other commands then run in order, so the
    results each reads exist."""
    for folder in ("data", "models"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    estate = f"{sys.executable} -m estate"
    steps = [(command, shown, command.replace(".venv/bin/estate", estate)
              .replace("python3", sys.executable)) for command, shown in _session()]
    started = {line: subprocess.Popen(line, shell=True, cwd=tmp_path, text=True,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      start_new_session=True)
               for command, _, line in steps if command.startswith(".venv/bin/estate plan")}
    try:
        for command, shown, line in steps:
            if line in started:
                stdout, stderr = started[line].communicate(timeout=PLAN_WAIT)
                code = started[line].returncode
            else:
                done = subprocess.run(line, shell=True, cwd=tmp_path, capture_output=True,
                                      text=True, timeout=600)
                stdout, stderr, code = done.stdout, done.stderr, done.returncode
            assert code == 0, (command, stderr[-2000:])
            # a terminal shows the byte-order mark each CSV begins with (for Excel) as nothing
            printed = [s.removeprefix("\ufeff") for s in stdout.splitlines()]
            steady = [s for s in shown if s.strip() and not re.search(r"\d+(\.\d+)? s\b", s)]
            for expected in steady:
                assert expected in printed, (command, expected, printed)
    finally:  # a failed step leaves no plan running on beside the other tests
        for process in started.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            for pipe in (process.stdout, process.stderr):  # unread when a step before failed
                if pipe is not None:
                    pipe.close()


def test_the_reference_scenario_copied_as_written_warns_of_nothing_of_its_own(
        tmp_path: Path) -> None:
    """docs/formats.md's reference scenario, pasted into a file beside the demo register
    as its `data` expects, is valid, and none of its warnings is at one of its keys: the
    ones left are at the demo register's cells (leases ended before its `start`). It set
    `population_share` beside `mode = "maintain"`, which warns, so a copy warned."""
    from estate.api import validate_scenario

    block = re.findall(r"```toml\n(.*?)```", (ROOT / "docs" / "formats.md")
                       .read_text(encoding="utf-8"), re.S)
    assert len(block) == 1
    shutil.copytree(ROOT / "data" / "suffolk", tmp_path / "data" / "suffolk")
    (tmp_path / "models").mkdir()
    path = tmp_path / "models" / "example.toml"
    path.write_text(block[0], encoding="utf-8")
    checked = validate_scenario(path)
    assert {w.file for w in checked.warnings} == {"sites.csv"}, [str(w) for w in
                                                                 checked.warnings]
    assert all(w.kind is ProblemKind.LEASE_ENDED for w in checked.warnings)


def _resolves(dotted: str) -> bool:
    """`estate.a.b.c` names a module, or an attribute of the longest module it starts with."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            if not hasattr(obj, name):
                return False
            obj = getattr(obj, name)
        return True
    return False


def test_every_python_name_in_the_docs_exists() -> None:
    """A user copies `estate.api.compare(...)` from the docs: each dotted name quoted in
    code resolves (the docs once named four functions at paths that did not exist)."""
    names = set(re.findall(r"`(estate(?:\.[A-Za-z_]\w*)+)", _text()))
    assert len(names) > 10
    assert sorted(n for n in names if not _resolves(n)) == []


def test_every_repository_path_in_the_docs_exists() -> None:
    """`estate/...`, `tests/...` and `benchmarks/...` paths the docs cite are there, and
    the package's files internals.md lists by their path inside `estate/`."""
    paths = set(re.findall(r"`((?:estate|tests|benchmarks)/[\w/.-]+?)/?`", _text()))
    assert len(paths) > 10
    assert sorted(p for p in paths if not (ROOT / p).exists()) == []
    internals = (ROOT / "docs" / "internals.md").read_text(encoding="utf-8")
    inside = set(re.findall(r"`([\w]+/[\w/.-]+\.(?:py|js|css))`", internals)) - paths
    assert len(inside) > 20
    assert sorted(p for p in inside if not (ROOT / "estate" / p).exists()) == []


def test_every_module_is_in_the_internals_table() -> None:
    """A maintainer looks a module up in internals.md's table to learn what it owns and
    which group it belongs to: every module of the package (but `__init__.py` and
    `__main__.py`) is named there by its path inside `estate/` (`load/read.py`, or
    `cli.py` at the top) or by a pattern the table uses (`render/report*.py`). Four
    modules added in one day were left out; this keeps the table from drifting again."""
    internals = (ROOT / "docs" / "internals.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([\w/*]+\.py)`", internals))
    package = ROOT / "estate"
    modules = sorted(p.relative_to(package).as_posix() for p in package.rglob("*.py")
                     if p.name not in ("__init__.py", "__main__.py"))
    assert len(modules) > 80
    assert [m for m in modules if not any(fnmatch.fnmatchcase(m, n) for n in named)] == []


def test_the_docs_cite_only_what_a_user_has() -> None:
    """The design contract lives outside the repository, so a user cannot follow "DESIGN
    section 3" or "section 8 of the design": the docs point at their own pages instead."""
    cited = re.findall(r"[^\n]*(?:\bDESIGN\b|\bthe design\b|\bdesign's\b)[^\n]*", _text())
    assert cited == []


def _documented_columns(table: str) -> list[str]:
    """The columns formats.md's results-folder table gives `table`, asides in brackets
    dropped."""
    text = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
    row = re.search(rf"^\| `{re.escape(table)}` \| (.*) \|$", text, re.MULTILINE)
    assert row, table
    plain = row.group(1)
    while re.search(r"\([^()]*\)", plain):
        plain = re.sub(r"\s*\([^()]*\)", "", plain)
    return [c.strip() for c in plain.split(",")]


@pytest.mark.parametrize("dated", [False, True])
def test_agencies_csv_has_the_columns_formats_md_lists(tmp_path: Path, dated: bool) -> None:
    """lease_cost_npv, written when the scenario has a start, was missing from the docs;
    undated, the same columns without it and booked_early_npv (dated_npv_saving is a
    scheduled plan's: test_agree)."""
    from tests.fixtures import invoke, town

    town(tmp_path, changes={"start": "2027-04-01"} if dated else None)
    run = invoke(tmp_path, "plan", "tiny.toml", "--no-progress")
    assert run.code == 0, run.output
    header = (tmp_path / "results" / "tiny" / "agencies.csv").read_text(
        encoding="utf-8-sig").splitlines()[0].split(",")
    documented = _documented_columns("agencies.csv")
    assert header == [c for c in documented if (dated or c not in ("lease_cost_npv",
                                                                   "booked_early_npv"))
                      and c != "dated_npv_saving"]
    assert "dated_npv_saving" in documented


def _toml_examples() -> list[tuple[str, str]]:
    """Each ```toml block of the README and the docs, named by its file and number."""
    return [(f"{path.name}#{i}", block) for path in [README, *DOCS]
            for i, block in enumerate(re.findall(r"```toml\n(.*?)```",
                                                 path.read_text(encoding="utf-8"), re.S))]


def test_every_scenario_example_in_the_docs_is_accepted(tmp_path: Path) -> None:
    """An estates lead copies a scenario from the docs as it stands: every key it sets
    is accepted as written (formats.md's full example once set `population_share`
    beside mode "maintain", which is an error). A fragment is checked with what it
    leaves to its own example: a `data` path, and a `start` for a `[programme]`."""
    import tomllib

    from estate.errors import InputError
    from estate.load.scenario import scenario_from_dict

    examples = _toml_examples()
    assert any("[[coverage]]" in block for _, block in examples)
    refused = {}
    for name, block in examples:
        raw = tomllib.loads(block)
        raw.setdefault("data", str(tmp_path))
        if "programme" in raw:
            raw.setdefault("start", "2027-04-01")
        try:
            scenario_from_dict(raw, base_dir=tmp_path, label=name)
        except InputError as error:
            refused[name] = str(error)
    assert refused == {}
