"""Post-processing: reads gridshock result files only."""
