#!/usr/bin/env bash
# Measures how medrd's cost grows with the size of the knowledge base: generates synthetic
# KBs shaped like ours (`medrd bench gen`) at about 100k, 1M and 10M triples, loads each with
# --with and times the load (triples/s), peak RSS, every named query and one diagram
# (`medrd bench scale`), then writes docs/scale.md and docs/img/scale.svg.
# Usage: scripts/scale.sh [PROGRAMS…]  (default 1100 10800 108000 programs; 10M needs ~5 GB RAM)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1100 10800 108000)
out=target/scale
mkdir -p "$out"
cargo build --release -q
medrd=target/release/medrd
results=()
for n in "${sizes[@]}"; do
  file="$out/synth-$n.nt"
  [ -s "$file" ] || "$medrd" bench gen --programs "$n" -o "$file"
  runs=3
  [ "$n" -ge 100000 ] && runs=1
  echo "measuring $file ($runs runs)…" >&2
  /usr/bin/time -f '{"wall_s": %e, "max_rss_kb": %M}' -o "$out/time-$n.json" \
    "$medrd" --with "$file" bench scale --runs "$runs" --json > "$out/scale-$n.json"
  results+=("$out/scale-$n.json" "$out/time-$n.json")
done
python3 scripts/scale_report.py --cores "$(nproc)" "${results[@]}"
