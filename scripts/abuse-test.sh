#!/usr/bin/env bash
# Hostile-input checks of `medrd` (issue 10), run by CI on loopback: pathological queries
# (a property path's closure among them, issue 19) must get 503 within the time limit + 1 s
# and then stop using CPU and memory within 1 s (see check_stops), queries nested deeper than a stack holds get
# 400 and the server lives on (issue 19), the server's memory stays under the documented
# bound, /health stays ok while heavy queries run (they take the long lane), and /health and
# a named query keep answering during and after. Then
# `build -o` with hostile paths (scripts/abuse-cli.sh), 2,000 idle connections
# (scripts/abuse-conn.py) and ZIP bombs through `medrd link rs`. Prints each outcome
# and the server's peak RSS (VmHWM); exits 1 on any failed check, 2 when it cannot run.
# Bounded in time: about a minute; each request has a curl time limit.
#
#   scripts/abuse-test.sh [MEDRD]     # default target/debug/medrd (what `cargo test` built)
#   TIMEOUT=3 MAX_MEMORY_MIB=1024 scripts/abuse-test.sh target/release/medrd
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/serve-lib.sh

MEDRD=${1:-target/debug/medrd}
TIMEOUT=${TIMEOUT:-3}              # the server's --timeout, seconds
MAX_MEMORY_MIB=${MAX_MEMORY_MIB:-1024}
# The bound README.md documents: the heap stays under --max-memory plus what a query
# allocates between two checks (10 ms); the resident set adds the program, the allocator's
# own overhead and its page cache, and the stack pages the query threads have touched (each
# has 64 MiB for queries nested to the limit; the nesting checks below touch them). Checked
# on the peak resident set. 256 MiB held until the stacks grew and the review sheets doubled
# the default store: 1,291 MiB was measured against 1,280 (CI, 2026-12-04).
RSS_SLACK_MIB=${RSS_SLACK_MIB:-384}
# A ZIP bomb of many small RS rows: its inflated size (MiB) and the most memory `medrd link
# rs` may take on it (it holds the inflated text once and keeps only what the rows add up
# to). The issue's case, a 500 KB ZIP of 200 MiB, cost 2.25 GB before; now 497 MiB peak and
# 20 s in a release build (`/usr/bin/time -f '%e s %M KiB' medrd link rs bomb.zip -o x`).
# CI uses 40 MiB so that a debug build reads it within the time limit.
ZIP_BOMB_MIB=${ZIP_BOMB_MIB:-40}
# The bound is over what medrd holds before it reads a row: the knowledge base it loads at
# start (with the RS editions of data/, ~116 MiB in a debug build), measured by the run that
# refuses the bomb before inflating it.
ZIP_RSS_OVER_MIB=${ZIP_RSS_OVER_MIB:-$((ZIP_BOMB_MIB * 2 + 32))}
TICKS=$(getconf CLK_TCK)

[ -x "$MEDRD" ] || { echo "abuse-test: no medrd binary at $MEDRD (build it first)" >&2; exit 2; }
command -v curl >/dev/null || { echo "abuse-test: curl is missing" >&2; exit 2; }

failures=0
work=$(mktemp -d)
servers=()
cleanup() {
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

pass() { echo "  ok    $*"; }
fail() { echo "  FAIL  $*"; failures=$((failures + 1)); }

# start_server NAME ARGS...: starts `medrd serve` on a free loopback port; sets ADDR and PID.
start_server() {
  local name=$1
  shift
  medrd_serve "$work/$name.log" "$MEDRD" "$@"
  PID=$SERVE_PID
  ADDR=$SERVE_ADDR
  servers+=("$PID")
  if [ -z "$ADDR" ]; then
    echo "abuse-test: the server did not start:" >&2
    cat "$work/$name.log" >&2
    exit 2
  fi
  echo "medrd serve $* on $ADDR (pid $PID)"
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kib() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }

# sparql QUERY: prints "STATUS SECONDS" and leaves the body in $work/body.
sparql() {
  curl -s -o "$work/body" -w '%{http_code} %{time_total}' --max-time $((TIMEOUT + 20)) \
    --data-urlencode "query=$1" "http://$ADDR/sparql" || echo "000 $((TIMEOUT + 20))"
}

# watch_answers SECONDS: in the background, /health and a named query every 0.3 s; the
# statuses go to $work/answers ("health 200", "named 200", …).
watch_answers() {
  local until=$((SECONDS + $1))
  : >"$work/answers"
  while [ $SECONDS -lt $until ]; do
    echo "health $(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://$ADDR/health")" >>"$work/answers"
    echo "named $(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H 'Accept: text/csv' "http://$ADDR/queries/program-projects")" >>"$work/answers"
    sleep 0.3
  done
}

