#!/usr/bin/env bash
# How fast `medrd serve` answers the pages people read (issue 14's goal: each explorer page
# in under 50 ms at the server on our data): starts a medrd on a free loopback port, then for
# each page times its first visit (the store is read) and the median and slowest of RUNS
# more visits (answers are kept: the store does not change while serving), with curl's
# time to the last byte on loopback. Prints a Markdown table; exits 1 when a first visit or
# a median is 50 ms or more, 2 when it cannot run. Bounded: every request has a 30 s limit.
# MEDRD_ROOT (a project root, e.g. the national one of docs/scale.md) is read by medrd itself;
# MEDRD_WITH=FILE loads FILE beside it (`serve --with FILE`, e.g. every review sheet as written
# by `medrd link judgit PATH --judgit-graph SHEETS.nt`); a start that loads a large file may
# take minutes, so the wait for the server is SERVE_WAIT seconds (default 600). The time the
# server took from its start to listening is printed on stderr. SERVE_ARGS adds options to
# `serve` (split on spaces): the loaded store counts against `--max-memory` (2048 MiB by
# default), so a large store needs e.g. SERVE_ARGS="--max-memory 16000".
#
#   scripts/page-times.sh                          # release build (built if absent)
#   RUNS=50 scripts/page-times.sh target/debug/medrd
#   MEDRD_ROOT=ROOT MEDRD_WITH=SHEETS.nt SERVE_ARGS="--max-memory 16000" LIMIT_MS=100 \
#     scripts/page-times.sh
set -uo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-20}
LIMIT_MS=${LIMIT_MS:-50}
SERVE_WAIT=${SERVE_WAIT:-600}
MEDRD=${1:-target/release/medrd}
if [ "$MEDRD" = target/release/medrd ] && [ ! -x "$MEDRD" ]; then
  cargo build --release --quiet --bin medrd || exit 2
fi
[ -x "$MEDRD" ] || { echo "page-times: no medrd binary at $MEDRD" >&2; exit 2; }
command -v curl >/dev/null || { echo "page-times: curl is missing" >&2; exit 2; }

. scripts/serve-lib.sh
log=$(mktemp)
trap 'kill "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null; rm -f "$log"' EXIT
with=()
[ -z "${MEDRD_WITH:-}" ] || with=(--with "$MEDRD_WITH")
# shellcheck disable=SC2206 # split on purpose
[ -z "${SERVE_ARGS:-}" ] || with+=($SERVE_ARGS)
started=$(date +%s.%N)
if ! medrd_serve "$log" "$MEDRD" "${with[@]}"; then
  # medrd_serve waits 30 s; a large --with load takes longer: keep waiting while it runs.
  for _ in $(seq 1 $((SERVE_WAIT * 10))); do
    kill -0 "$SERVE_PID" 2>/dev/null || break
    SERVE_ADDR=$(grep -o 'listening on http://[0-9.:]*' "$log" | sed 's|listening on http://||' || true)
    [ -n "$SERVE_ADDR" ] && break
    sleep 0.1
  done
  [ -n "$SERVE_ADDR" ] && medrd_ready "$log" || { echo "page-times: the server did not start:" >&2; cat "$log" >&2; exit 2; }
fi
addr=$SERVE_ADDR
echo "page-times: ready after $(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s${MEDRD_WITH:+ (with $MEDRD_WITH)}" >&2

pages=(
  "/explore"
  "/explore/search?q=%E8%AA%8D%E7%9F%A5%E7%97%87"
  "/explore/programs"
  "/explore/programs?ministry=mhlw&project=4&sort=amount"
  "/explore/program/dementia-rd"
  "/explore/program/medical-device-seeds"
  "/explore/program/medical-device-seeds?table=timeline&format=csv"
  "/explore/project/4"
  "/explore/ministry/mhlw"
  "/explore/theme/dementia"
  "/explore/program/dementia-rd?lang=en"
  "/explore/recipient/9010005023796"
  "/explore/line/rs/2958"
  "/explore/line/review-sheet/2016/mhlw/0881"
  "/explore/flow/program/dementia-rd?year=2017"
  "/explore/flow/ministry/mext"
  "/explore/flow/recipient/9010005023796"
  "/explore/search?q=2958"
  "/explore/org/amed"
  "/id/program/medical-device-seeds"
  "/diagram/timeline/program/medical-device-seeds"
)

# ms PATH: prints "STATUS MILLISECONDS" of one GET.
ms() {
  curl -s -o /dev/null --max-time 30 -w '%{http_code} %{time_total}' "http://$addr$1" |
    awk '{ printf "%s %.1f\n", $1, $2 * 1000 }'
}

slow=0
echo "medrd serve on $addr ($MEDRD); $RUNS visits after the first; ms at curl on loopback" >&2
echo "| page | status | first visit (ms) | median (ms) | slowest (ms) |"
echo "|---|---|---|---|---|"
for page in "${pages[@]}"; do
  read -r status first < <(ms "$page")
  times=$(for _ in $(seq 1 "$RUNS"); do ms "$page" | cut -d' ' -f2; done | sort -n)
  median=$(echo "$times" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  worst=$(echo "$times" | tail -n 1)
  echo "| \`$page\` | $status | $first | $median | $worst |"
  if [ "$status" != 200 ] || awk -v f="$first" -v m="$median" -v l="$LIMIT_MS" 'BEGIN { exit !(f >= l || m >= l) }'; then
    slow=1
  fi
done
[ "$slow" = 0 ] || echo "page-times: a page failed or took ${LIMIT_MS} ms or more" >&2
exit "$slow"
