#!/usr/bin/env bash
# Where the CPU of a `medrd build` on the default data goes, by owner (issue "Speed at the
# size the data now has": find where the time goes with a profile first). Builds medrd in
# release with line tables into target/profiling (apart from target/release, so it does not
# disturb the usual build), makes an earlier build, samples a build over it (or with --fresh,
# one into an empty directory, Graphviz included) with `perf record`, and prints through
# scripts/profile_build.py: each owner's CPU (the load, the checks, the exports, the named
# queries, the diagrams…), the share of samples that end in Oxigraph's in-memory store, and
# the cores busy in each 50 ms (where one core waits). Needs perf (Debian: linux-perf) and
# the right to sample (kernel.perf_event_paranoid <= 1, or root). Writes only into a
# temporary directory, removed on exit. Exit 2 on a missing tool or a bad argument.
#
# Usage: scripts/profile-build.sh [--fresh] [--freq HZ]   (default 2000 samples a second)
set -euo pipefail
cd "$(dirname "$0")/.."
fresh=0
freq=2000
while [ $# -gt 0 ]; do
  case "$1" in
    --fresh) fresh=1; shift ;;
    --freq)
      [[ "${2:-}" =~ ^[1-9][0-9]{0,4}$ ]] || { echo "$0: --freq takes a whole number of Hz" >&2; exit 2; }
      freq=$2; shift 2 ;;
    *) echo "usage: $0 [--fresh] [--freq HZ]" >&2; exit 2 ;;
  esac
done
command -v perf >/dev/null || { echo "$0: needs perf (Debian: linux-perf)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "$0: needs python3" >&2; exit 2; }
CARGO_PROFILE_RELEASE_DEBUG=line-tables-only cargo build --release --quiet \
  --target-dir target/profiling
medrd=target/profiling/release/medrd
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
if [ "$fresh" = 0 ]; then
  "$medrd" build -o "$scratch/dist" >/dev/null 2>&1
fi
perf record --quiet -F "$freq" -g --call-graph dwarf,16384 -o "$scratch/perf.data" \
  "$medrd" build -o "$scratch/dist" >/dev/null 2>"$scratch/build.err" || {
  echo "$0: the build or perf failed:" >&2; cat "$scratch/build.err" >&2; exit 2; }
what=$([ "$fresh" = 1 ] && echo "into an empty directory" || echo "over an earlier build")
echo "medrd build $what, sampled at $freq Hz:"
perf script -i "$scratch/perf.data" 2>/dev/null | python3 scripts/profile_build.py --freq "$freq"