# check_answered WHAT: /health and the named query answered 200 every time in $work/answers.
check_answered() {
  local bad
  bad=$(grep -cv ' 200$' "$work/answers")
  if [ "$bad" -eq 0 ] && [ -s "$work/answers" ]; then
    pass "$1: /health and a named query answered 200 ($(wc -l <"$work/answers") requests)"
  else
    fail "$1: /health or the named query did not answer 200: $(sort "$work/answers" | uniq -c | tr -s ' \n' ' ')"
  fi
}

# check_stops NAME BASELINE_KIB: within STOP_WITHIN seconds of the answer the server's CPU
# use drops (under 0.1 s of CPU in a second) and its resident set is back near BASELINE_KIB;
# it says how long that took. A COUNT(DISTINCT *) stopped at the memory limit once held
# 0.9 GiB and ran on for a second and more after its 503 (CI, 2026-12-07): its set's hash
# table was moving every tuple into a table twice the size, a step that cannot look at the
# token. Tables now grow in small steps (vendor/spareval/PATCHES.md, patch 7); the bound is
# back at 1 s, far from the defect this guards against (11 GB held 55 s after the 503).
STOP_WITHIN=${STOP_WITHIN:-1}
check_stops() {
  local name=$1 baseline=$2 before after rss waited=1
  sleep 1
  while :; do
    before=$(cpu_ticks "$PID")
    rss=$(rss_kib "$PID")
    sleep 1
    after=$(cpu_ticks "$PID")
    if { [ $((after - before)) -le $((TICKS / 10)) ] && [ "$rss" -le $((baseline + 128 * 1024)) ]; } ||
      [ "$waited" -ge "$STOP_WITHIN" ]; then
      break
    fi
    waited=$((waited + 1))
  done
  if [ $((after - before)) -le $((TICKS / 10)) ]; then
    pass "$name: stopped: $(((after - before) * 1000 / TICKS)) ms of CPU in the second after ${waited} s"
  else
    fail "$name: still running: $(((after - before) * 1000 / TICKS)) ms of CPU in the second after ${waited} s"
  fi
  if [ "$rss" -le $((baseline + 128 * 1024)) ]; then
    pass "$name: memory returned: RSS $((rss / 1024)) MiB ${waited} s after the answer (at start $((baseline / 1024)) MiB)"
  else
    fail "$name: memory held: RSS $((rss / 1024)) MiB ${waited} s after the answer (at start $((baseline / 1024)) MiB)"
  fi
}

