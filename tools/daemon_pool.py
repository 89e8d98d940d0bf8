"""A small thread pool on daemon threads, for calls a caller may abandon at a deadline.

`concurrent.futures.ThreadPoolExecutor` joins its workers when the interpreter exits,
so one abandoned call (a model that never answers, a cold LangChain import) keeps a
finished `advisor ask` alive until that call ends on its own. These workers are
daemon threads: a process exits as soon as its own work is done.

    pool = DaemonPool(32, "advisor-llm")
    future = pool.submit(fn, *args)      # a concurrent.futures.Future
    future.result(timeout=3.0); future.cancel()
    pool.shutdown(cancel_futures=True)   # queued calls cancelled, running ones left
    pool.running()                       # calls still running (abandoned ones included)
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")

_Job = tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]


class DaemonPool:
    def __init__(self, workers: int, name: str) -> None:
        self._max = workers
        self._name = name
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._idle = 0
        self._running = 0
        self._closed = False

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        future: Future[T] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the pool is shut down")
            self._jobs.put((future, fn, args))
            if self._idle == 0 and len(self._threads) < self._max:
                thread = threading.Thread(
                    target=self._work, name=f"{self._name}_{len(self._threads)}", daemon=True
                )
                self._threads.append(thread)
                thread.start()
            else:
                self._idle = max(0, self._idle - 1)
        return future

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            future, fn, args = job
            if future.set_running_or_notify_cancel():
                with self._lock:
                    self._running += 1
                try:
                    future.set_result(fn(*args))
                except BaseException as exc:  # noqa: BLE001 - handed to the caller
                    future.set_exception(exc)
                with self._lock:
                    self._running -= 1
            with self._lock:
                self._idle += 1

    def shutdown(self, cancel_futures: bool = True) -> None:
        """No new calls; queued ones cancelled (with `cancel_futures`); workers end
        after their current call. Never waits."""
        with self._lock:
            self._closed = True
            if cancel_futures:
                while True:
                    try:
                        job = self._jobs.get_nowait()
                    except queue.Empty:
                        break
                    if job is not None:
                        job[0].cancel()
            for _ in self._threads:
                self._jobs.put(None)

    def running(self) -> int:
        """How many calls are running now (a caller may have abandoned them)."""
        with self._lock:
            return self._running
