"""Run one piece of work per entity: in this process, on a local process pool, or on a
Dask distributed cluster; results in the entities' order, whatever order they finish.

A Dask scheduler (``--scheduler tcp://HOST:PORT``) needs the optional extra
``grantpool[cluster]``; its workers must have grantpool installed and see the books at
the same path (a shared or cloned folder).  Results are small records
(``grantpool.federation.work.Outcome``), never loaded books.
"""

from __future__ import annotations

import datetime
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

from grantpool.federation.layout import Entity
from grantpool.federation.progress import Progress
from grantpool.federation.work import Outcome

Work = Callable[[Entity, datetime.date], Outcome]


class NoCluster(RuntimeError):
    """The Dask scheduler cannot be used; the message says why and what to do."""


def default_workers() -> int:
    """One worker per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


@dataclass(frozen=True)
class Runner:
    """Where the work runs: *workers* local processes (started with the multiprocessing
    *context*, e.g. "spawn" from a threaded server; default the platform's), or the Dask
    *scheduler*."""

    workers: int = 1
    scheduler: str | None = None
    context: str | None = None

    def run(self, work: Work, entities: Sequence[Entity], as_of: datetime.date,
            progress: Progress | None = None) -> list[Outcome]:
        if self.scheduler:
            return _on_dask(self.scheduler, work, entities, as_of, progress)
        if self.workers <= 1 or len(entities) <= 1:
            out = []
            for entity in entities:
                out.append(work(entity, as_of))
                if progress:
                    progress.step()
            return out
        return _on_pool(self, work, entities, as_of, progress)


def _on_pool(runner: Runner, work: Work, entities: Sequence[Entity], as_of: datetime.date,
             progress: Progress | None) -> list[Outcome]:
    context = multiprocessing.get_context(runner.context) if runner.context else None
    with ProcessPoolExecutor(max_workers=min(runner.workers, len(entities)),
                             mp_context=context) as pool:
        futures = [pool.submit(work, entity, as_of) for entity in entities]
        for _ in as_completed(futures):
            if progress:
                progress.step()
        return [f.result() for f in futures]


def _on_dask(address: str, work: Work, entities: Sequence[Entity], as_of: datetime.date,
             progress: Progress | None) -> list[Outcome]:
    try:
        import distributed  # noqa: PLC0415 (the optional extra, imported only here)
    except ImportError as exc:
        raise NoCluster("--scheduler needs Dask: pip install 'grantpool[cluster]'") from exc
    try:
        connect: Any = distributed.Client
        client: Any = connect(address, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise NoCluster(f"--scheduler {address}: no Dask scheduler answers there ({exc}); "
                        f"start one (dask scheduler) or leave --scheduler out") from exc
    with client:
        futures = [client.submit(work, entity, as_of, pure=False) for entity in entities]
        completed: Any = distributed.as_completed
        for _ in completed(futures):
            if progress:
                progress.step()
        results: list[Outcome] = client.gather(futures)
    return results
