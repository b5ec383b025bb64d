"""Storage of gridshock data: result files and the closed-form reference file (cases/reference/closed_forms.h5)."""
