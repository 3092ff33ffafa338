"""Run the benchmark: build, update, query and serve each workload beside its baselines, and
report every figure as a ratio against a baseline measured in the same run."""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from bench import baselines as B
from bench import measure as M
from bench import workload as W

RESULTS = Path(__file__).resolve().parent / "results"

# (figure, target, higher is better) — checked at every size, binding at 100k units and on
# the real corpus
TARGETS = {
    "build_vs_floor": (0.5, True),
    "query_p50_ms": (10.0, False),
    "query_p95_ms": (40.0, False),
    "query_max_ms": (150.0, False),
    "query_p50_vs_naive": (0.5, False),
    "query_p50_vs_fts5": (3.0, False),
    "query_p95_vs_fts5": (5.0, False),
    "http8_p95_ms": (100.0, False),
    "http50_req_per_s": (50.0, True),
    "mixed_ordinary_p95_ratio": (3.0, False),
    "cli_query_seconds": (0.6, False),
    "serve_rss_mb": (400.0, False),
    "index_vs_raw": (3.0, False),
    "incremental_share": (0.05, False),
    "build_peak_pss_mb": (1000.0, False),
}
NAIVE_SUBSET = 30  # queries the textbook page is timed on for the real corpus (minutes each)
LOAD_SECONDS = 60


def _live_size(index_dir: Path) -> int:
    name = (index_dir / "CURRENT").read_text("utf-8").strip()
    return B.dir_size(index_dir / name)


def _our_build(root: Path, index_dir: Path, jobs: int, full: bool = True) -> dict:
    cmd = [sys.executable, "-m", "search_app", "index", str(root), "--index-dir", str(index_dir),
           "--jobs", str(jobs)]
    if full:
        cmd.append("--full")
    return M.run_measured(cmd, env=M.python_env())


