"""Analysis: what is measured on a finished run and how it is compared with its closed-form reference."""
