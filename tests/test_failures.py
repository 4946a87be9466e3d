"""How a command ends when it fails (estate.failures): the errors, then the warnings
found beside them, then what to do."""

from __future__ import annotations

from pathlib import Path

from tests.fixtures import agency, function, invoke, no_traceback, site, write_register


def test_warnings_beside_an_error_say_where_the_rest_are_listed(tmp_path: Path) -> None:
    """Twelve build costs on existing sites (a warning each) beside a rent above its
    site's running cost (an error): ten warnings shown, then the count of the rest and
    how to see them, which `estate validate` itself, stopped by the same error, does not
    list (it said "estate validate lists them all" of itself)."""
    sites = [site(f"S{i}", "A", i, 0, build_cost=1_000) for i in range(1, 13)]
    sites[0].update(tenure="leasehold", rent=500_000)
    folder = write_register(tmp_path / "reg", [agency("A")], sites,
                            [function("T", "A", "Ops", "S1")])
    run = invoke(tmp_path, "validate", str(folder))
    assert run.code == 1, run.output
    lines = run.stderr.splitlines()
    assert sum(line.startswith("Warning: ") for line in lines) == 10, run.stderr
    assert ("... and 2 more warnings (fix the errors above, and estate validate lists "
            "them all)") in lines, run.stderr
    no_traceback(run)
