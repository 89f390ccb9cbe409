#!/usr/bin/env bash
# How long `medrd serve` takes to start (issue 22: a warm `serve --store` start under 2 s),
# measured from the command to: listening (/health answers), the explorer's search entries of
# names read (the first /explore/search page waits for them), those of budget lines and
# recipients read too (a JSON search waits for every entry), and the graphs counted
# (/health's `triples` no longer null). All come after the server listens, on threads of
# their own.
# Run it twice on an on-disk store: the first run may import the project's graphs (and
# RocksDB replays its log), the second is the warm start. On disk the first start also keeps
# the entries of lines and recipients beside the store (DB/medrd-kept/), so later runs time
# reading them back, not their query. A start right after an import made in a transaction (a
# store re-imported, or a graph loaded again) replays RocksDB's log first (minutes on a large
# store; a new store's bulk import leaves none): open the store once before, e.g. with `medrd
# --store DB query --sparql 'ASK {?s ?p ?o}'`, or this script gives up after 30 s. Prints one line per
# run; exits 2 when the server does not start.
#
#   scripts/serve-start.sh MEDRD [RUNS] [ARGS...]   # ARGS go to `medrd serve`
#   scripts/serve-start.sh target/release/medrd 3 --store DB
#   scripts/serve-start.sh target/release/medrd 3 --root ROOT --store DB
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/serve-lib.sh

MEDRD=${1:?usage: scripts/serve-start.sh MEDRD [RUNS] [ARGS...]}
RUNS=${2:-3}
shift $(($# < 2 ? $# : 2))
[ -x "$MEDRD" ] || { echo "serve-start: no medrd binary at $MEDRD" >&2; exit 2; }
command -v curl >/dev/null || { echo "serve-start: curl is missing" >&2; exit 2; }

log=$(mktemp)
trap 'rm -f "$log"; [ -n "${SERVE_PID:-}" ] && kill "$SERVE_PID" 2>/dev/null' EXIT
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

for run in $(seq 1 "$RUNS"); do
  started=$(now)
  if ! MEDRD_SERVE_NO_WAIT=1 medrd_serve "$log" "$MEDRD" "$@"; then
    echo "serve-start: the server did not start:" >&2
    cat "$log" >&2
    exit 2
  fi
  alive() { kill -0 "$SERVE_PID" 2>/dev/null || { echo "serve-start: the server stopped:" >&2; cat "$log" >&2; exit 2; }; }
  until curl -s -o /dev/null "http://$SERVE_ADDR/health"; do alive; sleep 0.01; done
  listening=$(since "$started")
  # 認知症 (dementia): any word will do; the answer waits for the search entries, at most
  # the server's --timeout (then 503 "still being read": ask again).
  search() {
    until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 600 \
        "http://$SERVE_ADDR/explore/search?q=%E8%AA%8D%E7%9F%A5%E7%97%87$1")" = 200 ]; do alive; done
  }
  search ""
  searching=$(since "$started")
  search "&format=json"
  money=$(since "$started")
  until curl -s --max-time 5 "http://$SERVE_ADDR/health" | grep -q '"data":'; do alive; sleep 0.05; done
  counted=$(since "$started")
  kill "$SERVE_PID" 2>/dev/null
  wait "$SERVE_PID" 2>/dev/null
  SERVE_PID=""
  echo "run $run: listening after $listening s (target < 2 s), search of names ready after $searching s, of lines and recipients after $money s, graphs counted after $counted s"
done
