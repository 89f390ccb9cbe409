#!/usr/bin/env bash
# Load test of `medrd serve` on loopback: starts the release binary on a free port, runs
# wrk (Debian package `wrk`) with concurrent clients against five kinds of request, prints
# throughput and latency percentiles, and stops the server. Then (FLOOD=1, the default;
# issue 19) the cheap query and the explorer page again beside 8 loops of heavy queries,
# with /health polled every 0.2 s and the server's peak RSS, and the cheap query beside
# `wrk -c64` on /diagram/overview. Bounded in time: each run lasts DURATION seconds
# (default 10), and each run is killed if it overruns.
#
#   scripts/load-test.sh                      # 10 s per scenario, 32 connections, 4 threads
#   DURATION=5 CONNECTIONS=64 FLOOD=0 scripts/load-test.sh
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
run "explorer /explore/program/dementia-rd" "text/html" "http://$addr/explore/program/dementia-rd"
run "health" "application/json" "http://$addr/health"

[ "${FLOOD:-1}" = 1 ] || exit 0
heavy=(
  'SELECT * WHERE {?a ?b ?c.?d ?e ?f.?g ?h ?i} ORDER BY ?c ?f ?i LIMIT 1'
  'SELECT (COUNT(DISTINCT *) AS ?n) WHERE {?a ?b ?c.?d ?e ?f.?g ?h ?i}'
  'SELECT ?c (COUNT(*) AS ?n) WHERE {?a ?b ?c.?d ?e ?f.?g ?h ?i} GROUP BY ?c'
  'SELECT * WHERE {?a ?b ?c.?d ?e ?f} ORDER BY ?c ?f LIMIT 1'
)
loops=()
trap 'kill "${loops[@]}" "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null; rm -f "$log"' EXIT
for i in 1 2 3 4 5 6 7 8; do
  (while :; do curl -s -o /dev/null --max-time 30 --data-urlencode "query=${heavy[$((i % 4))]}" "http://$addr/sparql"; done) &
  loops+=($!)
done
sleep 2
(end=$((SECONDS + 2 * DURATION + 4)); while [ $SECONDS -lt $end ]; do
  curl -s -o /dev/null -w '%{http_code}\n' --max-time 5 "http://$addr/health"; sleep 0.2
done) >"$log.health" &
poll=$!
echo
echo "== beside 8 loops of heavy queries (curl, one after another each):"
run "SPARQL SELECT (JSON), heavy flood" "application/sparql-results+json" "http://$addr/sparql?query=$encoded"
run "explorer /explore/program/dementia-rd, heavy flood" "text/html" "http://$addr/explore/program/dementia-rd"
wait "$poll"
kill "${loops[@]}" 2>/dev/null
echo "/health during the flood: $(sort "$log.health" | uniq -c | tr '\n' ' ')"
echo "peak RSS of the server: $(awk '/^VmHWM/ {print int($2 / 1024)}' "/proc/$SERVE_PID/status") MiB"
rm -f "$log.health"
sleep 6
echo
echo "== beside wrk -c64 on /diagram/overview:"
timeout $((DURATION + 30)) wrk -t1 -c64 -d"$((DURATION + 2))s" --timeout 10s "http://$addr/diagram/overview" >"$log.diagram" &
poll=$!
sleep 1
run "SPARQL SELECT (JSON), beside /diagram/overview" "application/sparql-results+json" "http://$addr/sparql?query=$encoded"
wait "$poll"
grep -E 'Requests/sec|Non-2xx' "$log.diagram" | sed 's/^/  \/diagram\/overview: /'
rm -f "$log.diagram"
