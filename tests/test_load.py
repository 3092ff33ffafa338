"""Load: 50 concurrent loopback clients over the benchmark query mix against a real server.

CI runs it for a few seconds; the full run is
``POLICY_SEARCH_LOAD_SECONDS=60 python -m pytest tests/test_load.py -s`` (README, "What is
guaranteed"). Figures are printed and written to ``test-output/load.json``.
"""

import json
import os
import threading
import time

from bench.measure import http_load
from bench.workload import query_mix
from indexer.build import build_index
from tests import live

CLIENTS = 50
SECONDS = float(os.environ.get("POLICY_SEARCH_LOAD_SECONDS", "6"))
UNITS = 1500


def test_fifty_clients_get_answers_and_memory_levels_off(tmp_path):
    corpus = live.make_corpus(tmp_path / "corpus", UNITS)
    index = tmp_path / "index"
    build_index(corpus, index, jobs=2)
    queries = query_mix(240)
    with live.Server(index, threads=8) as server:
        http_load(server.base, queries[:40], clients=CLIENTS, seconds=1.0)  # warm the caches
        rss = [server.rss_mb()]
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(0.25):
                rss.append(server.rss_mb())

        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            result = http_load(server.base, queries, clients=CLIENTS, seconds=SECONDS)
        finally:
            stop.set()
            sampler.join()
        rss.append(server.rss_mb())
    half = rss[len(rss) // 2]
    figures = {
        "clients": CLIENTS, "seconds": round(result["seconds"], 1), "units": UNITS,
        "requests": result["requests"], "errors": len(result["errors"]),
        "req_per_s": round(result["throughput"], 1), "p50_ms": round(result["p50_ms"], 1),
        "p95_ms": round(result["p95_ms"], 1), "p99_ms": round(result["p99_ms"], 1),
        "rss_start_mb": round(rss[0], 1), "rss_half_mb": round(half, 1),
        "rss_end_mb": round(rss[-1], 1), "rss_peak_mb": round(max(rss), 1),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    out = live.ROOT / "test-output"
    out.mkdir(exist_ok=True)
    (out / "load.json").write_text(json.dumps(figures, indent=2) + "\n")
    print("\nload:", json.dumps(figures))
    assert result["errors"] == []
    assert result["requests"] >= CLIENTS  # every client got answers
    # memory levels off: the second half of the run adds little to what the first half reached
    assert rss[-1] - half < 16 + 0.05 * half, figures
    assert max(rss) < rss[0] + 200, figures
