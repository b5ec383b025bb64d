"""Problems: case files (schema, defaults, validation) and the assembly of a runnable problem from them."""
