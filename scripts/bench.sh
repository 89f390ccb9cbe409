#!/usr/bin/env bash
# Prints each speed figure of the project beside its target (issue "Speed at the size the data
# now has"), release build:
#   - `medrd build` on the default data, wall time, median of N runs: into a fresh directory
#     each time (every SVG drawn by Graphviz) and again over an earlier build (SVGs whose DOT
#     did not change are reused); target < 1 s;
#   - the pipeline (load, validate, every named query, every diagram as DOT) per stage, and
#     the same work in Python rdflib (scripts/bench_rdflib.py on the TriG export), with the
#     ratio; target: keep the lead (263x when the issue was filed). medrd validates on every
#     core (MEDRD_THREADS=1 for one, as rdflib runs). An rdflib query is cut off after
#     --rdflib-timeout seconds (default 120) and counted as that long, so with any cut off
#     the rdflib figures and ratios are lower bounds, printed with "≥";
#   - with --national ROOT (a project root whose data/rs-2024 and data/rs-2025 hold the full
#     national RS exports, see docs/scale.md): triples loaded per second (target >= 0.9M/s),
#     peak bytes per triple (<= 400) and the slowest named query (< 300 ms).
# Usage: scripts/bench.sh [--runs N] [--build-runs N] [--rdflib-runs N] [--rdflib-timeout S]
# [--national ROOT] [--divan] (--runs: pipeline runs, default 20; --build-runs: builds of each
# kind, default 3; --rdflib-timeout: seconds per rdflib query, default 120; --divan also runs
# `cargo bench --bench pipeline`). Writes target/bench/*.json.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=20 build_runs=3 rdflib_runs=3 rdflib_timeout=120 divan=0 national=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --build-runs) build_runs=$2; shift 2 ;;
    --rdflib-runs) rdflib_runs=$2; shift 2 ;;
    --rdflib-timeout) rdflib_timeout=$2; shift 2 ;;
    --national) national=$2; shift 2 ;;
    --divan) divan=1; shift ;;
    *) echo "usage: $0 [--runs N] [--build-runs N] [--rdflib-runs N] [--rdflib-timeout S]" \
         "[--national ROOT] [--divan]" >&2
       exit 2 ;;
  esac
done
out=target/bench
mkdir -p "$out"
cargo build --release -q
medrd=$PWD/target/release/medrd

