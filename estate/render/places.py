"""Place names from the register's zones: a zone is named by its town, what the names
of its neighbours share with it, so that a map (the board pack's, the interactive one)
labels "Ipswich" rather than "Ipswich outskirts 13". Kept apart from the figures so that
the interactive map does not load matplotlib for it."""

from __future__ import annotations

import re

import numpy as np
from scipy.spatial import cKDTree


def _common_prefix(names: list[str]) -> str:
    words = [n.split() for n in names]
    out: list[str] = []
    for column in zip(*words, strict=False):
        if len(set(column)) > 1:
            break
        out.append(column[0])
    return " ".join(out)


def _town(prefix: str, kin: list[str]) -> str:
    """`prefix` when it names a town: it ends in a capital ("Bury St Edmunds"; what
    "Rural area near Botesdale 1" shares with "Rural area near Exning 1" is no place) and
    some neighbour's name goes on in words ("outskirts 3"), not only in a code or a
    number ("Zone 0001" and "Zone 0002" share no town)."""
    if not prefix or not prefix.split()[-1][:1].isupper():
        return ""
    rest = [name[len(prefix):].split() for name in kin]
    return prefix if any(w.isalpha() for words in rest for w in words) else ""


def town_names(names: list[str], xy: np.ndarray, spacing: float) -> list[str]:
    """Each zone named by what its neighbours' names (within `spacing` metres, same first
    word) share with it: "Ipswich outskirts 3" among other Ipswich zones is "Ipswich".
    When they share no town (`_town`), the zone keeps its own name. A trailing note in
    brackets is dropped first."""
    names = [" ".join(re.sub(r"\s*\([^()]*\)\s*$", "", str(n)).split()) for n in names]
    if not names:
        return []
    # a k-d tree, so that a region's 30,000 zones cost their neighbours, not n squared
    neighbours = cKDTree(xy).query_ball_point(xy, r=spacing)
    out = []
    for name, near in zip(names, neighbours, strict=True):
        first = name.split()[:1]
        kin = [names[j] for j in near if names[j].split()[:1] == first] if first else []
        out.append(_town(_common_prefix(kin), kin) or name)
    return out