# pathological NAME QUERY [EXPECT]: the query gets 503 within the limit + 1 s (or, with
# EXPECT=any, any answer within it), /health and a named query answer meanwhile, and the
# server then stops working on it.
pathological() {
  local name=$1 query=$2 expect=${3:-503} baseline answer status took
  baseline=$(rss_kib "$PID")
  # the slots in use before the query, to tell a wait for a slot from a slow stop
  local slots
  slots=$(curl -s --max-time 5 "http://$ADDR/health" | grep -o '"inUse":[0-9]*' || echo '"inUse":?')
  watch_answers $((TIMEOUT + 3)) &
  local watcher=$!
  answer=$(sparql "$query")
  status=${answer% *}
  took=${answer#* }
  LAST_STATUS=$status
  if { [ "$expect" = any ] || [ "$status" = 503 ]; } &&
    awk -v t="$took" -v l="$TIMEOUT" 'BEGIN { exit !(t <= l + 1) }'; then
    pass "$name: $status after ${took}s: $(head -c 100 "$work/body" | tr '\n' ' ')"
  else
    fail "$name: $status after ${took}s (want $expect within $((TIMEOUT + 1))s; before it: $slots): $(head -c 100 "$work/body" | tr '\n' ' ')"
  fi
  check_stops "$name" "$baseline"
  wait "$watcher"
  check_answered "$name"
}

# --- query evaluation (defects 2 and 3 of issue 10) -------------------------------------

check_queries() {
  echo "== pathological queries (--timeout $TIMEOUT, --max-memory $MAX_MEMORY_MIB)"
  start_server queries --timeout "$TIMEOUT" --max-memory "$MAX_MEMORY_MIB"
  pathological "3-way product, ORDER BY" 'SELECT * WHERE {?a ?b ?c.?d ?e ?f.?g ?h ?i} ORDER BY ?c ?f ?i LIMIT 1'
  # DISTINCT streams: its first 10,000 rows come at once (200, cut at --max-results).
  pathological "3-way product, SELECT DISTINCT *" 'SELECT DISTINCT * WHERE {?a ?b ?c.?d ?e ?f.?g ?h ?i}' any
  pathological "3-way product, COUNT(DISTINCT *)" 'SELECT (COUNT(DISTINCT *) AS ?n) WHERE {?a ?b ?c.?d ?e ?f.?g ?h ?i}'
  pathological "3-way product, GROUP BY" 'SELECT ?c (COUNT(*) AS ?n) WHERE {?a ?b ?c.?d ?e ?f.?g ?h ?i} GROUP BY ?c'
  pathological "2-way product, ORDER BY" 'SELECT * WHERE {?a ?b ?c.?d ?e ?f} ORDER BY ?c ?f LIMIT 1'
  pathological "hash join on a literal, ORDER BY" 'SELECT * WHERE {?a ?b ?c.?d ?e ?c.?g ?h ?i} ORDER BY ?i LIMIT 1'
  pathological "ORDER BY over mixed literals (was a panic)" 'SELECT ?o WHERE {?s ?p ?o FILTER(isLiteral(?o))} ORDER BY ?o LIMIT 10000' any
  if [ "$LAST_STATUS" = 200 ]; then
    pass "ORDER BY over mixed literals: 200"
  else
    fail "ORDER BY over mixed literals: $LAST_STATUS, want 200"
  fi

  check_nesting
  pathological "a property path's closure (was 503 and ran on)" \
    'ASK { ?s (!<http://x/p>|^!<http://x/p>)* ?o FILTER(?s = <http://nothing>) }'
  # A join of 1,900 patterns, within the 2,048-operator bound: the optimizer's greedy join
  # reordering was cubic and not cancellable (1,000 patterns planned for 41 s, 4,000 past two
  # minutes); beyond 128 patterns it now joins them as written (vendor/sparopt/PATCHES.md).
  pathological "a join of 1,900 patterns (the planner was cubic)" \
    "$(python3 -c "print('SELECT * WHERE { ' + ' . '.join(f'?v{i} <http://x/p{i % 7}> ?v{i + 1}' for i in range(1900)) + ' } LIMIT 1')")" any

  # One step that made a gigabyte: eight nested REPLACEs of "a" by ten a's build a string of
  # 100 million characters (ran on for 3 s past its 503); a string function now stops at
  # 16 MiB and has no value (vendor/spareval/PATCHES.md, patch 9).
  local replace='"a"'
  for _ in 1 2 3 4 5 6 7 8; do replace="REPLACE($replace, \"a\", \"aaaaaaaaaa\")"; done
  pathological "8 nested REPLACEs (a string of 100 million characters)" \
    "SELECT (STRLEN($replace) AS ?n) WHERE {}" any
  # 160 STRLENs of seven nested REPLACEs (7 s here): each call is bounded, but one expression is one
  # step; it ran on for 2.7 s past its 503 until a function call looked at the token (patch 10).
  local seven='"a"'
  for _ in 1 2 3 4 5 6 7; do seven="REPLACE($seven, \"a\", \"aaaaaaaaaa\")"; done
  pathological "160 STRLENs of 7 nested REPLACEs (one expression, one step)" \
    "SELECT ($(for _ in $(seq 160); do printf 'STRLEN(%s) + ' "$seven"; done)0 AS ?n) WHERE {}"
  # A join that buffered every match of one probe tuple at once: 127 one-row VALUES joined
  # as written, then a product of 2,000 by 1,000 quads made 2 million wide tuples in one step
  # (patch 8: one match a call).
  pathological "a probe of 2 million matches (the join buffered them)" \
    "SELECT (COUNT(*) AS ?n) WHERE { $(printf 'VALUES ?z {0} %.0s' $(seq 127)){SELECT ?a WHERE {GRAPH ?g {?a ?b ?c}} LIMIT 2000} {SELECT ?d WHERE {GRAPH ?h {?d ?e ?f}} LIMIT 1000} VALUES ?w {1 2} }" any

  # Issue 19: long queries take the long lane, which /health reports but does not call busy
  # (busy: requests wait for a slot; scripts/abuse-serve.sh floods the server).
  echo "== as many heavy queries as there are cheap slots: /health says ok, then ok again"
  local slots pids=() health
  slots=$(curl -s "http://$ADDR/health" | sed -n 's/.*"cheap":{"inUse":[0-9]*,"total":\([0-9]*\).*/\1/p')
  for _ in $(seq 1 "$slots"); do
    curl -s -o /dev/null --max-time $((TIMEOUT + 20)) --data-urlencode \
      'query=SELECT * WHERE {?a ?b ?c.?d ?e ?f.?g ?h ?i} ORDER BY ?c ?f ?i LIMIT 1' "http://$ADDR/sparql" &
    pids+=($!)
  done
  sleep 1
  health=$(curl -s -w ' %{http_code}' --max-time 5 "http://$ADDR/health")
  case "$health" in
    *'"status":"ok"'*' 200') pass "$slots heavy queries sent: /health 200 ok: ${health:0:220}" ;;
    *) fail "$slots heavy queries sent: /health not ok: ${health:0:220}" ;;
  esac
  wait "${pids[@]}"
  sleep 1
  health=$(curl -s -w ' %{http_code}' --max-time 5 "http://$ADDR/health")
  case "$health" in
    *'"status":"ok"'*' 200') pass "1 s after their 503s: /health 200 ok" ;;
    *) fail "1 s after their 503s: /health still not ok: ${health:0:160}" ;;
  esac
  report_peak queries
  stop_server

  echo "== the memory limit (--max-memory 256, --timeout 60): a query is stopped at the limit"
  local saved=$TIMEOUT
  TIMEOUT=60
  start_server memory --timeout 60 --max-memory 256
  # Beside the runaway sort, a slow query that holds almost nothing (it counts 5 million
  # rows of a product as they stream: about 3 s in a debug build) runs from before the
  # limit is reached until after: it is not the one holding the most, so it must answer.
  local answer beside beside_pid
  curl -s -o "$work/beside" -w '%{http_code} %{time_total}' --max-time 100 --data-urlencode \
    'query=SELECT (COUNT(*) AS ?n) WHERE { { SELECT * WHERE {?a ?b ?c.?d ?e ?f} LIMIT 5000000 } }' \
    "http://$ADDR/sparql" >"$work/beside.status" &
  beside_pid=$!
  sleep 0.5
  answer=$(sparql 'SELECT * WHERE {?a ?b ?c.?d ?e ?f.?g ?h ?i} ORDER BY ?c ?f ?i LIMIT 1')
  if [ "${answer% *}" = 503 ] && grep -q "memory limit" "$work/body"; then
    pass "503 after ${answer#* }s: $(head -c 100 "$work/body")"
  else
    fail "${answer% *} after ${answer#* }s, want 503 memory limit: $(head -c 100 "$work/body")"
  fi
  wait "$beside_pid"
  beside=$(cat "$work/beside.status")
  if [ "${beside% *}" = 200 ] && grep -q '"5000000"' "$work/beside"; then
    pass "a small query running beside it was not stopped: 200 after ${beside#* }s"
  else
    fail "a small query running beside it: ${beside% *} after ${beside#* }s, want 200: $(head -c 100 "$work/beside")"
  fi
  TIMEOUT=$saved
  check_stops "after the memory limit" "$(rss_kib "$PID")"
  report_peak memory 256
  stop_server
}

