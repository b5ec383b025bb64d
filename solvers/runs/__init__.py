"""Runs: one case end to end (load, build, solve, analyse, write), with its hooks and checkpoints."""
