# Sourced by the scripts that drive a `medrd serve` of their own (abuse-test.sh,
# load-test.sh, page-times.sh): one way to start it on a free loopback port and learn
# where it listens.

# medrd_serve LOG MEDRD ARGS...: starts `MEDRD serve --bind 127.0.0.1:0 ARGS...` in the
# background, its stderr in LOG and its stdout discarded; sets SERVE_PID at once and
# SERVE_ADDR (host:port) when it listens, then waits until its own reads at start (graph
# sizes, the explorer's search entries and shared answers) are done: /health says
# "ready":true, so that what the caller measures is the server at rest, as before it
# listened first. MEDRD_SERVE_NO_WAIT=1 returns as soon as it listens. Returns 1 when it has
# not said where it listens within 30 s, is not ready within 600 s, or has stopped (LOG says
# why); the caller stops it (kill "$SERVE_PID").
medrd_serve() {
  local log=$1 medrd=$2
  shift 2
  "$medrd" serve --bind 127.0.0.1:0 "$@" 2>"$log" >/dev/null &
  SERVE_PID=$!
  SERVE_ADDR=""
  for _ in $(seq 1 300); do
    SERVE_ADDR=$(grep -o 'listening on http://[0-9.:]*' "$log" | sed 's|listening on http://||' || true)
    [ -n "$SERVE_ADDR" ] && break
    kill -0 "$SERVE_PID" 2>/dev/null || return 1
    sleep 0.1
  done
  [ -n "$SERVE_ADDR" ] || return 1
  [ -n "${MEDRD_SERVE_NO_WAIT:-}" ] && return 0
  medrd_ready "$log"
}

# medrd_ready LOG: waits until the server at SERVE_ADDR (process SERVE_PID) says
# "ready":true on /health; returns 1 when it stops or is not ready within 600 s.
medrd_ready() {
  for _ in $(seq 1 6000); do
    curl -s --max-time 5 "http://$SERVE_ADDR/health" | grep -q '"ready":true' && return 0
    kill -0 "$SERVE_PID" 2>/dev/null || return 1
    sleep 0.1
  done
  echo "medrd serve: not ready after 600 s" >>"$1"
  return 1
}
