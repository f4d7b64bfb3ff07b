"""Where a benchmark's CPU time goes: the app servers, PostgreSQL, Redis, wrk and the
benchmark's own process (the desk's changes and their read-backs), read from ``/proc``.

A run on a 2-core machine shares those cores among all of them, so a busy run's lower
throughput may come from the app servers' extra work (pages rendered again) or from the
desk's own (a save, its pieces, the database's writes): the accounts tell them apart.

Linux only. A process's time counts its reaped children (``cutime``/``cstime``): a
PostgreSQL backend that exits is added to the postmaster's account when it is reaped.
"""

import os
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK")
# Processes counted by their command name, whoever started them.
BY_NAME = {"postgres": "postgresql", "redis-server": "redis"}


def snapshot(server_pids: list[int]) -> dict[str, float]:
    """CPU seconds used so far by each account: ``app`` (the given servers and their
    workers), ``postgresql``, ``redis``, ``wrk`` (this process's finished children) and
    ``bench`` (this process), and ``machine`` (every core's busy time) with ``cores``."""
    stats = [stat for stat in map(_stat, PROC.iterdir()) if stat]
    servers = set(server_pids)
    accounts = {"app": 0.0, "postgresql": 0.0, "redis": 0.0}
    for pid, name, ppid, used in stats:
        if pid in servers or ppid in servers:
            accounts["app"] += used
        elif name in BY_NAME:
            accounts[BY_NAME[name]] += used
    own = os.times()
    accounts["wrk"] = own.children_user + own.children_system
    accounts["bench"] = own.user + own.system
    accounts["machine"], accounts["cores"] = _machine_busy()
    return accounts


def spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """CPU seconds each account used between two snapshots."""
    return {key: after[key] - before[key] if key != "cores" else after[key] for key in after}


def describe(used: dict[str, float], seconds: float, requests: int) -> str:
    """One line: each account's share of the machine's cores over the run, and the app
    servers' CPU milliseconds per request."""
    capacity = used["cores"] * seconds
    shares = ", ".join(
        f"{key} {used[key] / capacity:.0%}"
        for key in ("app", "postgresql", "redis", "wrk", "bench", "machine")
    )
    per_request = 1000 * used["app"] / max(requests, 1)
    return f"CPU (share of {used['cores']:g} cores): {shares}; app {per_request:.2f} ms/request"


def _stat(entry: Path):
    """(pid, command name, parent pid, CPU seconds with reaped children), or None."""
    if not entry.name.isdigit():
        return None
    try:
        text = (entry / "stat").read_text()
    except OSError:  # the process ended meanwhile
        return None
    # The name is in parentheses and may hold spaces; the fields after it are numbered.
    name = text[text.index("(") + 1 : text.rindex(")")]
    fields = text[text.rindex(")") + 2 :].split()
    used = sum(int(value) for value in fields[11:15]) / TICKS  # utime stime cutime cstime
    return int(entry.name), name, int(fields[1]), used


def _machine_busy() -> tuple[float, int]:
    """Seconds every core spent busy (not idle or waiting on disk) since boot, and the
    number of cores."""
    lines = (PROC / "stat").read_text().splitlines()
    total = [int(value) for value in lines[0].split()[1:]]
    cores = sum(1 for line in lines if line.startswith("cpu") and line[3].isdigit())
    idle = total[3] + total[4]
    return (sum(total[:8]) - idle) / TICKS, cores
