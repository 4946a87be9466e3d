"""Planning more than once: areas of a national register, policy costs, alternatives,
comparisons and sweeps, all on one executor."""
