"""A plan's results folder written whole (estate.runs.planning, estate.api.plan): the
programme's page and every alternative's folder are in it when it is swapped in, and
Ctrl-C once it is in place says so, and which maps were not drawn, instead of "previous
results are untouched"."""

from __future__ import annotations

import hashlib
import os
import signal
from pathlib import Path
from typing import Any

import pytest

import estate
import estate.api
import estate.store.folder
from estate.signals import Interrupted
from estate.store import check_results, read_summary
from tests.fixtures import invoke
from tests.fixtures.programme_registers import two_offices


def _ctrl_c_after(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, at: int = 1) -> None:
    """Ctrl-C the moment the `at`-th call of `owner.name` returns."""
    function, calls = getattr(owner, name), []

    def then_ctrl_c(*args: Any, **kwargs: Any) -> Any:
        done = function(*args, **kwargs)
        calls.append(args)
        if len(calls) == at:
            os.kill(os.getpid(), signal.SIGINT)
        return done

    monkeypatch.setattr(owner, name, then_ctrl_c)


def _commands(out: Path, map_path: Path, alternatives: list[int], main: bool = True) -> str:
    maps = [(out, map_path)] if main else []
    maps += [(out / "alternatives" / str(i),
              map_path.with_name(f"{map_path.stem}.alternative-{i}.html")) for i in alternatives]
    return "; ".join(f'`estate map "{folder}" --out "{path}"`' for folder, path in maps)


@pytest.mark.usefixtures("ctrl_c_raises")
def test_ctrl_c_as_the_folder_is_swapped_in_leaves_it_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C the moment the results folder of a dated plan with two alternatives is
    swapped in: the folder holds its programme.html and each alternative listed in its
    summary, whole with its own programme.html (they were written after the swap, so
    the folder lacked them), and the interrupt says the results are written and the
    maps not drawn, with the commands that draw them."""
    path = two_offices(tmp_path)
    out, map_path = tmp_path / "results", tmp_path / "maps" / "two.html"
    _ctrl_c_after(monkeypatch, estate.store.folder, "_swap_into_place")
    with pytest.raises(KeyboardInterrupt) as caught:
        estate.plan(path, out=out, map_path=map_path, alternatives=2, within_pct=60.0)
    assert (out / "programme.html").is_file()
    listed = read_summary(out).alternatives
    assert listed is not None
    assert [entry.folder for entry in listed.plans] == ["alternatives/1", "alternatives/2"]
    for entry in listed.plans:
        folder = out / entry.folder
        check_results(folder)
        assert (folder / "programme.html").is_file()
        alternative = read_summary(folder).alternative
        assert alternative is not None and alternative.index == entry.index
    check_results(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["register", "results",
                                                          "two_offices.toml"]
    assert isinstance(caught.value, Interrupted) and caught.value.written == out
    assert caught.value.message == (
        f"Interrupted after the results were written to {out}; the map was not drawn, nor "
        f"the maps of its 2 alternatives: draw them with "
        f"{_commands(out, map_path, [1, 2])}.")


@pytest.mark.usefixtures("ctrl_c_raises")
def test_ctrl_c_while_the_maps_are_drawn_says_which_are_not(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C once the plan's map is drawn, before its alternatives' maps: the message
    says where the results and the map are, and how to draw the two maps missing."""
    path = two_offices(tmp_path)
    out, map_path = tmp_path / "results", tmp_path / "two.html"
    _ctrl_c_after(monkeypatch, estate.api, "render_map")
    with pytest.raises(KeyboardInterrupt) as caught:
        estate.plan(path, out=out, map_path=map_path, alternatives=2, within_pct=60.0)
    assert map_path.is_file() and not list(tmp_path.glob("two.alternative-*"))
    assert getattr(caught.value, "message", None) == (
        f"Interrupted after the results were written to {out} and its map to {map_path}; "
        f"the maps of 2 alternatives were not drawn: draw them with "
        f"{_commands(out, map_path, [1, 2], main=False)}.")


