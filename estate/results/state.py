"""One configuration of the estate, apart from the tables made from it, so that a
programme (`estate.results.programme`) can carry the end state it reaches."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class State:
    """One configuration of the estate: the status quo, a solved plan, or a dated
    programme's last year."""

    open: np.ndarray  # per site
    share: np.ndarray  # per eligible pair, share of the function there
    pooled: np.ndarray  # per eligible pair, share pooled there
    shared: np.ndarray  # per centre (model.centres row)
