"""Place names (estate.render.places): zones named by their town, worked by hand."""

from __future__ import annotations

import numpy as np

from estate.render.places import town_names


def test_a_zone_is_named_by_the_town_its_neighbours_share() -> None:
    names = ["Ipswich outskirts 13", "Ipswich outskirts 2", "Ipswich centre",
             "Rural area near Botesdale 1", "Rural area near Exning 1",
             "Lowestoft outskirts 5 (generated)", "Bury St Edmunds outskirts 2",
             "Bury St Edmunds centre", "", "Zone 0001", "Zone 0002", "Ipswich outskirts 9"]
    xy = np.array([[0, 0], [1000, 0], [500, 500], [50_000, 0], [52_000, 0], [90_000, 0],
                   [30_000, 30_000], [31_000, 30_000], [0, 90_000], [0, 200_000],
                   [10, 200_000], [60_000, 60_000]], float)
    assert town_names(names, xy, 10_000) == [
        "Ipswich", "Ipswich", "Ipswich",
        # what two rural zones share ends in a small word: no town
        "Rural area near Botesdale 1", "Rural area near Exning 1",
        # alone: its own name, the note in brackets dropped
        "Lowestoft outskirts 5",
        "Bury St Edmunds", "Bury St Edmunds", "",
        # names that go on only in a code share no town
        "Zone 0001", "Zone 0002",
        # an Ipswich zone 60 km from the others is not their part
        "Ipswich outskirts 9"]


def test_no_zones_no_names() -> None:
    assert town_names([], np.empty((0, 2)), 1000.0) == []
