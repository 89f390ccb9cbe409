#!/usr/bin/env bash
# Load test of `medrd serve` on loopback: starts the release binary on a free port, runs
# wrk (Debian package `wrk`) with concurrent clients against three kinds of request, prints
# throughput and latency percentiles, and stops the server. Bounded in time: each run lasts
# DURATION seconds (default 10), and each run is killed if it overruns.
#
#   scripts/load-test.sh                      # 10 s per scenario, 32 connections, 4 threads
#   DURATION=5 CONNECTIONS=64 scripts/load-test.sh
set -euo pipefail

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-4}
cd "$(dirname "$0")/.."

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
cargo build --release --quiet --bin medrd
. scripts/serve-lib.sh
log=$(mktemp)
trap 'kill "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null; rm -f "$log"' EXIT
medrd_serve "$log" ./target/release/medrd || { echo "the server did not start:" >&2; cat "$log" >&2; exit 1; }
addr=$SERVE_ADDR
echo "medrd serve on $addr; wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency"

query='PREFIX medrd: <https://w3id.org/medrd-kg/ontology#> SELECT ?project WHERE { <https://w3id.org/medrd-kg/id/program/dementia-rd> medrd:partOfProject ?project } ORDER BY ?project'
encoded=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$query")

run() {
  local name=$1 accept=$2 url=$3
  echo
  echo "== $name: $url"
  curl -sf -o /dev/null -H "Accept: $accept" "$url" || { echo "request failed before the test" >&2; exit 1; }
  timeout $((DURATION + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s --latency \
    -H "Accept: $accept" "$url" | grep -E 'Requests/sec|Transfer/sec|requests in|Non-2xx|Socket errors|^ +(50|90|99)%'
}

run "SPARQL SELECT (JSON)" "application/sparql-results+json" "http://$addr/sparql?query=$encoded"
run "named query program-projects (CSV)" "text/csv" "http://$addr/queries/program-projects"
run "dereference /id/program/dementia-rd (Turtle)" "text/turtle" "http://$addr/id/program/dementia-rd"
run "health" "application/json" "http://$addr/health"
