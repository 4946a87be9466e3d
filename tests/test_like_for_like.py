"""Whether compared scenarios' NPVs are alike: the same horizon and rate, the same
agencies. Worked by hand on two or three scenarios."""

from __future__ import annotations

from estate.render.like_for_like import estates_note, terms_note


def test_one_term_says_nothing_and_two_are_each_said() -> None:
    assert terms_note([("A", 10, 0.035), ("B", 10, 0.035)]) == ""
    assert terms_note([]) == ""
    said = terms_note([("A", 10, 0.035), ("B", 10, 0.035), ("C", 15, 0.06)])
    assert "\u201cA\u201d: 10 years at 3.5%; \u201cB\u201d: 10 years at 3.5%; " \
           "\u201cC\u201d: 15 years at 6%" in said
    # the same horizon at another rate is another term too
    assert terms_note([("A", 10, 0.035), ("B", 10, 0.0225)]).count("10 years") == 2


def test_other_agencies_are_said_by_id_and_a_long_list_counted() -> None:
    same = frozenset({"SCC", "IBC"})
    assert estates_note([("A", same), ("B", frozenset({"IBC", "SCC"}))]) == ""
    said = estates_note([("A", frozenset("ABCDEFGH")), ("B", same)])
    assert "\u201cA\u201d: A, B, C, D, E and 3 others; \u201cB\u201d: IBC, SCC" in said
