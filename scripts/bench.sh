#!/usr/bin/env bash
# Times the whole pipeline on the document in release mode (build the store from ontology/ +
# data/, validate, run every named query, draw every diagram as DOT), end to end and per
# stage, and the same work in Python rdflib (scripts/bench_rdflib.py on the TriG export),
# then prints both and their ratio. Usage: scripts/bench.sh [--runs N] [--rdflib-runs N]
# [--divan] (--divan also runs `cargo bench --bench pipeline`). Writes target/bench/*.json.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=20 rdflib_runs=3 divan=0
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --rdflib-runs) rdflib_runs=$2; shift 2 ;;
    --divan) divan=1; shift ;;
    *) echo "usage: $0 [--runs N] [--rdflib-runs N] [--divan]" >&2; exit 2 ;;
  esac
done
out=target/bench
mkdir -p "$out"
cargo build --release -q
medrd=target/release/medrd

# rdflib from PyPI, pinned in scripts/requirements.txt, in a virtualenv of its own.
venv=${MEDRD_BENCH_VENV:-target/bench-venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q -r scripts/requirements.txt

echo "cores: $(nproc); $(rustc --version)" >&2
"$medrd" export --format trig --force -o "$out/medrd-kg.trig" 2>/dev/null
"$medrd" bench pipeline --runs "$runs" --json > "$out/medrd.json"
"$venv/bin/python" scripts/bench_rdflib.py --trig "$out/medrd-kg.trig" --queries queries \
  --runs "$rdflib_runs" > "$out/rdflib.json"

python3 - "$out/medrd.json" "$out/rdflib.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
r = json.load(open(sys.argv[2]))
print(f"medrd (Oxigraph, release, median of {m['runs']} runs) vs rdflib {r['rdflib']} "
      f"(Python {r['python']}, median of {r['runs']}), {m['triples']} triples, in ms")
print(f"{'stage':<28}{'medrd':>10}{'rdflib':>12}{'ratio':>9}")
rows = [
    ("load (medrd: TOML+TTL build)", m["load_ms"], r["load_ms"]),
    ("validate (SPARQL checks)", m["validate_ms"], r["validate_ms"]),
    ("named queries", m["queries_ms"], r["queries_ms"]),
    ("diagrams (DOT)", m["diagrams_ms"], None),
]
for name, a, b in rows:
    ratio = f"{b / a:8.1f}x" if b else "      -"
    print(f"{name:<28}{a:>10.1f}{(f'{b:.1f}' if b else '-'):>12}{ratio}")
same = m["load_ms"] + m["validate_ms"] + m["queries_ms"]
theirs = r["load_ms"] + r["validate_ms"] + r["queries_ms"]
print(f"{'load+validate+queries':<28}{same:>10.1f}{theirs:>12.1f}{theirs / same:8.1f}x")
print(f"{'whole pipeline (medrd)':<28}{m['total_ms']:>10.1f}")
print("goals: whole pipeline < 100 ms: " + ("met" if m["total_ms"] < 100 else "MISSED")
      + f"; >= 20x rdflib: " + ("met" if theirs / same >= 20 else "MISSED"))
for n, e in r["errors"].items():
    print(f"rdflib could not run {n}: {e}")
diff = [n for n, rows in r["query_rows"].items()
        if rows is not None and m["query_rows"].get(n) is not None and rows != m["query_rows"][n]]
print("row counts of every query rdflib ran: " + (f"DIFFER for {diff}" if diff else "the same"))
PY

if [ "$divan" = 1 ]; then
  cargo bench --bench pipeline
fi
