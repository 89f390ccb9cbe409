#!/usr/bin/env bash
# Prints each speed figure of the project beside its target (issue "Speed at the size the data
# now has"), release build:
#   - `medrd build` on the default data, wall time, median of N runs: into a new directory
#     each time, as on a fresh checkout (every SVG drawn by Graphviz; no build deleted just
#     before, see below), and again over an earlier build (SVGs whose DOT did not change are
#     reused); target < 1 s. Beside each, the CPU time it used (its `dot`
#     processes included) and, for the fresh one, Graphviz's alone on the same graphs: no
#     schedule on N cores takes less than CPU / N, so a build whose CPU is over N seconds
#     cannot meet the target on N cores however its work is spread;
#   - the pipeline (load, validate, every named query, every diagram as DOT) per stage, and
#     the same work in Python rdflib (scripts/bench_rdflib.py on the TriG export), with the
#     ratio; target: keep the lead (263x when the issue was filed). medrd validates on every
#     core (MEDRD_THREADS=1 for one, as rdflib runs). An rdflib query is cut off after
#     --rdflib-timeout seconds (default 120) and counted as that long, so with any cut off
#     the rdflib figures and ratios are lower bounds, printed with "≥";
#   - with --national ROOT (a project root whose data/rs-2024 and data/rs-2025 hold the full
#     national RS exports, see docs/scale.md): triples loaded per second (target >= 0.9M/s),
#     peak bytes per triple (<= 400) and the slowest named query (< 300 ms), for the load of
#     the commands (`bench scale`: into the read-only copy, as every command loads in memory
#     but where a rule deletes; with `--endpoint` nothing is loaded), then the load rate and
#     peak of a load into Oxigraph's own store (`bench scale --into-store`: the ceiling the
#     copy goes around, which only a deleting rule still meets);
#     beside each load, its CPU time and the part of it on the thread that loads (for the
#     store, the one thread that inserts: no load into it beats that thread, whatever the
#     cores);
#   - with --store-medrd MEDRD as well (a medrd built with `--features rocksdb`): the same root
#     imported into a new on-disk store (`--store`), then opened by three later runs of
#     `query new-programs`: the import's time and peak, and a later run's time with the rate
#     at which the store's triples are there (the way around the in-memory load rate: the
#     import is paid once);
#   - with --sheets SHEETS.nt as well (every review sheet of every edition, written by
#     `medrd link judgit JUDGIT/data --judgit-graph SHEETS.nt`, see docs/scale.md): the same
#     root with SHEETS.nt loaded beside it (`medrd --root ROOT --with SHEETS.nt bench scale
#     --runs 3`; into the read-only copy, as `serve --with SHEETS.nt` loads it): load
#     rate and bytes per triple (same targets as above), the slowest named
#     query and how many are 1 s or more (target: every named query < 1 s), then the explorer
#     pages of scripts/page-times.sh on a `serve` of the same (slowest first visit and slowest
#     median of 20 visits, target < 100 ms). It also counts the triples of SHEETS.nt that the
#     root states already (the review sheets of data/judgit): medrd loads each of them once,
#     left in the root's graph (a triple stated in two graphs would match twice in the union).
# Usage: scripts/bench.sh [--runs N] [--build-runs N] [--rdflib-runs N] [--rdflib-timeout S]
# [--national ROOT [--sheets SHEETS.nt] [--store-medrd MEDRD]] [--divan] (--runs: pipeline runs, default 20;
# --build-runs: builds of each kind, default 3; --rdflib-timeout: seconds per rdflib query,
# default 120; --divan also runs `cargo bench --bench pipeline`). Writes target/bench/*.json.
# With --sheets the machine needs about 10 GB free (5 GB for the store of ~15M triples, more
# while a query sorts its rows) and the two loads take a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=20 build_runs=3 rdflib_runs=3 rdflib_timeout=120 divan=0 national="" sheets="" store_medrd=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --build-runs) build_runs=$2; shift 2 ;;
    --rdflib-runs) rdflib_runs=$2; shift 2 ;;
    --rdflib-timeout) rdflib_timeout=$2; shift 2 ;;
    --national) national=$2; shift 2 ;;
    --sheets) sheets=$2; shift 2 ;;
    --store-medrd) store_medrd=$2; shift 2 ;;
    --divan) divan=1; shift ;;
    *) echo "usage: $0 [--runs N] [--build-runs N] [--rdflib-runs N] [--rdflib-timeout S]" \
         "[--national ROOT [--sheets SHEETS.nt] [--store-medrd MEDRD]] [--divan]" >&2
       exit 2 ;;
  esac
