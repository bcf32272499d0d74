"""Where issue builds run: a local process pool, or a Dask distributed cluster.

Both take the same self-contained jobs and hand back (job, result or exception) pairs as the
builds finish, so the archive run that writes files and manifest is one code path for both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from newsbook.model.errors import NewsbookError

Outcome = tuple[Any, Any]  # (item, its result, or the exception the task raised)


class Executor(Protocol):
    """Runs a function over items in parallel somewhere, yielding outcomes as they finish."""

    description: str

    def run(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Outcome]:
        """Submit fn(item) for every item; yield (item, result or exception) in finishing order."""
        ...

    def close(self) -> None:
        """Release the pool or the cluster connection."""
        ...


# A worker process renders this many issues, then is replaced: WeasyPrint does not give
# memory back after a render (see PITFALLS), so a long archive would otherwise only grow.
TASKS_PER_PROCESS = 100


class LocalExecutor:
    """A pool of local processes (concurrent.futures)."""

    def __init__(self, workers: int = 1):
        import multiprocessing

        self.workers = max(1, workers)
        self.description = f"{self.workers} local process{'es' * (self.workers != 1)}"
        # forkserver: workers start from a clean process, not a fork of one holding threads
        # (the fetcher's) and locks; spawn where there is no forkserver.
        if "forkserver" in multiprocessing.get_all_start_methods():
            self._context = multiprocessing.get_context("forkserver")
            # The server imports the renderers once; each worker forked from it starts warm
            # (WeasyPrint's import alone takes a second or more).
            self._context.set_forkserver_preload(["newsbook.speed.forkserver_hook",
                                                  "newsbook.archive.worker",
                                                  "newsbook.builders.pdf",
                                                  "newsbook.builders.epub", "weasyprint"])
        else:
            self._context = multiprocessing.get_context("spawn")
        self._pool = self._new_pool()

    def _new_pool(self):
        from concurrent.futures import ProcessPoolExecutor

        return ProcessPoolExecutor(max_workers=self.workers, mp_context=self._context,
                                   max_tasks_per_child=TASKS_PER_PROCESS)

    def run(self, fn, items) -> Iterator[Outcome]:
        # A process that dies (out of memory, killed) breaks the pool and fails every task in
        # it, so only a few are in it at a time; after a break those few run again, each alone
        # in a new pool: one that breaks that pool too is the cause, and only it fails.
        from collections import deque

        queue = deque(items)
        while queue:
            suspects: list[Outcome] = []
            yield from self._window(fn, queue, suspects)
            for item, _exc in suspects:
                alone: list[Outcome] = []
                yield from self._window(fn, deque([item]), alone)
                yield from alone

    def _window(self, fn, queue, broken: list[Outcome]) -> Iterator[Outcome]:
        """Run queued items, a few more than there are workers in flight, until the queue is
        empty or the pool breaks; the items a break failed go to `broken`."""
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        inflight: dict = {}
        failed = False
        try:
            while queue or inflight:
                while queue and not failed and len(inflight) <= self.workers:
                    item = queue.popleft()
                    try:
                        inflight[self._pool.submit(fn, item)] = item
                    except BrokenProcessPool:
                        queue.appendleft(item)  # never ran: not a suspect
                        failed = True
                if not inflight:
                    break
                done, _running = wait(inflight, return_when=FIRST_COMPLETED)
                for future in done:
                    item = inflight.pop(future)
                    try:
                        yield item, future.result()
                    except BrokenProcessPool as exc:
                        broken.append((item, exc))
                        failed = True
                    except Exception as exc:  # noqa: BLE001 - that task fails, not the run
                        yield item, exc
                if failed and not inflight:
                    break
        finally:
            for future in inflight:
                future.cancel()
        if failed:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = self._new_pool()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """A Dask distributed cluster, through a client connected to its scheduler."""

    def __init__(self, address: str, timeout: float = 30.0):
        try:
            from distributed import Client
        except ImportError:
            raise NewsbookError("--scheduler needs Dask distributed: "
                                "pip install 'newsbook[archive]'") from None
        try:
            self._client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise NewsbookError(f"cannot reach the Dask scheduler at {address} "
                                f"({exc.__class__.__name__}: {exc})") from None
        try:
            self._client.wait_for_workers(1, timeout=timeout)
            versions = self._client.run(_newsbook_version)
        except (OSError, TimeoutError) as exc:
            self._client.close()
            raise NewsbookError(f"the Dask cluster at {address} has no worker "
                                f"({exc.__class__.__name__})") from None
        except Exception as exc:  # noqa: BLE001 - raised on a worker, e.g. no newsbook there
            self._client.close()
            raise NewsbookError(f"the Dask workers at {address} cannot run newsbook "
                                f"({exc.__class__.__name__}: {exc}): install it on them") from None
        from newsbook import __version__

        wrong = sorted({v for v in versions.values() if v != __version__})
        if wrong:
            self._client.close()
            # Workers with another newsbook would write other bytes under the same keys.
            raise NewsbookError(f"the Dask workers at {address} run newsbook {', '.join(wrong)}, "
                                f"this is {__version__}: install the same version on both")
        self.description = f"Dask cluster {address} ({len(versions)} workers)"

    def run(self, fn, items) -> Iterator[Outcome]:
        from distributed import as_completed

        futures = {}
        for item in items:
            # pure=False: equal jobs are still separate builds (their results are the files).
            futures[self._client.submit(fn, item, pure=False)] = item
        try:
            for future in as_completed(list(futures), loop=self._client.loop):
                try:
                    yield futures[future], future.result()
                except Exception as exc:  # noqa: BLE001 - e.g. KilledWorker: that task fails
                    yield futures[future], exc
                finally:
                    future.release()
        finally:
            self._client.cancel(list(futures))

    def close(self) -> None:
        self._client.close()


def _newsbook_version() -> str:
    from newsbook import __version__

    return __version__


def make_executor(jobs: int | None = None, scheduler: str | None = None) -> Executor:
    """The Dask executor when a scheduler address is given, else a local pool of `jobs`."""
    if scheduler:
        return DaskExecutor(scheduler)
    import os

    return LocalExecutor(jobs or os.cpu_count() or 1)
