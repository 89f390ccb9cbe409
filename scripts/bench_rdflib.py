# The rdflib baseline of scripts/bench.sh: the same work as `medrd bench pipeline` in Python
# rdflib: load the TriG export of `medrd export`, run every check (queries/checks/*.rq) and
# every named query (queries/*.rq) over the union of the graphs; print timings as JSON.
import argparse
import glob
import json
import os
import statistics
import sys
import time

import rdflib
from rdflib import Dataset


def run(query_files, ds):
    out = {}
    for path in query_files:
        name = os.path.splitext(os.path.basename(path))[0]
        with open(path, encoding="utf-8") as f:
            text = f.read()
        start = time.perf_counter()
        try:
            rows = len(list(ds.query(text)))
            error = None
        except Exception as e:  # a query rdflib cannot run is reported, not fatal
            rows = None
            error = f"{type(e).__name__}: {e}"[:200]
        out[name] = {"ms": (time.perf_counter() - start) * 1000, "rows": rows, "error": error}
    return out


def once(trig, checks, queries):
    start = time.perf_counter()
    ds = Dataset(default_union=True)
    ds.parse(trig, format="trig")
    load = (time.perf_counter() - start) * 1000
    c = run(checks, ds)
    q = run(queries, ds)
    total = (time.perf_counter() - start) * 1000
    return {
        "triples": len(ds),
        "load_ms": load,
        "validate_ms": sum(v["ms"] for v in c.values()),
        "queries_ms": sum(v["ms"] for v in q.values()),
        "total_ms": total,
        "checks": c,
        "queries": q,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--trig", required=True, help="the TriG export of `medrd export --format trig`")
    ap.add_argument("--queries", default="queries", help="the queries/ directory")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    checks = sorted(glob.glob(os.path.join(args.queries, "checks", "*-violation.rq")))
    queries = sorted(glob.glob(os.path.join(args.queries, "*.rq")))
    runs = [once(args.trig, checks, queries) for _ in range(max(1, args.runs))]
    med = lambda key: statistics.median(r[key] for r in runs)
    result = {
        "rdflib": rdflib.__version__,
        "python": sys.version.split()[0],
        "runs": len(runs),
        "triples": runs[0]["triples"],
        "load_ms": med("load_ms"),
        "validate_ms": med("validate_ms"),
        "queries_ms": med("queries_ms"),
        "total_ms": med("total_ms"),
        "query_ms": {n: statistics.median(r["queries"][n]["ms"] for r in runs) for n in runs[0]["queries"]},
        "query_rows": {n: v["rows"] for n, v in runs[0]["queries"].items()},
        "check_rows": {n: v["rows"] for n, v in runs[0]["checks"].items()},
        "errors": {n: v["error"] for n, v in {**runs[0]["checks"], **runs[0]["queries"]}.items() if v["error"]},
    }
    json.dump(result, sys.stdout, indent=2, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
