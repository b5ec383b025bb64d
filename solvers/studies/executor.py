"""Mapping independent runs over Dask: a local cluster by default, an existing scheduler when given.

Workers are processes with one thread each (numba kernels are serial; two processes use both cores of the
reference machine). Each task is a top-level function of picklable arguments; results come back in order.
"""
from __future__ import annotations

import os
from typing import Callable, Iterable


def map_tasks(func: Callable, tasks: Iterable[tuple], scheduler: str | None = None) -> list:
    from dask.distributed import Client, LocalCluster

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
        return client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
