"""Solvers: the registry, the HiGHS adapter, PuLP (CBC and LP files), the first-plan search
and the diagnosis of infeasible scenarios."""
