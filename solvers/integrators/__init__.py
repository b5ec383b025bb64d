"""Time integrators: the registry of time schemes (as data) and the steppers that apply them."""
from .schemes import TIME_SCHEMES, TimeScheme

__all__ = ["TIME_SCHEMES", "TimeScheme"]