@pytest.mark.usefixtures("ctrl_c_raises")
def test_the_command_line_says_the_results_are_written_and_prints_no_json(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`estate plan --json`, Ctrl-C while the map is drawn: exit 130, no JSON, and the
    message is the true one (the results were written), not 'previous results are
    untouched'."""
    two_offices(tmp_path)

    def ctrl_c(*args: Any, **kwargs: Any) -> None:
        os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(estate.api, "render_map", ctrl_c)
    done = invoke(tmp_path, "plan", "two_offices.toml", "--json")
    assert done.code == 130 and done.stdout == ""
    out, map_path = Path("results") / "Two offices", Path("maps") / "Two offices.html"
    assert done.stderr.strip().endswith(
        f"Interrupted after the results were written to {out}; the map was not drawn: "
        f"draw it with {_commands(out, map_path, [])}.")
    assert "untouched" not in done.stderr
    check_results(tmp_path / out)
    assert not (tmp_path / map_path).exists()


@pytest.mark.parametrize(("arguments", "name"), [
    ({"alternatives": 1, "within_pct": float("nan")}, "within_pct"),
    ({"alternatives": 1, "within_pct": -1.0}, "within_pct"),
    ({"alternatives": -1}, "alternatives"),
    ({"workers": 0}, "workers"),
    ({"executor": "bogus"}, "executor"),
    ({"policy_executor": "bogus"}, "policy_executor"),
])
def test_the_api_refuses_arguments_the_command_line_would(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arguments: dict[str, Any],
        name: str) -> None:
    """estate.plan checks its own arguments as the options are checked: an InputError
    naming the one, before anything is read or written (a nan allowance was numpy's
    ValueError from deep in the search; -1% was taken and said "-£83,751 more")."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(estate.InputError) as caught:
        estate.plan(tmp_path / "nowhere.toml", **arguments)
    assert [(p.column, p.label) for p in caught.value.problems] == [(name, "option")]
    assert list(tmp_path.iterdir()) == []


def test_the_api_compares_one_scenario_at_least(tmp_path: Path) -> None:
    """estate.api.compare([]) wrote an empty comparison, which the command line refuses;
    one path given alone was read letter by letter ("l: no such file")."""
    for paths in ([], "t.toml", tmp_path / "t.toml"):
        with pytest.raises(estate.InputError, match="a list of one scenario file or more"):
            estate.api.compare(paths, out=tmp_path / "cmp")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_a_register_saved_while_it_is_planned_is_recorded_as_read(tmp_path: Path) -> None:
    """A register saved from Excel while its plan solved: inputs.sha256 recorded the
    files as saved, though the plan was made from them as read, so a sweep would have
    reused the run for the new figures (a review). It records the files as read."""
    scenario = two_offices(tmp_path)
    sites = Path(estate.load_scenario(scenario).data) / "sites.csv"
    as_read = hashlib.sha256(sites.read_bytes()).hexdigest()

    def told(line: str) -> None:
        if line.startswith("Solving"):
            sites.write_text(sites.read_text(encoding="utf-8") + "\n", encoding="utf-8")

    estate.plan(scenario, out=tmp_path / "out", progress=told)
    assert hashlib.sha256(sites.read_bytes()).hexdigest() != as_read  # saved meanwhile
    recorded = (tmp_path / "out" / "inputs.sha256").read_text(encoding="utf-8")
    assert f"{as_read}  sites.csv\n" in recorded


def test_a_register_the_read_itself_changes_is_read_again(tmp_path: Path) -> None:
    """Reading a GeoPackage with a log QGIS left writes the log into it: the files
    changed once, by the read, were refused as saved meanwhile (a review). Read again,
    they stay, and are the files recorded."""
    from estate.store import inputs_sha256, read_unchanged

    scenario = two_offices(tmp_path)
    data = Path(estate.load_scenario(scenario).data)
    reads: list[int] = []

    def merges_its_log() -> int:
        if not reads:
            (data / "zones.csv").write_text((data / "zones.csv").read_text(encoding="utf-8")
                                            + "\n", encoding="utf-8")
        reads.append(1)
        return len(reads)

    assert read_unchanged(data, merges_its_log) == (2, inputs_sha256(data))


def test_a_register_saved_while_it_is_read_is_refused(tmp_path: Path) -> None:
    """Read and saved at once, twice over, the files read are not known: run again
    (`RegisterChanged`, which a sweep keeps no outcome of)."""
    from estate.errors import RegisterChanged
    from estate.store import read_unchanged

    scenario = two_offices(tmp_path)
    data = Path(estate.load_scenario(scenario).data)

    def saved_meanwhile() -> None:
        (data / "zones.csv").write_text((data / "zones.csv").read_text(encoding="utf-8")
                                        + "\n", encoding="utf-8")

    with pytest.raises(RegisterChanged) as refused:
        read_unchanged(data, saved_meanwhile)
    assert "changed while it was read" in str(refused.value)
