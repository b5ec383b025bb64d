"""Mapping independent runs over Dask: a local cluster by default, an existing scheduler when given.

Workers are processes with one thread each (numba kernels are serial; two processes use both cores of the
reference machine). Each task is a top-level function of picklable arguments; results come back in order.
"""
from __future__ import annotations

import os
from typing import Callable, Iterable


def map_tasks(func: Callable, tasks: Iterable[tuple], scheduler: str | None = None, progress: bool = False,
              desc: str = "tasks") -> list:
    """``[func(*args) for args in tasks]`` on Dask, in order; ``progress``: a tqdm bar advanced as results
    arrive (on a terminal). Numba kernels are ``cache=True``, so a worker process loads the compiled kernels
    from ``__pycache__`` instead of compiling: only the first task of a worker pays the import and cache load."""
    from dask.distributed import Client, LocalCluster, as_completed
    from tqdm import tqdm

    tasks = list(tasks)
    if scheduler:
        client, cluster = Client(scheduler), None
    else:
        workers = max(1, min(len(tasks), os.cpu_count() or 1))
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=40)
        client = Client(cluster)
    try:
        futures = [client.submit(func, *args, pure=False) for args in tasks]
        with tqdm(total=len(futures), disable=not progress, desc=desc, unit="task") as bar:
            for _ in as_completed(futures):
                bar.update(1)
        return client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