# rdflib from PyPI, pinned in scripts/requirements.txt, in a virtualenv of its own.
venv=${MEDRD_BENCH_VENV:-target/bench-venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q -r scripts/requirements.txt

echo "cores: $(nproc); $(rustc --version); $(dot -V 2>&1 || echo 'no Graphviz')" >&2

# medrd build: wall time of the whole process, as a user sees it.
python3 - "$medrd" "$out" "$build_runs" > "$out/build.json" <<'PY'
import json, shutil, statistics, subprocess, sys, time
medrd, out, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
def timed(args):
    start = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start
fresh = []
for i in range(runs + 1):
    shutil.rmtree(f"{out}/dist-fresh", ignore_errors=True)
    t = timed([medrd, "build", "-o", f"{out}/dist-fresh"])
    if i:
        fresh.append(t)
again = [timed([medrd, "build", "-o", f"{out}/dist-fresh"]) for _ in range(runs)]
json.dump({"runs": runs, "fresh_s": statistics.median(fresh), "again_s": statistics.median(again),
           "fresh_all": fresh, "again_all": again}, sys.stdout)
PY

"$medrd" export --format trig --force -o "$out/medrd-kg.trig" 2>/dev/null
"$medrd" bench pipeline --runs "$runs" --json > "$out/medrd.json"
"$venv/bin/python" scripts/bench_rdflib.py --trig "$out/medrd-kg.trig" --queries queries \
  --runs "$rdflib_runs" --timeout "$rdflib_timeout" > "$out/rdflib.json"

if [ -n "$national" ]; then
  /usr/bin/time -f '{"wall_s": %e, "max_rss_kb": %M}' -o "$out/national-time.json" \
    "$medrd" --root "$national" bench scale --runs 3 --json > "$out/national.json"
fi

python3 - "$out" "$national" <<'PY'
import json, os, sys
out, national = sys.argv[1], sys.argv[2]
b = json.load(open(f"{out}/build.json"))
m = json.load(open(f"{out}/medrd.json"))
r = json.load(open(f"{out}/rdflib.json"))
print(f"medrd (Oxigraph, release, median of {m['runs']} runs) vs rdflib {r['rdflib']} "
      f"(Python {r['python']}, median of {r['runs']}), {m['triples']} triples, in ms")
print(f"{'stage':<28}{'medrd':>10}{'rdflib':>12}{'ratio':>10}")
late = r.get("timed_out", [])  # cut off after timeout_s: their figures are lower bounds
cut = lambda names: "≥" if any(n in names for n in late) else ""
rows = [
    ("load (medrd: TOML+TTL build)", m["load_ms"], r["load_ms"], ""),
    ("validate (SPARQL checks)", m["validate_ms"], r["validate_ms"], cut(r["check_rows"])),
    ("named queries", m["queries_ms"], r["queries_ms"], cut(r["query_rows"])),
    ("diagrams (DOT)", m["diagrams_ms"], None, ""),
]
for name, a, c, ge in rows:
    ratio = f"{ge + f'{c / a:.1f}x':>10}" if c else f"{'-':>10}"
    print(f"{name:<28}{a:>10.1f}{(ge + f'{c:.1f}' if c else '-'):>12}{ratio}")
same = m["load_ms"] + m["validate_ms"] + m["queries_ms"]
theirs = r["load_ms"] + r["validate_ms"] + r["queries_ms"]
ge = "≥" if late else ""
print(f"{'load+validate+queries':<28}{same:>10.1f}{ge + f'{theirs:.1f}':>12}"
      f"{ge + f'{theirs / same:.1f}x':>10}")
for n, e in r["errors"].items():
    print(f"rdflib could not run {n}: {e}")
if late:
    print(f"rdflib cut off after {r['timeout_s']:g} s each (counted as {r['timeout_s']:g} s): "
          + ", ".join(late))
diff = [n for n, rows in r["query_rows"].items()
        if rows is not None and m["query_rows"].get(n) is not None and rows != m["query_rows"][n]]
print("row counts of every query rdflib ran: " + (f"DIFFER for {diff}" if diff else "the same"))

print()
print(f"{'figure':<58}{'measured':>14}  {'target':<12}")
def line(name, value, target, met, unsure=False):
    print(f"{name:<58}{value:>14}  {target:<12}"
          f"{'met' if met else 'unknown (lower bound)' if unsure else 'MISSED'}")
line(f"medrd build, fresh -o (median of {b['runs']})", f"{b['fresh_s']:.2f} s", "< 1 s",
     b["fresh_s"] < 1)
line(f"medrd build over an earlier build (median of {b['runs']})", f"{b['again_s']:.2f} s",
     "< 1 s", b["again_s"] < 1)
line("load+validate+queries against rdflib", f"{ge}{theirs / same:.0f}x", ">= 263x",
     theirs / same >= 263, unsure=bool(late))
if national:
    n = json.load(open(f"{out}/national.json"))
    t = json.load(open(f"{out}/national-time.json"))
    slowest, ms = max(((q, v["ms"]) for q, v in n["queries"].items()), key=lambda x: x[1])
    per_triple = t["max_rss_kb"] * 1024 / n["triples"]
    line(f"national RS: load ({n['triples']:,} triples)", f"{n['triples_per_s'] / 1e6:.2f}M/s",
         ">= 0.9M/s", n["triples_per_s"] >= 0.9e6)
    line("national RS: peak RSS per triple", f"{per_triple:.0f} B", "<= 400 B", per_triple <= 400)
    line(f"national RS: slowest named query ({slowest})", f"{ms:.0f} ms", "< 300 ms", ms < 300)
else:
    print("national RS figures: not measured (give --national ROOT, see docs/scale.md)")
PY

if [ "$divan" = 1 ]; then
  cargo bench --bench pipeline
fi
