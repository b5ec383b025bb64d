"""Measurements on computed fields (ANALYTIC.md §7): scores, interface fits, speciation and mode-merge
times, error norms and mass. Pure functions of arrays; they never run a solver themselves."""