done
case $build_runs in
  ''|*[!0-9]*|0) echo "$0: --build-runs needs a whole number of at least 1" >&2; exit 2 ;;
esac
if { [ -n "$sheets" ] || [ -n "$store_medrd" ]; } && [ -z "$national" ]; then
  echo "$0: --sheets and --store-medrd need --national ROOT" >&2
  exit 2
fi
# The root's queries and ontology are read at run time: a root made before a query changed
# measures the old query (it happened: a root's stale recipients-by-scope.rq hid a 3x
# slowdown at national scale). scripts/national-root.sh makes and refreshes one.
if [ -n "$national" ]; then
  for d in queries ontology; do
    if ! diff -rq "$d" "$national/$d" >/dev/null 2>&1; then
      echo "$0: $national/$d differs from this checkout's $d/: refresh it" \
           "(scripts/national-root.sh --refresh $national)" >&2
      exit 2
    fi
  done
fi
[ -z "$store_medrd" ] || [ -x "$store_medrd" ] || { echo "$0: cannot run $store_medrd" >&2; exit 2; }
[ -z "$sheets" ] || [ -r "$sheets" ] || { echo "$0: cannot read $sheets" >&2; exit 2; }
out=target/bench
mkdir -p "$out"
# Figures of an earlier run are never printed as this run's: what this run does not measure
# is not there.
rm -f "$out"/build.json "$out"/medrd.json "$out"/rdflib.json "$out"/national*.json \
  "$out"/sheets*.json
cargo build --release -q
medrd=$PWD/target/release/medrd