# --- nesting (issue 19, item 1) -----------------------------------------------------------

# repeat N TEXT: TEXT N times (TEXT holds no % or \).
repeat() { printf "$2%.0s" $(seq "$1"); }

# refused NAME GET|POST QUERY: 400 naming the limit, and the server lives on.
refused() {
  local name=$1 method=$2 answer get=()
  [ "$method" = GET ] && get=(-G)
  # from a file: an argument holds at most 128 KiB
  printf '%s' "$3" >"$work/query"
  answer=$(curl -s "${get[@]}" -o "$work/body" -w '%{http_code} %{time_total}' --max-time 20 \
    --data-urlencode "query@$work/query" "http://$ADDR/sparql" || echo "000 20")
  if [ "${answer% *}" = 400 ] && grep -q 'the limit of' "$work/body"; then
    pass "$name ($method): 400 after ${answer#* }s: $(head -c 90 "$work/body")"
  else
    fail "$name ($method): ${answer% *} after ${answer#* }s, want 400 naming the limit: $(head -c 100 "$work/body")"
  fi
  lives "$name"
}

# lives NAME: the server process is there and /health answers 200.
lives() {
  if kill -0 "$PID" 2>/dev/null &&
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://$ADDR/health")" = 200 ]; then
    pass "$1: the server lives, /health 200"
  else
    fail "$1: the server died or /health does not answer 200"
  fi
}