def _touch_corpus(root: Path) -> None:
    """One changed file and one added file, as a user's day would bring."""
    files = B.corpus_files(root)
    victim = files[len(files) // 2]
    text = victim.read_text("utf-8", errors="replace")
    victim.write_text(text + "\n新增段落：东西部协作持续推进，当地扶贫车间新增就业岗位二百个。\n",
                      encoding="utf-8")
    (root / "added-report.txt").write_text(
        "补充报告\n发布时间:2024-05-06\n一、新情况\n林盘蚕房项目带动务工收入400多万元。\n",
        encoding="utf-8")


def _our_queries(index_dir: Path, queries: list[W.Query]) -> dict:
    from search_app.engine import Engine
    from search_app.query import QueryError
    from search_app.search import search

    engine = Engine(index_dir)
    search(engine, "扶贫")  # warm: jieba, searcher, facet data
    times, totals, errors = [], [], []
    for q in queries:
        t = time.perf_counter()
        try:
            r = search(engine, q.q, region=q.region, year=q.year, per_page=10, page=q.page)
            totals.append(r.total)
        except (QueryError, ValueError) as err:
            errors.append(f"{q.q}: {err}")
        times.append(time.perf_counter() - t)
    engine.close()
    slowest = sorted(zip(times, (q.q for q in queries), strict=False), reverse=True)[:5]
    return {"times": times, "errors": errors, "zero_hits": sum(1 for t in totals if t == 0),
            "slowest": [(round(t * 1000, 1), q) for t, q in slowest]}


def _cli_query(index_dir: Path) -> dict:
    """``policy-search query`` end to end, as a user types it: the first run after the
    index was opened by nothing (page cache warm from the build), then warm runs."""
    cmd = [sys.executable, "-m", "search_app", "query", "城市 管理 条例", "--facets",
           "--index-dir", str(index_dir)]
    runs = [M.run_measured(cmd, env=M.python_env())["seconds"] for _ in range(4)]
    return {"first_seconds": runs[0], "seconds": sorted(runs[1:])[1]}


def _naive_queries(index_dir: Path, queries: list[W.Query], plain: bool = False) -> dict:
    page = B.NaivePage(index_dir, plain=plain)
    page.run(W.Query("扶贫", "warm"))
    times = []
    for q in queries:
        t = time.perf_counter()
        page.run(q)
        times.append(time.perf_counter() - t)
    page.close()
    return {"times": times}


def _summary(times: list[float]) -> dict:
    return {"p50_ms": M.percentile(times, 50) * 1000, "p95_ms": M.percentile(times, 95) * 1000,
            "p99_ms": M.percentile(times, 99) * 1000, "max_ms": max(times, default=0) * 1000,
            "n": len(times)}


def run_workload(wl: W.Workload, work: Path, jobs: int, queries: list[W.Query],
                 http: bool, anchors: bool, log, relevance: bool = False) -> dict:
    out: dict = {"workload": asdict(wl) | {"corpus": str(wl.corpus)}}
    corpus = wl.corpus
    real = wl.name == "real"
    if real:  # never write into the shared corpus: update tests need a copy
        corpus = work / "corpus"
        shutil.copytree(wl.corpus, corpus)
    mb = wl.raw_bytes / 1e6

    log(f"[{wl.name}] floor: read + fold + segment with {jobs} processes")
    fl = B.floor(corpus, jobs)
    out["floor"] = fl | {"mb_per_s": mb / fl["seconds"]}

    log(f"[{wl.name}] our full build")
    ix = work / "index"
    ours = _our_build(corpus, ix, jobs)
    size = _live_size(ix)
    out["build"] = {"seconds": ours["seconds"], "mb_per_s": mb / ours["seconds"],
                    "peak_rss_mb": ours["peak_rss_mb"], "peak_pss_mb": ours["peak_pss_mb"],
                    "index_bytes": size,
                    "summary": ours["stdout"].strip().splitlines()[-2:]}

    if relevance and real:  # on the fresh build, before the update step changes two files
        log(f"[{wl.name}] relevance set (tests/relevance), ours and plain BM25")
        from bench import relevance as RV

        out["relevance"] = RV.evaluate(ix)

    log(f"[{wl.name}] naive Whoosh build")
    nv = B.naive_build(corpus, work / "naive", procs=jobs if real else 1)
    out["naive"] = nv | {"mb_per_s": mb / nv["seconds"]}

    log(f"[{wl.name}] incremental update (1 changed, 1 added)")
    _touch_corpus(corpus)
    inc = _our_build(corpus, ix, jobs, full=False)
    out["incremental"] = {"seconds": inc["seconds"], "share": inc["seconds"] / ours["seconds"]}

    log(f"[{wl.name}] {len(queries)} queries: ours (facets + 10 snippets) and naive")
    oq = _our_queries(ix, queries)
    naive_q = queries[:NAIVE_SUBSET] if real else queries
    nq = _naive_queries(work / "naive", naive_q)
    out["queries"] = {"ours": _summary(oq["times"]) | {"errors": oq["errors"][:5],
                                                      "zero_hits": oq["zero_hits"],
                                                      "slowest": oq["slowest"]},
                      "naive": _summary(nq["times"])}
    if real:  # the naive page only on a subset: compare ours on the same queries
        out["queries"]["ours_subset"] = _summary(oq["times"][:NAIVE_SUBSET])
        log(f"[{wl.name}] naive plain page (no groupedby) on the same subset")
        out["queries"]["naive_plain"] = _summary(_naive_queries(work / "naive", naive_q,
                                                                plain=True)["times"])
    log(f"[{wl.name}] policy-search query end to end")
    out["cli"] = _cli_query(ix)

    if http:
        log(f"[{wl.name}] HTTP: policy-search serve, 8 concurrent clients")
        server = M.Server(ix, corpus)
        try:
            server.wait()
            # one pass first, as search() above ran after a warm-up: the figures are of a
            # server in use, not of its first minute (posting cache, norms, checksums)
            M.http_load(server.base, queries, clients=2)
            load = M.http_load(server.base, queries, clients=8)
            out["http"] = {k: v for k, v in load.items() if k != "errors"} | {
                "errors": len(load["errors"]), "error_samples": load["errors"][:3]}
            out["serve_rss_mb"] = server.rss()
            if real:
                log(f"[{wl.name}] HTTP: 50 clients for {LOAD_SECONDS} s")
                load = M.http_load(server.base, queries, clients=50, seconds=LOAD_SECONDS)
                out["http50"] = {k: v for k, v in load.items() if k != "errors"} | {
                    "errors": len(load["errors"]), "error_samples": load["errors"][:3]}
                out["serve_rss_mb"] = server.rss()
                log(f"[{wl.name}] HTTP: 40 ordinary clients beside 8 sending expensive queries")
                ordinary = [q for q in queries if q.kind not in ("stop-char", "stop-chars")]
                out["mixed"] = M.mixed_load(server.base, W.EXPENSIVE, ordinary, LOAD_SECONDS / 2)
        finally:
            server.stop()

    if anchors or real:  # FTS5 is in every Python: the real corpus always gets it
        log(f"[{wl.name}] native anchors")
        for name, fn in (("fts5", B.fts5_anchor), ("tantivy", B.tantivy_anchor)):
            if name == "tantivy" and not anchors:
                continue
            res = fn(corpus, work, queries)
            if res is not None:
                out.setdefault("anchors", {})[name] = {
                    "build_seconds": res["build_seconds"],
                    "query": _summary(res["query_seconds"]),
                }

    out["ratios"] = ratios(out, wl.raw_bytes)
    out["targets"] = check_targets(out["ratios"])
    return out


def ratios(r: dict, raw: int) -> dict:
    ours = r["build"]["seconds"]
    res = {
        "build_vs_floor": r["floor"]["seconds"] / ours,  # throughput ratio
        "build_vs_naive": r["naive"]["seconds"] / ours,
        "index_vs_raw": r["build"]["index_bytes"] / raw,
        "naive_index_vs_raw": r["naive"]["bytes"] / raw,
        "incremental_share": r["incremental"]["share"],
        "query_p50_ms": r["queries"]["ours"]["p50_ms"],
        "query_p95_ms": r["queries"]["ours"]["p95_ms"],
        "query_max_ms": r["queries"]["ours"].get("max_ms", float("nan")),
        "query_p50_vs_naive": r["queries"].get("ours_subset", r["queries"]["ours"])["p50_ms"]
        / r["queries"]["naive"]["p50_ms"],
        "build_peak_rss_mb": r["build"]["peak_rss_mb"],
        "build_peak_pss_mb": r["build"].get("peak_pss_mb", float("nan")),
    }
    if "cli" in r:
        res["cli_query_seconds"] = r["cli"]["seconds"]
    if "http" in r:
        res["http8_p95_ms"] = r["http"]["p95_ms"]
    if "mixed" in r:
        res["mixed_ordinary_p95_ratio"] = r["mixed"]["ratio"]
    if "http50" in r:
        res["http50_req_per_s"] = r["http50"]["throughput"] if not r["http50"]["errors"] else 0.0
    fts5 = r.get("anchors", {}).get("fts5")
    if fts5:
        res["query_p50_vs_fts5"] = r["queries"]["ours"]["p50_ms"] / fts5["query"]["p50_ms"]
        res["query_p95_vs_fts5"] = r["queries"]["ours"]["p95_ms"] / fts5["query"]["p95_ms"]
    if "serve_rss_mb" in r:
        res["serve_rss_mb"] = r["serve_rss_mb"].get("VmHWM", r["serve_rss_mb"].get("VmRSS"))
    return res


def check_targets(rat: dict) -> list[dict]:
    out = []
    for name, (target, higher) in TARGETS.items():
        if name not in rat:
            continue
        value = rat[name]
        ok = value >= target if higher else value <= target
        out.append({"figure": name, "value": value, "target": target,
                    "ok": ok, "rule": ">=" if higher else "<="})
    return out


def machine() -> dict:
    return {"cores": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(), "processor": platform.machine()}


def format_report(result: dict) -> str:
    lines = [f"policy-search benchmark — {result['date']} — {result['machine']['cores']} cores, "
             f"Python {result['machine']['python']}"]
    for r in result["workloads"]:
        wl = r["workload"]
        lines.append("")
        lines.append(f"== {wl['name']}: {wl['files']:,} files, ~{wl['units']:,} units, "
                     f"{wl['raw_bytes'] / 1e6:.1f} MB")
        b, f, n = r["build"], r["floor"], r["naive"]
        lines.append(f"{'build':<28}{'ours':>12}{'floor':>12}{'naive':>12}")
        lines.append(f"{'  seconds':<28}{b['seconds']:>12.1f}{f['seconds']:>12.1f}"
                     f"{n['seconds']:>12.1f}")
        lines.append(f"{'  MB/s':<28}{b['mb_per_s']:>12.2f}{f['mb_per_s']:>12.2f}"
                     f"{n['mb_per_s']:>12.2f}")
        rat = r["ratios"]
        lines.append(f"{'  throughput vs floor':<28}{rat['build_vs_floor']:>12.2f}{1:>12.2f}"
                     f"{f['seconds'] / n['seconds']:>12.2f}")
        lines.append(f"{'  index size / raw text':<28}{rat['index_vs_raw']:>12.2f}{'':>12}"
                     f"{rat['naive_index_vs_raw']:>12.2f}")
        lines.append(f"{'  peak RSS (MB)':<28}{b['peak_rss_mb']:>12.0f}")
        lines.append(f"{'  peak PSS (MB)':<28}{b.get('peak_pss_mb', float('nan')):>12.0f}")
        inc = r["incremental"]
        lines.append(f"{'update 1 changed + 1 added':<28}{inc['seconds']:>12.1f} s = "
                     f"{inc['share'] * 100:.1f} % of the full build")
        oq, nq = r["queries"]["ours"], r["queries"]["naive"]
        fts5 = r.get("anchors", {}).get("fts5", {}).get("query")
        heads = ["ours", "naive"] + (["naive plain"] if "naive_plain" in r["queries"] else []) \
            + (["fts5"] if fts5 else [])
        cols = [oq, nq] + ([r["queries"]["naive_plain"]] if "naive_plain" in r["queries"]
                           else []) + ([fts5] if fts5 else [])
        lines.append(f"{'queries (page of 10)':<28}" + "".join(f"{h:>12}" for h in heads))
        for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms"):
            lines.append(f"{'  ' + k:<28}" + "".join(f"{c.get(k, float('nan')):>12.1f}"
                                                     for c in cols))
        if "ours_subset" in r["queries"]:
            lines.append(f"  (naive timed on the first {nq['n']} queries; ours on them: p50 "
                         f"{r['queries']['ours_subset']['p50_ms']:.1f} ms)")
        lines.append(f"{'  p50 ratio ours/naive':<28}{rat['query_p50_vs_naive']:>12.2f}")
        if "query_p50_vs_fts5" in rat:
            lines.append(f"{'  ours/fts5 p50, p95':<28}{rat['query_p50_vs_fts5']:>12.2f}"
                         f"{rat['query_p95_vs_fts5']:>12.2f}")
        if oq.get("slowest"):
            lines.append("  slowest: " + ", ".join(f"{q} {t} ms" for t, q in oq["slowest"]))
        if oq.get("errors"):
            lines.append(f"  query errors: {oq['errors']}")
        if "cli" in r:
            lines.append(f"{'policy-search query':<28}{r['cli']['seconds']:>12.2f} s "
                         f"(first run {r['cli']['first_seconds']:.2f} s)")
        if "http" in r:
            h = r["http"]
            lines.append(f"{'HTTP, 8 clients':<28}{h['throughput']:>12.1f} req/s, p95 "
                         f"{h['p95_ms']:.0f} ms, {h['errors']} errors")
            if "http50" in r:
                h = r["http50"]
                lines.append(f"{'HTTP, 50 clients':<28}{h['throughput']:>12.1f} req/s, p95 "
                             f"{h['p95_ms']:.0f} ms, {h['errors']} errors")
            if "mixed" in r:
                m = r["mixed"]
                lines.append(f"{'HTTP, 40 + 8 expensive':<28}ordinary p95 "
                             f"{m['ordinary_alone_p95_ms']:.0f} ms alone, "
                             f"{m['ordinary_mixed_p95_ms']:.0f} ms beside the burst "
                             f"({m['ratio']:.1f}x); expensive p95 {m['expensive_p95_ms']:.0f} ms, "
                             f"{m['errors']} errors")
            lines.append(f"{'  serving RSS (MB)':<28}{rat.get('serve_rss_mb', float('nan')):>12.0f}")
        if "relevance" in r:
            from bench.relevance import format_table

            lines.append(format_table(r["relevance"]))
        for name, a in r.get("anchors", {}).items():
            lines.append(f"{'anchor ' + name:<28}build {a['build_seconds']:.1f} s, query p50 "
                         f"{a['query']['p50_ms']:.2f} ms")
        binding = "100000" in wl["name"] or wl["name"] == "real"
        lines.append("targets" + ("" if binding else " (binding at 100k units and real)"))
        for t in r["targets"]:
            mark = "ok  " if t["ok"] else "MISS"
            lines.append(f"  {mark} {t['figure']:<22} {t['value']:>10.3f}  (target {t['rule']} "
                         f"{t['target']})")
    return "\n".join(lines)


def main(sizes: list[int], real: bool, jobs: int, http: bool, anchors: bool, out_dir: Path,
         n_queries: int, keep: bool = False, relevance: bool = False) -> dict:
    def log(msg: str) -> None:
        print(f"{time.strftime('%H:%M:%S')} {msg}", file=sys.stderr, flush=True)

    queries = W.query_mix(n_queries)
    result = {"date": time.strftime("%Y-%m-%d %H:%M"), "machine": machine(), "jobs": jobs,
              "queries": len(queries), "workloads": []}
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"bench-{time.strftime('%Y%m%dT%H%M%S')}.json"

    def save() -> None:
        """After every workload, so a long run stopped half way still leaves its figures."""
        path.write_text(json.dumps(result, ensure_ascii=False, indent=1))
        log(f"results so far in {path}")

    for size in sizes:
        work = Path(tempfile.mkdtemp(prefix=f"ps-bench-{size}-"))
        try:
            log(f"generating synthetic-{size}")
            wl = W.synthetic(size, work / "corpus")
            result["workloads"].append(run_workload(wl, work, jobs, queries, http, anchors, log))
            save()
        finally:
            if not keep:
                shutil.rmtree(work, ignore_errors=True)
    if real:
        wl = W.real()
        queries = W.real_query_mix(n=max(n_queries, 200)) if wl is not None else queries
        if wl is None:
            log("real: ../shared/corpus-real not found; skipped")
            result["notes"] = ["real workload skipped: corpus not found"]
        else:
            work = Path(tempfile.mkdtemp(prefix="ps-bench-real-"))
            try:
                result["workloads"].append(run_workload(wl, work, jobs, queries, http, anchors,
                                                        log, relevance=relevance))
            finally:
                if not keep:
                    shutil.rmtree(work, ignore_errors=True)
    save()
    print(format_report(result))
    return result