# rdflib from PyPI, pinned in scripts/requirements.txt, in a virtualenv of its own.
venv=${MEDRD_BENCH_VENV:-target/bench-venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q -r scripts/requirements.txt

echo "cores: $(nproc); $(rustc --version); $(dot -V 2>&1 || echo 'no Graphviz')" >&2

# medrd build: wall time of the whole process, as a user sees it, and the CPU time it used
# (user + system, its `dot` processes included): on N cores no schedule of that work takes
# less than CPU / N. Then the CPU time of Graphviz alone on the same diagrams: every .dot of
# the fresh build that has an SVG beside it, the graphs laid out by `dot` given to one `dot`
# process, any other layout (a DOT file naming another) to one of its own.
python3 - "$medrd" "$out" "$build_runs" > "$out/build.json" <<'PY'
import atexit, glob, json, os, resource, shutil, statistics, subprocess, sys, tempfile, time
medrd, out, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
def children_cpu():
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime
def timed(args):
    cpu, start = children_cpu(), time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, children_cpu() - cpu
# Each fresh build goes into a directory of its own, and none is deleted until the last has
# run: on ext4 without a journal (this project's benchmark machine) a file created within
# about 30 s of many deletions costs a read of each recently deleted inode it passes over
# (the kernel's recently_deleted), so a build right after deleting the previous one (360
# files) spends 0.1-0.2 s more in the kernel than a build on a fresh checkout does. They are
# under a directory new to this run, removed when the script ends, failed or not.
runs_dir = tempfile.mkdtemp(prefix="fresh-", dir=out)
atexit.register(shutil.rmtree, runs_dir, ignore_errors=True)
fresh = []
for i in range(runs + 1):
    t = timed([medrd, "build", "-o", f"{runs_dir}/{i}/dist"])
    if i:
        fresh.append(t)
last = f"{runs_dir}/{runs}/dist"
again = [timed([medrd, "build", "-o", last]) for _ in range(runs)]
drawn = [d for d in sorted(glob.glob(f"{last}/**/*.dot", recursive=True))
         if os.path.exists(d[:-4] + ".svg")]
def laid_by_dot(d):
    text = open(d, encoding="utf-8").read()
    return 'layout="' not in text or 'layout="dot"' in text
by_dot = [d for d in drawn if laid_by_dot(d)]
dot_cpu = []
for _ in range(runs if shutil.which("dot") and drawn else 0):
    cpu = children_cpu()
    for group in [by_dot] + [[d] for d in drawn if d not in by_dot]:
        if group:
            subprocess.run(["dot", "-Tsvg", *group], check=True, stdout=subprocess.DEVNULL)
    dot_cpu.append(children_cpu() - cpu)
median = lambda xs: statistics.median(xs) if xs else None
# The cores this process may run on (as nproc counts them), not the machine's.
json.dump({"runs": runs, "cores": len(os.sched_getaffinity(0)),
           "fresh_s": median([w for w, _ in fresh]), "again_s": median([w for w, _ in again]),
           "fresh_cpu_s": median([c for _, c in fresh]),
           "again_cpu_s": median([c for _, c in again]),
           "graphviz_cpu_s": median(dot_cpu), "graphviz_graphs": len(drawn),
           "fresh_all": fresh, "again_all": again}, sys.stdout)
PY

"$medrd" export --format trig --force -o "$out/medrd-kg.trig" 2>/dev/null
"$medrd" bench pipeline --runs "$runs" --json > "$out/medrd.json"
"$venv/bin/python" scripts/bench_rdflib.py --trig "$out/medrd-kg.trig" --queries queries \
  --runs "$rdflib_runs" --timeout "$rdflib_timeout" > "$out/rdflib.json"

if [ -n "$national" ]; then
  /usr/bin/time -f '{"wall_s": %e, "max_rss_kb": %M}' -o "$out/national-time.json" \
    "$medrd" --root "$national" bench scale --runs 3 --json > "$out/national.json"
  /usr/bin/time -f '{"wall_s": %e, "max_rss_kb": %M}' -o "$out/national-into-store-time.json" \
    "$medrd" --root "$national" bench scale --runs 1 --into-store --json \
    > "$out/national-into-store.json"
fi

if [ -n "$store_medrd" ]; then
  # A new store each time; the import's peak from GNU time, a later run's time the median of 3.
  rm -rf "$out/national-db"
  /usr/bin/time -f '{"wall_s": %e, "max_rss_kb": %M}' -o "$out/national-import.json" \
    "$store_medrd" --root "$national" --store "$out/national-db" query \
    --sparql 'ASK { ?s ?p ?o }' > /dev/null 2>&1
  python3 - "$store_medrd" "$national" "$out/national-db" > "$out/national-store.json" <<'PY'
import json, statistics, subprocess, sys, time
medrd, root, db = sys.argv[1:4]
def timed():
    start = time.perf_counter()
    subprocess.run([medrd, "--root", root, "--store", db, "query", "new-programs"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start
runs = [timed() for _ in range(3)]
json.dump({"later_s": statistics.median(runs), "later_all": runs}, sys.stdout)
PY
  rm -rf "$out/national-db"
fi

if [ -n "$sheets" ]; then
  sheets=$(cd "$(dirname "$sheets")" && pwd)/$(basename "$sheets")
  /usr/bin/time -f '{"wall_s": %e, "max_rss_kb": %M}' -o "$out/sheets-time.json" \
    "$medrd" --root "$national" --with "$sheets" bench scale --runs 3 --json > "$out/sheets.json"
  # The triples of SHEETS.nt that the root states already (one N-Triples line each).
  "$medrd" --root "$national" export -f ntriples --force -o "$out/national.nt" 2>/dev/null
  python3 - "$out/national.nt" "$sheets" > "$out/sheets-twice.json" <<'PY'
import json, sys
seen = set(open(sys.argv[1], encoding="utf-8"))
twice = sum(1 for line in open(sys.argv[2], encoding="utf-8") if line in seen)
json.dump({"stated_twice": twice}, sys.stdout)
PY
  rm -f "$out/national.nt"
  # Explorer pages on a server of the same; page-times.sh exits 1 when a page is slow.
  MEDRD_ROOT=$(cd "$national" && pwd) MEDRD_WITH=$sheets SERVE_ARGS="--max-memory 16000" \
    LIMIT_MS=100 scripts/page-times.sh "$medrd" > "$out/sheets-pages.md" \
    2> "$out/sheets-pages.err" || [ $? = 1 ] || { cat "$out/sheets-pages.err" >&2; exit 1; }
fi

python3 - "$out" "$national" "$sheets" <<'PY'
import json, os, sys
out, national, sheets = sys.argv[1], sys.argv[2], sys.argv[3]
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
cores = b["cores"]
graphviz = (f", Graphviz about {b['graphviz_cpu_s']:.2f} s of it ({b['graphviz_graphs']} graphs)"
            if b["graphviz_cpu_s"] is not None else "")
print(f"    CPU {b['fresh_cpu_s']:.2f} s{graphviz}: on {cores} cores at least "
      f"{b['fresh_cpu_s'] / cores:.2f} s")
line(f"medrd build over an earlier build (median of {b['runs']})", f"{b['again_s']:.2f} s",
     "< 1 s", b["again_s"] < 1)
print(f"    CPU {b['again_cpu_s']:.2f} s (SVGs reused where their DOT is the same): on {cores} cores "
      f"at least {b['again_cpu_s'] / cores:.2f} s")
line("load+validate+queries against rdflib", f"{ge}{theirs / same:.0f}x", ">= 263x",
     theirs / same >= 263, unsure=bool(late))
def ceiling(n, store=True):
    # Into the in-memory store every insert is made on the thread that loads (bench scale's
    # load_thread_cpu_ms): such a load lasts at least that thread's CPU time on this machine,
    # whatever the cores. The read-only load numbers the parts on that thread while the
    # import makes the next ones: its CPU time is shown, not a bound. Every load lasts at
    # least its CPU in all / cores.
    one, every = n.get("load_thread_cpu_ms"), n.get("load_cpu_ms")
    if not (one and every):
        return
    cores = f"{n['triples'] / (every / b['cores']) * 1e3 / 1e6:.2f}M/s on {b['cores']} cores"
    if store:
        print(f"    CPU {every / 1e3:.2f} s, {one / 1e3:.2f} s of it on the one thread that "
              f"inserts: no load of this code beats {n['triples'] / one * 1e3 / 1e6:.2f}M/s "
              f"here (that thread), nor {cores} (CPU / {b['cores']})")
    else:
        print(f"    CPU {every / 1e3:.2f} s, {one / 1e3:.2f} s of it on the thread that numbers "
              f"the parts: no load of this code beats {cores} (CPU / {b['cores']})")
if national:
    n = json.load(open(f"{out}/national.json"))
    t = json.load(open(f"{out}/national-time.json"))
    slowest, ms = max(((q, v["ms"]) for q, v in n["queries"].items()), key=lambda x: x[1])
    per_triple = t["max_rss_kb"] * 1024 / n["triples"]
    line(f"national RS: load for serve, query… ({n['triples']:,} triples)",
         f"{n['triples_per_s'] / 1e6:.2f}M/s", ">= 0.9M/s", n["triples_per_s"] >= 0.9e6)
    ceiling(n, store=False)
    line("national RS: peak RSS per triple", f"{per_triple:.0f} B", "<= 400 B", per_triple <= 400)
    line(f"national RS: slowest named query ({slowest})", f"{ms:.0f} ms", "< 300 ms", ms < 300)
    s = json.load(open(f"{out}/national-into-store.json"))
    st = json.load(open(f"{out}/national-into-store-time.json"))
    # No command loads so in memory but where a rule deletes (link and publish load the
    # copy, and --endpoint loads nothing, since 2026-12-07): Oxigraph's insert, shown as the
    # ceiling the copy goes around, not as a command's load.
    rate = f"{s['triples_per_s'] / 1e6:.2f}M/s"
    print(f"{'national RS: into the store (rules that delete)':<58}{rate:>14}  "
          f"{'(ceiling)':<12}{'above' if s['triples_per_s'] >= 0.9e6 else 'below'} 0.9M/s")
    ceiling(s)
    per_triple = st["max_rss_kb"] * 1024 / s["triples"]
    line("national RS: peak RSS per triple, into the store", f"{per_triple:.0f} B", "<= 400 B",
         per_triple <= 400)
    if os.path.exists(f"{out}/national-store.json"):
        i = json.load(open(f"{out}/national-import.json"))
        s = json.load(open(f"{out}/national-store.json"))
        print(f"{'national RS on disk: import into a new --store':<58}{i['wall_s']:>12.1f} s"
              f"  (once; peak RSS {i['max_rss_kb'] / 1024:.0f} MiB)")
        rate = n["triples"] / s["later_s"]
        line("national RS on disk: a later run (open + new-programs)",
             f"{rate / 1e6:.1f}M/s", ">= 0.9M/s", rate >= 0.9e6)
        print(f"    {s['later_s']:.2f} s a run (median of 3): the store's triples are there at "
              "that rate once imported")
else:
    print("national RS figures: not measured (give --national ROOT, see docs/scale.md)")
if sheets:
    n = json.load(open(f"{out}/sheets.json"))
    t = json.load(open(f"{out}/sheets-time.json"))
    twice = json.load(open(f"{out}/sheets-twice.json"))["stated_twice"]
    per_triple = t["max_rss_kb"] * 1024 / n["triples"]
    times = sorted(((v["ms"], q) for q, v in n["queries"].items()), reverse=True)
    over = [q for ms, q in times if ms >= 1000]
    line(f"+ every review sheet: load ({n['triples']:,} triples)",
         f"{n['triples_per_s'] / 1e6:.2f}M/s", ">= 0.9M/s", n["triples_per_s"] >= 0.9e6)
    ceiling(n, store=False)
    line("+ every review sheet: peak RSS per triple", f"{per_triple:.0f} B", "<= 400 B",
         per_triple <= 400)
    ms, q = times[0]
    line(f"+ every review sheet: slowest named query ({q})", f"{ms:,.0f} ms", "< 1 s", ms < 1000)
    line(f"+ every review sheet: named queries of 1 s or more", f"{len(over)} of {len(times)}",
         "0", not over)
    for ms, q in times:
        if ms >= 1000:
            print(f"    {q}: {ms:,.0f} ms, {n['queries'][q]['rows']:,} rows")
    # page-times.sh's table: | `page` | status | first | median | slowest |
    pages = []
    for row in open(f"{out}/sheets-pages.md", encoding="utf-8"):
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0].startswith("`"):
            pages.append((cells[0].strip("`"), cells[1], float(cells[2]), float(cells[3])))
    if pages:
        first = max(pages, key=lambda p: p[2])
        median = max(pages, key=lambda p: p[3])
        failed = [p[0] for p in pages if p[1] != "200"]
        line(f"+ every review sheet: explorer page, first visit ({len(pages)} pages)",
             f"{first[2]:.1f} ms", "< 100 ms", first[2] < 100 and not failed)
        print(f"    slowest first visit: {first[0]}")
        line("+ every review sheet: explorer page, median of 20 visits", f"{median[3]:.1f} ms",
             "< 100 ms", median[3] < 100 and not failed)
        print(f"    slowest median: {median[0]}")
        for p in failed:
            print(f"    {p}: status {pages[[x[0] for x in pages].index(p)][1]}")
    else:
        print("+ every review sheet: explorer pages not measured (see target/bench/sheets-pages.err)")
    if twice:
        print(f"    {twice:,} triples of {os.path.basename(sheets)} are stated by the root as well "
              "(loaded once, in the root's graphs)")
PY

if [ "$divan" = 1 ]; then
  cargo bench --bench pipeline
fi
