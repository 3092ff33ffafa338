"""Measuring tools: process-tree memory, percentiles, a loopback HTTP load."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def _kb(path: str, key: str) -> int:
    """The kB figure of ``key`` in a /proc file (``VmRSS`` in status, ``Pss`` in
    smaps_rollup); 0 when the process is gone."""
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _rss_kb(pid: int) -> int:
    return _kb(f"/proc/{pid}/status", "VmRSS")


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            kids = [int(x) for x in f.read().split()]
    except OSError:
        return []
    out = list(kids)
    for k in kids:
        out += _children(k)
    return out


def _tree_mb(pid: int, kb) -> float:
    return sum(kb(p) for p in [pid, *_children(pid)]) / 1024


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    return _tree_mb(pid, _rss_kb)


def _pss_kb(pid: int) -> int:
    return _kb(f"/proc/{pid}/smaps_rollup", "Pss")


def tree_pss_mb(pid: int) -> float:
    """Proportional memory of a process tree, in MB: what it costs the machine. Forked build
    workers share the parent's jieba dictionary; a sum of RSS counts those pages once per
    process, a sum of PSS once in all."""
    return _tree_mb(pid, _pss_kb)


class PeakSampler:
    """Samples a process tree's total RSS every ``interval`` seconds; keeps the peak."""

    PSS_EVERY = 10  # samples: reading smaps_rollup walks page tables, far dearer than status

    def __init__(self, pid: int, interval: float = 0.1):
        self.pid = pid
        self.interval = interval
        self.peak = 0.0
        self.peak_pss = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        n = 0
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss_mb(self.pid))
            if n % self.PSS_EVERY == 0:
                self.peak_pss = max(self.peak_pss, tree_pss_mb(self.pid))
            n += 1
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def run_measured(cmd: list[str], env: dict | None = None) -> dict:
    """Run a command; return seconds, peak tree RSS (MB) and its output."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    with PeakSampler(proc.pid) as sampler:
        out, err = proc.communicate()
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    return {"seconds": seconds, "peak_rss_mb": sampler.peak, "peak_pss_mb": sampler.peak_pss,
            "stdout": out, "stderr": err}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``policy-search serve`` in a subprocess on a free loopback port."""

    def __init__(self, index_dir: Path, corpus: Path, threads: int | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        cmd = [sys.executable, "-m", "search_app", "serve", "--port", str(self.port),
               "--index-dir", str(index_dir), "--corpus", str(corpus)]
        if threads is not None:  # else serve's own default (one per core)
            cmd += ["--threads", str(threads)]
        # the log goes to a file, never an unread pipe: under load waitress logs a line per
        # queued burst ("Task queue depth is 41"), and once a pipe's buffer is full the
        # server blocks writing it (the 50-client runs timed out on exactly that)
        self.log = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.log, text=True)

    def wait(self, timeout: float = 120.0) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                self.log.seek(0)
                raise RuntimeError("server exited: " + self.log.read()[-2000:])
            try:
                with urllib.request.urlopen(self.base + "/api/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        raise RuntimeError("server did not answer /api/health in time")

    def rss(self) -> dict:
        status = {}
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    key, _, value = line.partition(":")
                    if key in ("VmRSS", "VmHWM"):
                        status[key] = int(value.split()[0]) / 1024
        except OSError:
            pass
        return status

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def search_url(base: str, q) -> str:
    params = [("q", q.q)]
    if q.region:
        params.append(("region", q.region))
    if q.year:
        params.append(("year", q.year))
    if getattr(q, "page", 1) != 1:
        params.append(("page", str(q.page)))
    return f"{base}/api/search?{urllib.parse.urlencode(params)}"


def http_load(base: str, queries: list, clients: int = 8, rounds: int = 1,
              seconds: float | None = None) -> dict:
    """``clients`` threads issue the query mix; latency of each request and error count."""
    urls = [search_url(base, q) for q in queries] * rounds
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    position = [0]
    deadline = time.perf_counter() + seconds if seconds else None

    def worker() -> None:
        while True:
            with lock:
                if deadline is None and position[0] >= len(urls):
                    return
                if deadline is not None and time.perf_counter() >= deadline:
                    return
                url = urls[position[0] % len(urls)]
                position[0] += 1
            t = time.perf_counter()
            try:
                with urllib.request.urlopen(url, timeout=60) as r:
                    body = r.read()
                    if r.status != 200 and r.status != 400:
                        raise RuntimeError(f"HTTP {r.status}")
                    json.loads(body)
            except urllib.error.HTTPError as e:
                if e.code != 400:
                    with lock:
                        errors.append(f"{e.code} {url}")
            except Exception as e:  # noqa: BLE001 - every failure counts as an error
                with lock:
                    errors.append(f"{type(e).__name__}: {e} {url}")
            dt = time.perf_counter() - t
            with lock:
                latencies.append(dt)

    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    return {
        "requests": len(latencies),
        "errors": errors,
        "seconds": wall,
        "throughput": len(latencies) / wall if wall else 0.0,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p95_ms": percentile(latencies, 95) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
    }


def python_env() -> dict:
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    return env


def mixed_load(base: str, expensive: list, ordinary: list, seconds: float,
               expensive_clients: int = 8, ordinary_clients: int = 40) -> dict:
    """Ordinary queries alone, then beside a burst of the most expensive ones: whether the
    expensive ones starve the rest (their p95 with the burst over their p95 alone)."""
    alone = http_load(base, ordinary, clients=ordinary_clients, seconds=seconds)
    results: dict = {}

    def burst() -> None:
        results["expensive"] = http_load(base, expensive, clients=expensive_clients,
                                         seconds=seconds)

    t = threading.Thread(target=burst)
    t.start()
    results["ordinary"] = http_load(base, ordinary, clients=ordinary_clients, seconds=seconds)
    t.join()
    return {
        "ordinary_alone_p95_ms": alone["p95_ms"],
        "ordinary_mixed_p95_ms": results["ordinary"]["p95_ms"],
        "expensive_p95_ms": results["expensive"]["p95_ms"],
        "ratio": results["ordinary"]["p95_ms"] / max(alone["p95_ms"], 1e-9),
        "errors": len(alone["errors"]) + len(results["ordinary"]["errors"])
        + len(results["expensive"]["errors"]),
    }
