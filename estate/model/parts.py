"""What the row and cost steps of the recipe share: the column indices of each block."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from estate.model.arrays import Names
from estate.model.pooling import Pooling
from estate.prepare import Prepared


@dataclass(frozen=True)
class Parts:
    """What the row and cost steps read: the prepared data, the labels, the pooling sets,
    and the column indices of each variable block (`reach` maps a population_share rule's
    index to its zones and their columns)."""

    prep: Prepared
    names: Names
    pooling: Pooling
    open: np.ndarray
    assign: np.ndarray
    pooled: np.ndarray
    shared: np.ndarray
    counts: np.ndarray
    reach: dict[int, tuple[np.ndarray, np.ndarray]]
