"""Studies over many runs: convergence orders and parameter sweeps, scaled out on Dask."""
