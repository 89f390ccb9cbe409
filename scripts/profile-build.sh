#!/usr/bin/env bash
# Where the CPU of a `medrd build` on the default data goes, by owner (issue "Speed at the
# size the data now has": find where the time goes with a profile first). Builds medrd in
# release with line tables into target/profiling (apart from target/release, so the usual
# build is left alone), makes an earlier build, samples a build over it (with --fresh, one
# into an empty directory, Graphviz included) with `perf record`, and prints through
# scripts/profile_build.py: each owner's CPU (the load, the checks, the exports, the named
# queries, the diagrams…), how many stacks the unwinder cut short, the share of samples that
# end in Oxigraph's in-memory store, and the cores busy in each 50 ms (where one core waits).
# The builds go into a temporary directory, removed on exit.
# Needs cargo, perf (Debian: linux-perf), python3 and the right to sample
# (kernel.perf_event_paranoid <= 1, or root). Results on stdout, messages on stderr; exit 2
# on a missing tool, a bad argument or a failed step.
#
# Usage: scripts/profile-build.sh [--fresh] [--freq HZ]   (default 2000 samples a second)
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: $0 [--fresh] [--freq HZ]"
fail() { echo "$0: $*" >&2; exit 2; }
fresh=0
freq=2000
while [ $# -gt 0 ]; do
  case "$1" in
    --fresh) fresh=1; shift ;;
    --freq)
      [[ "${2:-}" =~ ^[1-9][0-9]{0,4}$ ]] || fail "--freq takes a whole number of Hz"
      freq=$2; shift 2 ;;
    -h|--help) echo "$usage"; exit 0 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
for tool in cargo perf python3; do
  command -v "$tool" >/dev/null || fail "needs $tool"
done
CARGO_PROFILE_RELEASE_DEBUG=line-tables-only cargo build --release --quiet \
  --target-dir target/profiling || fail "cargo build failed"
medrd=target/profiling/release/medrd
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
if [ "$fresh" = 0 ]; then
  "$medrd" build -o "$scratch/dist" >/dev/null 2>"$scratch/build.err" || {
    cat "$scratch/build.err" >&2; fail "the earlier build failed"; }
fi
# 32 KiB of stack a sample: the evaluator's stacks are deep (see "cut short" in the report).
perf record --quiet -F "$freq" -g --call-graph dwarf,32768 -o "$scratch/perf.data" \
  "$medrd" build -o "$scratch/dist" >/dev/null 2>"$scratch/build.err" || {
  cat "$scratch/build.err" >&2; fail "the build or perf failed"; }
what=$([ "$fresh" = 1 ] && echo "into an empty directory" || echo "over an earlier build")
echo "medrd build $what, sampled at $freq Hz:"
perf script -i "$scratch/perf.data" 2>"$scratch/script.err" >"$scratch/samples" || {
  cat "$scratch/script.err" >&2; fail "perf script failed"; }
# perf's own warnings (lost samples, unwinding) say how far to trust the figures.
[ -s "$scratch/script.err" ] && sed 's/^/perf: /' "$scratch/script.err" >&2
python3 scripts/profile_build.py --freq "$freq" <"$scratch/samples" || fail "no report"
