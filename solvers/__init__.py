"""gridshock: grid PDE solvers for the mathematics of diffusion generative models."""
__version__ = "0.1.0"
