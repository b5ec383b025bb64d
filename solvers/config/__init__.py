"""Configuration: the case-file schema, loading with overrides, validation and the up-front limits of a run."""
