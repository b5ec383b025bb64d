"""Registered space discretisations of the Burgers equations (the advective flux and its companions).

The 1D equation is written as a conservation law with diffusion,

    w_t + d/dx f(w, x) = nu(t) w_xx,        f(w, x) = c2(t) w^2 + c1(t) x w,

which covers the score form ``u_tau = nu u_xx + u u_x`` (``c2 = -1/2``), the textbook form
``v_tau + v v_x = nu v_xx`` (``c2 = +1/2``) and the VP score equation of ANALYTIC.md §4 in VP time
(``c2 = c1 = -beta/2``, ``nu = beta/2``). The flux schemes below (numba kernels in
:mod:`solvers.kernels.fluxes`) differ only in the numerical flux ``F_{i+1/2}``; the diffusion is a centred
stencil chosen separately (``[method] diffusion``: ``central2`` or ``central4``).

2D (the irrotational vector Burgers system ``u_tau = nu Lap u + (u . grad) u``) has two forms
(``[method] form``): ``gradient`` (``nu Lap u + (1/2) grad |u|^2``, centred or spectral differences, which
keep ``curl u`` at round-off because the difference operators commute) and ``upwind`` (the non-conservative
``(u . grad) u`` with upwind-biased derivatives chosen by the sign of the transport velocity).

==================  =====  ====  ===========================================================  ===============
name                order  1D/2D flux / derivative                                                   source
==================  =====  ====  ===========================================================  ===============
``central2``        2      1, 2  F = (f_L + f_R)/2; 2D: centred gradient of |u|^2/2            textbook
``central4``        4      2     5-point centred gradient of |u|^2/2 (gradient form)           Fornberg 1988
``upwind1``         1      1, 2  Murman-Roe upwind flux; 2D: one-sided upwind derivatives      LeVeque 2002 §12
``rusanov``         1      1     local Lax-Friedrichs                                          Rusanov 1961
``godunov``         1      1     exact Riemann solution of the quadratic flux                  Godunov 1959
``engquist_osher``  1      1     F = (f_L+f_R)/2 - (1/2) int |f'|                              Engquist-Osher 1981
``muscl_minmod``    2      1     MUSCL + minmod slopes + Godunov flux (TVD)                    van Leer 1979
``muscl_mc``        2      1     MUSCL + monotonized-central slopes + Godunov flux (TVD)       van Leer 1977
``weno5``           5      1, 2  Jiang-Shu WENO5, Lax-Friedrichs splitting; 2D: WENO5 upwind   Jiang & Shu 1996;
                                 derivatives of the non-conservative form                      Jiang & Peng 2000
``spectral``        exp.   1, 2  Fourier pseudo-spectral, 2/3-rule dealiasing (periodic)       Canuto et al. 2006
==================  =====  ====  ===========================================================  ===============

``cfl`` is the largest advective Courant number ``max|f'| dt / h`` the scheme is run at under ``dt = "auto"``
(times the time scheme's own factor and the case's ``time.safety``); TVD schemes need ``<= 1/2`` with
forward-Euler stages for the MUSCL slopes.

Each entry carries what the code needs to run it: ``kernel_id``, the 1D flux sweep of
:mod:`solvers.kernels.fluxes` (``None`` where the scheme has no 1D flux kernel), with ``ghost_layers`` the cells it
reads on either side (stated here only: the kernels receive it); ``upwind_kernel_2d`` (the one-sided derivatives
of :func:`solvers.kernels.vector_burgers.upwind_advection_2d`) and ``gradient_order_2d`` (the centred gradient of
:func:`~solvers.kernels.vector_burgers.gradient_advection_2d`) for the 2D forms it implements; ``low_storage`` and
``parallel_kernel``: the 1D kernel runs block by block with the two-register Shu-Osher loop
(:mod:`solvers.kernels.burgers_lowstorage`) and the ``prange`` twins (:mod:`solvers.kernels.weno5`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..kernels import fluxes, vector_burgers
from ..registry import Registry

BURGERS_SPACE_SCHEMES: Registry["AdvectionScheme"] = Registry("space")
BURGERS_FORMS = ("gradient", "upwind")
DIFFUSION_SCHEMES = ("central2", "central4")


@dataclass(frozen=True)
class AdvectionScheme:
    name: str
    order: float                  # formal order of the advective term (np.inf: spectral)
    kind: str                     # "flux" (finite differences) or "spectral"
    ghost_layers: int             # ghost cells the advective stencil reads
    dims: tuple = (1,)            # dimensions where it is available
    forms_2d: tuple = ()          # 2D forms it implements
    cfl: float = 1.0
    tvd: bool = False
    description: str = ""
    source: str = ""
    kernel_id: int | None = None            # 1D flux sweep (solvers.kernels.fluxes ids)
    upwind_kernel_2d: int | None = None     # 2D upwind form: one-sided derivatives (solvers.kernels.vector_burgers)
    gradient_order_2d: int | None = None    # 2D gradient form: order of the centred gradient of |u|^2
    low_storage: bool = False               # the 1D kernel has the two-register Shu-Osher loop
    parallel_kernel: bool = False           # the 1D kernel has prange twins (size rule: kernels.weno5)


for _s in (
    AdvectionScheme("central2", 2, "flux", 1, (1, 2), ("gradient",), 1.0, False, "centred flux (not upwinded)",
                    source="textbook centred flux (e.g. LeVeque 2002)",
                    kernel_id=fluxes.CENTRAL2, gradient_order_2d=2),
    AdvectionScheme("central4", 4, "flux", 2, (2,), ("gradient",), 1.0, False,
                    "2D gradient form: 5-point centred gradient of |u|^2/2",
                    source="Fornberg 1988 (Math. Comp. 51)", gradient_order_2d=4),
    AdvectionScheme("upwind1", 1, "flux", 1, (1, 2), ("upwind",), 1.0, True, "first-order Murman-Roe upwind",
                    source="Murman-Roe upwind flux (LeVeque 2002, §12.2)",
                    kernel_id=fluxes.UPWIND1, upwind_kernel_2d=vector_burgers.UPWIND1),
    AdvectionScheme("rusanov", 1, "flux", 1, (1,), (), 1.0, True, "local Lax-Friedrichs (Rusanov) flux",
                    source="Rusanov 1961 (Zh. Vychisl. Mat. Mat. Fiz. 1); LeVeque 2002, §12.5",
                    kernel_id=fluxes.RUSANOV),
    AdvectionScheme("godunov", 1, "flux", 1, (1,), (), 1.0, True, "Godunov flux (exact Riemann solution)",
                    source="Godunov 1959 (Mat. Sb. 47); LeVeque 2002, eq. 12.4",
                    kernel_id=fluxes.GODUNOV),
    AdvectionScheme("engquist_osher", 1, "flux", 1, (1,), (), 1.0, True, "Engquist-Osher flux",
                    source="Engquist & Osher 1981 (Math. Comp. 36)",
                    kernel_id=fluxes.ENGQUIST_OSHER),
    AdvectionScheme("muscl_minmod", 2, "flux", 2, (1,), (), 0.5, True, "MUSCL, minmod limiter, Godunov flux",
                    source="van Leer 1979 (J. Comput. Phys. 32); TVD: Harten 1983 (J. Comput. Phys. 49)",
                    kernel_id=fluxes.MUSCL_MINMOD),
    AdvectionScheme("muscl_mc", 2, "flux", 2, (1,), (), 0.5, True, "MUSCL, monotonized-central limiter, Godunov flux",
                    source="van Leer 1977 (J. Comput. Phys. 23), monotonized-central slope; MUSCL: van Leer 1979",
                    kernel_id=fluxes.MUSCL_MC),
    AdvectionScheme("weno5", 5, "flux", 3, (1, 2), ("upwind",), 0.5, False,
                    "WENO5-JS with Lax-Friedrichs flux splitting (2D: WENO5 upwind derivatives)",
                    source="Jiang & Shu 1996 (J. Comput. Phys. 126); 2D: Jiang & Peng 2000 (SIAM J. Sci. Comput. 21)",
                    kernel_id=fluxes.WENO5, upwind_kernel_2d=vector_burgers.WENO5,
                    low_storage=True, parallel_kernel=True),
    AdvectionScheme("spectral", np.inf, "spectral", 0, (1, 2), ("gradient",), 1.0, False,
                    "Fourier pseudo-spectral with 2/3-rule dealiasing (periodic axes)",
                    source="Canuto, Hussaini, Quarteroni & Zang 2006; 2/3 rule: Orszag 1971"),
):
    BURGERS_SPACE_SCHEMES.add(_s)
