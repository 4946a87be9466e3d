"""Whether compared scenarios' NPV figures can be set side by side, beyond their
registers (`compare_figures.registers_note`): an NPV counted over another horizon or at
another discount rate, or a status quo of other agencies' estate, is a different
figure of a different thing, and ranking it beside the others would mislead.

Said on the terminal and on comparison.html (from the runs) and on the board pack's
side-by-side page (from comparison.csv's rows), which then names no scenario as saving
the most."""

from __future__ import annotations

from collections.abc import Iterable

from estate.results.amounts import count, rate_words
from estate.runs.compare import Run
from estate.store.register_used import one_register


def terms_note(terms: Iterable[tuple[str, int, float]]) -> str:
    """The warning that the scenarios (name, horizon in years, discount rate) count
    their NPVs over different terms; "" when they share one. Their annual figures are
    alike still, so the note says so."""
    terms = list(terms)
    if len({(years, rate) for _, years, rate in terms}) <= 1:
        return ""
    each = "; ".join(f"\u201c{name}\u201d: {count(years, 'year')} at {rate_words(rate)}"
                     for name, years, rate in terms)
    return ("These scenarios count their NPVs over different horizons or at different "
            "discount rates, so their NPV figures (the status quo's, the plan's and the "
            f"saving) are not like-for-like; their annual figures are ({each}). Compare "
            "scenarios with the same horizon_years and discount_rate.")


def estates_note(estates: Iterable[tuple[str, frozenset[str]]]) -> str:
    """The warning that the scenarios (name, the agencies planned) plan different
    agencies' estates on one register (a scenario's `agencies`); "" when they plan the
    same agencies. Each status quo is then of a different estate."""
    estates = list(estates)
    if len({agencies for _, agencies in estates}) <= 1:
        return ""
    each = "; ".join(f"\u201c{name}\u201d: {_agencies(agencies)}" for name, agencies in estates)
    return ("These scenarios plan different agencies, so each status quo, and so each "
            f"saving, is of a different estate ({each}). Compare scenarios with the same "
            "agencies.")


def _agencies(agencies: frozenset[str]) -> str:
    """The agencies a scenario plans, by id; a long list as its first few and a count."""
    ids = sorted(agencies)
    if len(ids) <= 6:
        return ", ".join(ids)
    return f"{', '.join(ids[:5])} and {count(len(ids) - 5, 'other')}"


def unlike_notes(runs: list[Run]) -> list[str]:
    """The notes above for a comparison's runs with a plan (a run with none shows no
    figure). The agencies are said only for runs on one register: on several, the
    registers' own note says already that the estates differ."""
    planned = [run for run in runs if run.summary is not None]
    notes = [terms_note((run.scenario.name, run.summary.horizon_years,
                         run.summary.discount_rate) for run in planned if run.summary)]
    registers = [run.register for run in planned if run.register is not None]
    if one_register(registers):
        notes.append(estates_note((run.scenario.name, frozenset(run.summary.agencies))
                                  for run in planned if run.summary))
    return [note for note in notes if note]