# Each of these aborted the whole server with a stack overflow (tokio's 2 MiB threads).
check_nesting() {
  echo "== nesting deeper than a stack holds: 400 naming the limit, the server lives"
  local braces parens
  braces="SELECT * WHERE $(repeat 1000 '{ ')?s ?p ?o$(repeat 1000 '} ')"
  parens="ASK { FILTER($(repeat 1000 '(')true$(repeat 1000 ')')) }"
  refused "1,000 nested braces" GET "$braces"
  refused "1,000 nested braces" POST "$braces"
  refused "1,000 nested parentheses" GET "$parens"
  refused "1,000 nested CONCAT(" POST "SELECT * { BIND($(repeat 1000 'CONCAT(')1$(repeat 1000 ')') AS ?x) }"
  refused "10,000 !" POST "ASK { FILTER($(repeat 10000 '!')true) }"
  refused "a path of 10,000 steps" POST "PREFIX x: <http://x/> ASK { ?s $(repeat 9999 'x:p/')x:p ?o }"
  refused "10,000 UNIONs" POST "SELECT * { $(repeat 9999 '{ ?s ?p ?o } UNION '){ ?s ?p ?o } }"
  # Within the limits, a long flat chain is answered.
  local answer
  answer=$(sparql "SELECT (COUNT(*) AS ?n) { $(repeat 999 '{ VALUES ?x { 1 } } UNION '){ VALUES ?x { 1 } } }")
  if [ "${answer% *}" = 200 ] && grep -q '1000' "$work/body"; then
    pass "1,000 UNIONs (within the limits): 200 after ${answer#* }s"
  else
    fail "1,000 UNIONs (within the limits): ${answer% *}, want 200 counting 1000: $(head -c 100 "$work/body")"
  fi
  lives "1,000 UNIONs"
}

# report_peak NAME [MAX_MEMORY_MIB]: prints the peak RSS and checks it against the bound.
report_peak() {
  local hwm max=${2:-$MAX_MEMORY_MIB}
  hwm=$(hwm_kib "$PID")
  if [ "$hwm" -le $(((max + RSS_SLACK_MIB) * 1024)) ]; then
    pass "peak RSS of the server ($1): $((hwm / 1024)) MiB (bound: --max-memory $max + $RSS_SLACK_MIB MiB)"
  else
    fail "peak RSS of the server ($1): $((hwm / 1024)) MiB, over --max-memory $max + $RSS_SLACK_MIB MiB"
  fi
}

stop_server() {
  kill "$PID" 2>/dev/null
  wait "$PID" 2>/dev/null
}

# --- the CLI, connections and ZIP bombs -------------------------------------------------

# CLI defects (`build -o .`, `..`, a foreign directory … in a throwaway copy).
check_cli() {
  echo "== scripts/abuse-cli.sh"
  scripts/abuse-cli.sh "$MEDRD" || fail "scripts/abuse-cli.sh failed"
}

