"""A hard time limit on a pure function, in any server model: run it in a worker process.

A timer signal interrupts only a process's main thread, so under a threaded WSGI server or
ASGI a pathological body rendered for as long as it took (36.8 s for a 30,000-row table). Here
the work runs in a separate process that is killed when its time is up, whatever thread asks.
Workers are started once and reused (``spawn``: forking a threaded server would copy its
locks), so a normal render pays a message to the worker and back, not a process start.
"""

import contextlib
import importlib
import multiprocessing
import os
import threading

_CONTEXT = multiprocessing.get_context("spawn")
# Python and the Markdown modules take a moment to load on a busy machine; the budget only
# starts once the worker says it is ready.
START_SECONDS = 60
# Idle workers kept per process: enough for the renders a server makes at the same time.
MAX_IDLE_WORKERS = 2


class WorkerFailed(Exception):
    """The worker died or could not start (not the function's own failure)."""


def _serve(connection, preload: str) -> None:
    """The worker's loop: call each function received on its argument, answer with the result
    or with the exception's type (a RecursionError, say). ``preload`` is the module of the
    functions it will run, imported before it says it is ready, so no call pays for it."""
    importlib.import_module(preload)
    connection.send(("ready", None))
    while True:
        try:
            function, argument = connection.recv()
        except EOFError:
            return  # the server process is gone
        try:
            connection.send(("done", function(argument)))
        except RecursionError:
            connection.send(("recursion", None))
        except Exception as error:  # noqa: BLE001 (reported to the caller, never lost)
            connection.send(("failed", repr(error)))


class _Worker:
    def __init__(self, preload: str):
        self.preload = preload
        self.connection, child = _CONTEXT.Pipe()
        self.process = _CONTEXT.Process(target=_serve, args=(child, preload), daemon=True)
        self.process.start()
        child.close()
        if not self.connection.poll(START_SECONDS) or self.connection.recv()[0] != "ready":
            self.stop()
            raise WorkerFailed("the render worker did not start")

    def stop(self) -> None:
        self.process.kill()
        self.process.join()
        self.connection.close()


_idle: list[_Worker] = []
_lock = threading.Lock()
_owner = os.getpid()


def _take(preload: str) -> _Worker:
    global _owner
    with _lock:
        if _owner != os.getpid():
            # A forked server process (gunicorn --preload): the parent's workers are not ours.
            _idle.clear()
            _owner = os.getpid()
        for worker in _idle:
            if worker.preload == preload:
                _idle.remove(worker)
                return worker
    return _Worker(preload)


def _start_spare(preload: str) -> None:
    """Start a worker in the background and keep it idle, so the call after a killed one
    does not wait for a process to start."""
    # If it cannot start, the next call tries again itself, and says so if it fails too.
    with contextlib.suppress(WorkerFailed):
        _give_back(_Worker(preload))


def _give_back(worker: _Worker) -> None:
    with _lock:
        if len(_idle) < MAX_IDLE_WORKERS:
            _idle.append(worker)
            return
    worker.stop()


class TimeUp(Exception):
    """The function did not finish within its time (or recursed too deep)."""


def call_within(seconds: float, function, argument):
    """``function(argument)`` run in a worker process, or ``TimeUp`` after ``seconds``.

    ``function`` must be a module-level function (it travels by name) whose result can be
    pickled. A worker that runs out of time is killed; the next call starts another.
    """
    worker = _take(function.__module__)
    try:
        worker.connection.send((function, argument))
        if not worker.connection.poll(seconds):
            worker.stop()
            threading.Thread(target=_start_spare, args=(worker.preload,), daemon=True).start()
            raise TimeUp
        outcome, result = worker.connection.recv()
    except (EOFError, OSError) as error:
        worker.stop()
        raise WorkerFailed("the render worker stopped") from error
    _give_back(worker)
    if outcome == "recursion":
        raise TimeUp
    if outcome == "failed":
        raise WorkerFailed(result)
    return result
