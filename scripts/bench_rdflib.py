# The rdflib baseline of scripts/bench.sh: the same work as `medrd bench pipeline` in Python
# rdflib: load the TriG export of `medrd export`, run every check (queries/checks/*-violation.rq)
# and every named query (queries/*.rq) over the union of the graphs; print timings as JSON.
# Each query is cut off after --timeout seconds (at 182k quads one rdflib run went on for more
# than 17 minutes): a cut-off query counts the timeout as its time and is listed under
# "timed_out", so the totals are lower bounds. One progress line per query goes to stderr.
import argparse
import glob
import json
import os
import signal
import statistics
import sys
import time

import rdflib
from rdflib import Dataset


class Timeout(BaseException):
    """Raised by SIGALRM in the middle of a query; a BaseException so rdflib's own
    `except Exception` clauses do not swallow it."""


def _alarm(signum, frame):
    raise Timeout()


def progress(*fields):
    print(*fields, sep="\t", file=sys.stderr, flush=True)


def timed_query(ds, text, timeout):
    """Run one query to the last row: (ms, rows, error, timed_out)."""
    start = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        rows, error, late = len(list(ds.query(text))), None, False
    except Timeout:
        rows, error, late = None, None, True
    except Exception as e:  # a query rdflib cannot run is reported, not fatal
        rows, error, late = None, f"{type(e).__name__}: {e}"[:200], False
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    ms = timeout * 1000 if late else (time.perf_counter() - start) * 1000
    return ms, rows, error, late


def run(query_files, ds, timeout):
    out = {}
    for path in query_files:
        name = os.path.splitext(os.path.basename(path))[0]
        with open(path, encoding="utf-8") as f:
            ms, rows, error, late = timed_query(ds, f.read(), timeout)
        out[name] = {"ms": ms, "rows": rows, "error": error, "timed_out": late}
        note = f"TIMED OUT (>{timeout:g} s)" if late else (error or f"{rows} rows")
        progress(name, f"{ms:.0f} ms", note)
    return out


def load(trig):
    start = time.perf_counter()
    ds = Dataset(default_union=True)
    ds.parse(trig, format="trig")
    ms = (time.perf_counter() - start) * 1000
    progress("load", f"{ms:.0f} ms", f"{len(ds)} triples")
    return ds, ms


def once(trig, checks, queries, timeout):
    start = time.perf_counter()
    ds, load_ms = load(trig)
    c = run(checks, ds, timeout)
    q = run(queries, ds, timeout)
    return {
        "triples": len(ds),
        "load_ms": load_ms,
        "validate_ms": sum(v["ms"] for v in c.values()),
        "queries_ms": sum(v["ms"] for v in q.values()),
        # wall time, but with each timed-out query counted as exactly the timeout
        "total_ms": (time.perf_counter() - start) * 1000,
        "checks": c,
        "queries": q,
    }


def summary(runs, timeout):
    med = lambda key: statistics.median(r[key] for r in runs)
    per = lambda part, n: statistics.median(r[part][n]["ms"] for r in runs)
    first = {**runs[0]["checks"], **runs[0]["queries"]}
    return {
        "rdflib": rdflib.__version__,
        "python": sys.version.split()[0],
        "runs": len(runs),
        "triples": runs[0]["triples"],
        "timeout_s": timeout,
        "load_ms": med("load_ms"),
        "validate_ms": med("validate_ms"),
        "queries_ms": med("queries_ms"),
        "total_ms": med("total_ms"),
        "query_ms": {n: per("queries", n) for n in runs[0]["queries"]},
        "check_ms": {n: per("checks", n) for n in runs[0]["checks"]},
        "query_rows": {n: v["rows"] for n, v in runs[0]["queries"].items()},
        "check_rows": {n: v["rows"] for n, v in runs[0]["checks"].items()},
        "errors": {n: v["error"] for n, v in first.items() if v["error"]},
        # a query that timed out in any run; the ms figures of such a query are lower bounds
        "timed_out": sorted({n for r in runs for part in ("checks", "queries")
                             for n, v in r[part].items() if v["timed_out"]}),
    }


def main():
    ap = argparse.ArgumentParser(description="rdflib baseline of scripts/bench.sh")
    ap.add_argument("--trig", required=True, help="the TriG export of `medrd export --format trig`")
    ap.add_argument("--queries", default="queries", help="the queries/ directory")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=120, help="seconds per query (default 120)")
    args = ap.parse_args()
    signal.signal(signal.SIGALRM, _alarm)
    checks = sorted(glob.glob(os.path.join(args.queries, "checks", "*-violation.rq")))
    queries = sorted(glob.glob(os.path.join(args.queries, "*.rq")))
    runs = [once(args.trig, checks, queries, args.timeout) for _ in range(max(1, args.runs))]
    json.dump(summary(runs, args.timeout), sys.stdout, indent=2, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