# Connection-level checks (defect 5): 2,000 idle half-requests while /health and a query
# must answer within a second; slow and idle clients closed after the header timeout
# (scripts/abuse-conn.py, stdlib Python).
check_connections() {
  echo "== connections: scripts/abuse-conn.py (2,000 idle half-requests, header timeout 3 s)"
  start_server conn --timeout "$TIMEOUT" --header-timeout 3
  if timeout 120 python3 scripts/abuse-conn.py "http://$ADDR" --connections 2000 --header-timeout 3 \
      | sed 's/^/  /'; then
    pass "2,000 idle connections: /health and a query kept answering; idle and slow clients closed"
  else
    fail "scripts/abuse-conn.py failed"
  fi
  report_peak "connections"
  stop_server
}

# ZIP bombs through `medrd link rs` (defect 6): a ZIP whose entry inflates past the cap
# (--max-unzipped, 1 GiB by default; 16 MiB here) stops with an error naming the entry,
# and a ZIP of many small rows costs memory in proportion to its text, not 10× it.
check_zip_bomb() {
  echo "== ZIP bombs through medrd link rs"
  python3 - "$work" "$ZIP_BOMB_MIB" <<'PY'
import sys, zipfile
work = sys.argv[1]
# One RS row repeated: deflates about 400 to 1.
row = "2024,1,x,内閣府\n".encode()
header = "事業年度,予算事業ID,事業名,府省庁\n".encode()
for name, size in (("bomb", int(sys.argv[2]) << 20),):
    with zipfile.ZipFile(f"{work}/{name}.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        with z.open("1-2_RS_2024_基本情報_事業概要等.csv", "w", force_zip64=True) as f:
            f.write(header)
            chunk = row * ((1 << 20) // len(row))
            written = len(header)
            while written < size:
                f.write(chunk)
                written += len(chunk)
PY
  local code bytes
  bytes=$(stat -c %s "$work/bomb.zip")
  /usr/bin/time -f '%M' -o "$work/rss" timeout 120 "$MEDRD" link rs "$work/bomb.zip" --max-unzipped $((16 << 20)) \
    -o "$work/linkset.ttl" >/dev/null 2>"$work/zip.err"
  code=$?
  if [ "$code" -eq 2 ] && grep -q '1-2_RS_2024' "$work/zip.err" && grep -qi 'limit' "$work/zip.err" \
      && [ ! -e "$work/linkset.ttl" ]; then
    pass "a $((bytes / 1024)) KiB ZIP inflating to $ZIP_BOMB_MIB MiB, over --max-unzipped 16 MiB: exit 2 naming the entry, nothing written, peak RSS $(($(tail -n 1 "$work/rss") / 1024)) MiB"
  else
    fail "ZIP bomb over --max-unzipped: exit $code, $(head -c 300 "$work/zip.err")"
  fi
  local zip_rss_mib=$(($(tail -n 1 "$work/rss") / 1024 + ZIP_RSS_OVER_MIB))
  bytes=$(stat -c %s "$work/bomb.zip")
  /usr/bin/time -f '%M' -o "$work/rss" timeout 120 "$MEDRD" link rs "$work/bomb.zip" \
    -o "$work/linkset.ttl" >/dev/null 2>"$work/zip.err"
  code=$?
  local rss=$(($(tail -n 1 "$work/rss") / 1024))
  if [ "$code" -le 2 ] && [ "$rss" -le "$zip_rss_mib" ]; then
    pass "a $((bytes / 1024)) KiB ZIP inflating to $ZIP_BOMB_MIB MiB of rows: exit $code, peak RSS $rss MiB (bound: at start + $ZIP_RSS_OVER_MIB = $zip_rss_mib MiB)"
  else
    fail "a $((bytes / 1024)) KiB ZIP inflating to $ZIP_BOMB_MIB MiB of rows: exit $code, peak RSS $rss MiB (bound: at start + $ZIP_RSS_OVER_MIB = $zip_rss_mib MiB)"
  fi
  rm -f "$work"/*.zip "$work/linkset.ttl"
}

started=$SECONDS
check_queries
check_cli
check_connections
check_zip_bomb
echo "abuse-test: $failures failed check(s) in $((SECONDS - started)) s"
[ "$failures" -eq 0 ]
