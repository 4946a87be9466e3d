"""The errors estate reports (estate/errors.py): each kind survives the trip from a pool's
worker to the planning process whole, problems, reasons and warnings alike."""

from __future__ import annotations

import pickle

import pytest

from estate.errors import (
    EstateError,
    InfeasibleError,
    InputError,
    NoSolutionError,
    OutputError,
    Problem,
)

KEY = Problem("s.toml", None, "agencies", "agencies that hold a site", "A9", label="key")
CELL = Problem("sites.csv", 3, "desks", "a number", "'lots'")
WARNED = Problem("sites.csv", 4, "lease_end", "a date after start", "2020-01-01",
                 severity="warning")

MADE = [
    InputError([KEY, CELL, WARNED]),
    InfeasibleError(["coverage.0: at most 10% of people"], "no programme", ("coverage.0",),
                    (w for w in [WARNED])),  # warnings given as a generator, read once
    InfeasibleError(["no reason known"]),
    NoSolutionError("no plan found within the time limit of 60 s"),
    OutputError("results written; the map could not be", "a full disk"),
]


@pytest.mark.parametrize("made", MADE, ids=lambda e: type(e).__name__)
def test_each_error_is_rebuilt_whole_from_its_pickle(made: EstateError) -> None:
    """Python rebuilds an exception from its message by default, which an InputError
    (made from problems) could not be rebuilt from: the pool of a national plan broke,
    and the area's error became 'a worker process ended' (a cold review)."""
    again = pickle.loads(pickle.dumps(made))
    assert type(again) is type(made) and str(again) == str(made)
    assert again.__dict__ == made.__dict__


def test_an_input_error_keeps_its_problems_and_warnings_apart() -> None:
    again = pickle.loads(pickle.dumps(InputError([KEY, CELL, WARNED])))
    assert isinstance(again, InputError)
    assert (again.problems, again.warnings) == ([KEY, CELL], [WARNED])
    infeasible = pickle.loads(pickle.dumps(MADE[1]))
    assert isinstance(infeasible, InfeasibleError)
    assert (infeasible.reasons, infeasible.keys, infeasible.warnings) == (
        ["coverage.0: at most 10% of people"], ("coverage.0",), [WARNED])


def test_a_kept_message_is_read_back_as_its_reasons_and_the_rules_to_relax() -> None:
    """The rules to relax are an item of the message, not a reason: read apart, so that
    a reader counting or cutting the reasons still names them."""
    from estate.errors import KeptReasons

    kept = KeptReasons.of("The scenario is infeasible: no plan meets every rule.\n"
                          "  - zone Z1: none within 2 km\n  - zone Z2: none within 2 km\n"
                          "  - the rules to relax: coverage.0.radius_km, policy.close")
    assert kept == KeptReasons(("zone Z1: none within 2 km", "zone Z2: none within 2 km"),
                               "the rules to relax: coverage.0.radius_km, policy.close")
    assert KeptReasons.of("No plan within the time limit.") == KeptReasons((), "")


ESCAPE = "\x1b[31mred\x1b[0m\u202eright\r"
"""A colour, a direction override and a carriage return, as a path or a cell may hold."""


@pytest.mark.parametrize("made", [
    InputError([Problem(f"{ESCAPE}.csv", 2, "desks", "a number", repr(ESCAPE))]),
    InfeasibleError([f"site {ESCAPE} would need 2 more desks"], relax=("sites.desks",)),
    NoSolutionError(f"no plan for {ESCAPE} within the time limit"),
    OutputError(f"{ESCAPE}/summary.json could not be written", "a full disk"),
], ids=lambda e: type(e).__name__)
def test_an_error_quoting_anyone_s_text_carries_nothing_a_terminal_acts_on(
        made: EstateError) -> None:
    """Review Z5b: the command line showed such text replaced, but a Python caller
    printing the error, or its problem, sent the escape sequence to the terminal."""
    for words in [str(made), *(str(p) for p in getattr(made, "problems", []))]:
        assert not any(c in words for c in "\x1b\u202e\r"), words
        assert "\ufffd[31mred" in words, words
