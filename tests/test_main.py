"""The entry point (estate/__main__.py): Ctrl-C from the first moment and a closed pipe
end a run without a traceback and with an exit code that says what happened, and
`import estate` does not load the libraries."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures import town
from tests.fixtures.cli import run_python

CUT_SHORT = """
import sys
class CtrlC:  # Ctrl-C while the command line's libraries load
    def find_spec(self, name, path=None, target=None):
        if name == "estate.cli":
            raise KeyboardInterrupt
sys.meta_path.insert(0, CtrlC())
from estate.__main__ import main
main()
"""


def _without_reader(cwd: Path, args: list[str], stderr_too: bool = False) -> tuple[int, str]:
    """`estate ARGS` whose stdout's reader (and with `stderr_too` stderr's) is gone
    before it says a word: its exit code, and what stderr heard."""
    with subprocess.Popen([sys.executable, "-m", "estate", *args], cwd=cwd,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          stdin=subprocess.DEVNULL) as run:
        assert run.stdout is not None and run.stderr is not None
        run.stdout.close()
        said = ""
        if stderr_too:
            run.stderr.close()
        else:
            said = run.stderr.read().decode()
        return run.wait(timeout=180), said


def test_importing_estate_loads_no_library_until_a_name_is_used(tmp_path: Path) -> None:
    done = run_python(tmp_path, "import sys, estate\n"
                      "print(sorted(m for m in ('pandas', 'geopandas', 'highspy', 'click') "
                      "if m in sys.modules))\n"
                      "print(estate.Status.OPTIMAL.value, 'pandas' in sys.modules)\n"
                      "print(callable(estate.plan), 'pandas' in sys.modules)")
    assert done.code == 0, done.stderr
    assert done.stdout.splitlines() == ["[]", "optimal False", "True True"]


def test_ctrl_c_while_the_libraries_load_is_one_line_and_exit_130(tmp_path: Path) -> None:
    done = run_python(tmp_path, CUT_SHORT)
    assert done.code == 130
    assert done.stderr == "Interrupted; nothing was written.\n" and done.stdout == ""


def test_a_reader_closing_the_pipe_ends_the_run_quietly(tmp_path: Path) -> None:
    """`estate validate ... | head -0`: the words have no reader, which is no error of
    estate's to report (it was "Unexpected error: BrokenPipeError", exit 4)."""
    code, said = _without_reader(tmp_path, ["validate", str(town(tmp_path))])
    assert code == 141  # as a shell reports one the pipe stops
    assert "Unexpected error" not in said and "Traceback" not in said, said


@pytest.mark.parametrize("args", [["plan", "--help"], ["--version"]])
def test_help_whose_reader_goes_ends_as_a_stopped_run(tmp_path: Path, args: list[str]
                                                      ) -> None:
    """`estate plan --help | head -0` exited 1, bad input to a script, as click ends its
    own words that lose their reader; it is a run the pipe stopped, as any command's."""
    code, said = _without_reader(tmp_path, args)
    assert (code, said) == (141, "")


def test_words_sent_to_a_full_disk_are_an_output_not_written(tmp_path: Path) -> None:
    """`estate validate ... > /dev/full` (a log on a full disk): "Unexpected error:
    OSError" and exit 4, and with --json two tracebacks (a review); it is an output that
    cannot be written, exit 1, said on stderr."""
    scenario = town(tmp_path)
    for args in (["validate", str(scenario)], ["plan", str(scenario), "--json", "--out",
                                                "out", "--map", "map.html"]):
        with open("/dev/full", "w") as full:
            run = subprocess.run([sys.executable, "-m", "estate", *args], cwd=tmp_path,
                                 stdout=full, stderr=subprocess.PIPE, text=True, timeout=180)
        assert run.returncode == 1, run.stderr
        assert run.stderr.endswith("Error: estate could not write its output: No space left "
                                   "on device (stdout sent to a full disk?); what it wrote "
                                   "to files before is in place\n"), run.stderr
        assert "Traceback" not in run.stderr and "Unexpected" not in run.stderr
    assert (tmp_path / "out" / "summary.json").exists()


def test_a_failure_keeps_its_exit_code_when_its_words_lose_their_reader(
        tmp_path: Path) -> None:
    """`estate plan ... 2>&1 | head -1` of a scenario no plan can meet: the reader goes
    after the first line, and the run still exits 2 (infeasible), never 1, which a script
    would read as bad input. The reader is gone before the first word here, so the
    failure's every line meets the closed pipe."""
    scenario = town(tmp_path, changes={"policy": {"close": ["S1"]}})
    code, _ = _without_reader(tmp_path, ["plan", str(scenario), "--out", "out", "--map",
                                         "map.html", "--json"], stderr_too=True)
    assert code == 2
    assert not (tmp_path / "out").exists()


def test_the_package_names_every_command_of_the_python_api(tmp_path: Path) -> None:
    """compare, sweep and report were only at estate.api, where dir(estate) does not
    show them; a scenario made from a dict had no public way in. All load when first
    used, as the others do."""
    done = run_python(tmp_path, "import sys, estate\n"
                      "names = ('compare', 'sweep', 'report', 'scenario_from_dict')\n"
                      "print(all(n in dir(estate) and n in estate.__all__ for n in names))\n"
                      "print('pandas' in sys.modules)\n"
                      "import estate.api, estate.load.scenario\n"
                      "print(estate.compare is estate.api.compare, estate.report is "
                      "estate.api.report, estate.sweep is estate.api.sweep, "
                      "estate.scenario_from_dict is estate.load.scenario.scenario_from_dict)")
    assert done.code == 0, done.stderr
    assert done.stdout.splitlines() == ["True", "False", "True True True True"]


def test_a_failure_s_words_reach_stderr_when_only_stdout_lost_its_reader(
        tmp_path: Path) -> None:
    """`estate plan ... --json 2>log | true`: the JSON has no reader, but stderr still
    has one, and hears every line of the failure (both were silenced, a review saw)."""
    scenario = town(tmp_path, changes={"policy": {"close": ["S1"]}})
    code, said = _without_reader(tmp_path, ["plan", str(scenario), "--out", "out", "--map",
                                            "map.html", "--json"])
    assert code == 2
    assert said.startswith("The scenario is infeasible"), said
    assert "No plan was written." in said


def test_a_refused_command_line_whose_json_lost_its_reader_is_still_a_usage_error(
        tmp_path: Path) -> None:
    """`estate plan --bogus --json | true` printed a traceback of the broken pipe: it is
    the usage error, exit 1, said on stderr."""
    code, said = _without_reader(tmp_path, ["plan", "--bogus", "--json"])
    assert code == 1
    assert "Traceback" not in said and "No such option '--bogus'" in said, said


def test_a_broken_pipe_of_estate_s_own_is_a_fault_not_a_closed_reader(tmp_path: Path) -> None:
    """A BrokenPipeError while stdout and stderr both keep their readers comes from a
    pipe of estate's own (a worker's, a socket): it is a fault (exit 4, its trace in the
    log), not a run that went well and lost its reader (141)."""
    town(tmp_path)
    code = ("import sys\nimport estate.api\n"
            "def broken(*args, **kwargs):\n    raise BrokenPipeError(32, 'Broken pipe')\n"
            "estate.api.validate = estate.api.validate_scenario = broken\n"
            "sys.argv = ['estate', 'validate', 'tiny.toml']\n"
            "from estate.__main__ import main\nmain()\n")
    done = run_python(tmp_path, code)
    assert done.code == 4, (done.code, done.stderr)
    assert "Unexpected error: BrokenPipeError" in done.stderr, done.stderr
