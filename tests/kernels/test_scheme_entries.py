"""Registered scheme entries carry what their kernels and steppers run, and their literature source.

* every entry of the four registries (heat space and time, Burgers space and time) names its source;
* heat stencils: the weights on the entry are consistent difference formulas of their order, their width is
  the entry's ghost width, and the spectral radius is the sup of the symbol of ``-h^2 d^2/dx^2``;
* Burgers advection: the kernel ids the entries name exist in the kernels, one scheme per id, and each 2D form an
  entry offers names what its kernel needs;
* split time schemes: the family coefficients the steppers read are on the entry and consistent.
"""
from __future__ import annotations

import numpy as np
import pytest

from solvers.equations.advection import BURGERS_SPACE_SCHEMES
from solvers.equations.space import SPACE_SCHEMES
from solvers.integrators.schemes import TIME_SCHEMES
from solvers.integrators.split_schemes import BURGERS_TIME_SCHEMES
from solvers.kernels import fluxes, vector_burgers

REGISTRIES = {"space": SPACE_SCHEMES, "time": TIME_SCHEMES, "burgers_space": BURGERS_SPACE_SCHEMES,
              "burgers_time": BURGERS_TIME_SCHEMES}
ENTRIES = [(kind, name) for kind, reg in REGISTRIES.items() for name in reg.names()]
STENCILS = [s for s in SPACE_SCHEMES if s.kind == "stencil"]


@pytest.mark.parametrize("registry, name", ENTRIES)
def test_every_registered_scheme_names_its_source(registry, name):
    source = REGISTRIES[registry].get(name).source
    assert isinstance(source, str) and source.strip(), (registry, name)


@pytest.mark.parametrize("scheme", STENCILS, ids=lambda s: s.name)
def test_stencil_weights_on_the_entry(scheme):
    d1, d2 = scheme.first_derivative, scheme.second_derivative
    assert d1.shape == d2.shape == (2 * scheme.ghost_layers + 1,)
    k = np.arange(d1.size) - d1.size // 2
    # exact on polynomials of degree <= order (the second derivative, symmetric, up to order + 1): the moments
    for p in range(int(scheme.order) + 2):
        if p <= scheme.order:
            assert np.sum(d1 * k ** p) == pytest.approx(1.0 if p == 1 else 0.0, abs=1e-13), p
        assert np.sum(d2 * k ** p) == pytest.approx(2.0 if p == 2 else 0.0, abs=1e-13), p
    p = int(scheme.order) + 1                      # and not beyond: the order is the formal order
    assert abs(np.sum(d1 * k ** p)) > 1e-3 and abs(np.sum(d2 * k ** (p + 1))) > 1e-3
    theta = np.linspace(0.0, np.pi, 20001)
    symbol = -np.sum(d2[:, None] * np.cos(k[:, None] * theta[None, :]), axis=0)
    assert scheme.spectral_radius == pytest.approx(symbol.max(), rel=1e-12)


def test_spectral_entry_has_no_stencil():
    spectral = SPACE_SCHEMES.get("spectral")
    assert spectral.first_derivative.size == spectral.second_derivative.size == 0
    assert spectral.spectral_radius == pytest.approx(np.pi ** 2)


def test_measured_derivatives_use_the_registered_weights():
    """The score measurement differentiates with the entry's own weights (no second table by name)."""
    from solvers.measurements.derivatives import derivative
    n, h = 64, 2 * np.pi / 64
    f = np.sin(np.arange(n) * h) + 0.3 * np.cos(3 * np.arange(n) * h)
    for s in STENCILS:
        w = s.first_derivative
        g = w.size // 2
        manual = sum(c * np.roll(f, g - k) for k, c in enumerate(w)) / h
        assert np.allclose(derivative(f, 0, h, s.name, True), manual, rtol=0, atol=1e-13), s.name


def test_advection_kernel_ids_exist_and_are_distinct():
    ids = [s.kernel_id for s in BURGERS_SPACE_SCHEMES if s.kernel_id is not None]
    assert len(ids) == len(set(ids))
    assert set(ids) <= set(range(fluxes.CENTRAL2, fluxes.WENO5 + 1))
    for s in BURGERS_SPACE_SCHEMES:
        assert (s.kernel_id is not None) == (s.kind == "flux" and 1 in s.dims), s.name
        assert not (s.low_storage or s.parallel_kernel) or s.kernel_id == fluxes.WENO5, s.name


@pytest.mark.parametrize("scheme", [s for s in BURGERS_SPACE_SCHEMES if s.kind == "flux" and 2 in s.dims],
                         ids=lambda s: s.name)
def test_each_2d_form_names_its_kernel(scheme):
    if "gradient" in scheme.forms_2d:
        assert scheme.gradient_order_2d in (2, 4) and scheme.gradient_order_2d == scheme.order
    if "upwind" in scheme.forms_2d:
        assert scheme.upwind_kernel_2d in (vector_burgers.UPWIND1, vector_burgers.WENO5)
        assert (scheme.upwind_kernel_2d == vector_burgers.WENO5) == (scheme.order == 5)


def test_split_scheme_family_coefficients():
    for s in BURGERS_TIME_SCHEMES:
        if s.family == "imex":
            g, d = s.params["gamma"], s.params["delta"]
            assert g == pytest.approx(1 - 1 / np.sqrt(2)) and d == pytest.approx(1 - 1 / (2 * g))
            assert s.stage_c[1] == g
        elif s.family == "cnab":
            assert s.params["theta"] == 0.5 and sum(s.params["ab2"]) == 1.0
        elif s.family == "etd":
            c = s.params["phi"](np.array([-1e-3, -1.0, -50.0]), 0.1)
            assert set(c) == {"E", "E2", "Q", "f1", "f2", "f3"}
            np.testing.assert_allclose(c["E"], np.exp([-1e-3, -1.0, -50.0]), rtol=1e-14)
