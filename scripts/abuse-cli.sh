#!/usr/bin/env bash
# Hostile output paths for `medrd build` (issue 10, defect 1): in a throwaway copy of the
# project, `build -o .`, `-o ..`, `-o dist/..`, `-o / --force`, `-o data --force`, `-o` a
# foreign directory, an existing file and a previous build; prints each outcome (exit code,
# message, files before/after) and exits 1 when any file of the copy was lost. Usage: scripts/abuse-cli.sh path/to/medrd
# (scripts/abuse-test.sh calls it). Bounded: each run has a 120 s limit.
set -uo pipefail

medrd=${1:?usage: scripts/abuse-cli.sh path/to/medrd}
medrd=$(cd "$(dirname "$medrd")" && pwd)/$(basename "$medrd")
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/medrd-abuse-cli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The throwaway copy: the project files medrd reads, a parent with a file of its own beside
# the project, a foreign directory inside it and a plain file.
outer=$tmp/outer
proj=$outer/proj
mkdir -p "$proj"
cp -a "$here/ontology" "$here/data" "$here/queries" "$proj/"
echo "beside the project" >"$outer/neighbour.txt"
mkdir -p "$proj/foreign/deeper"
echo a >"$proj/foreign/a.txt"
echo b >"$proj/foreign/deeper/b.txt"
echo mine >"$proj/report.txt"

count() { find "$outer" -type f -not -path "$proj/dist/*" | wc -l; }
lost=0
step() { # label, expected exit code, cwd, args…
    local label=$1 want=$2 cwd=$3
    shift 3
    local before after code msg
    before=$(count)
    (cd "$cwd" && env -u MEDRD_ROOT -u MEDRD_STORE -u MEDRD_ENDPOINT \
        timeout 120 "$medrd" --root "$proj" "$@" >/dev/null 2>"$tmp/stderr")
    code=$?
    msg=$(tail -n 1 "$tmp/stderr")
    after=$(count)
    local verdict=ok
    if [ "$after" -lt "$before" ]; then
        verdict="LOST $((before - after)) FILES"
        lost=1
    elif [ "$code" != "$want" ]; then
        verdict="exit $code, expected $want"
        lost=1
    fi
    printf '%-28s exit %s  files %s -> %s  %s\n    %s\n' "$label" "$code" "$before" "$after" \
        "$verdict" "$msg"
}

step "build -o ." 2 "$proj" build -o .
step "build -o .." 2 "$proj" build -o ..
step "build -o dist/.." 2 "$proj" build -o dist/..
step "build -o / --force" 2 "$proj" build -o / --force
step "build -o data --force" 2 "$proj" build -o data --force
step "build -o foreign" 2 "$proj" build -o foreign
step "build -o report.txt" 2 "$proj" build -o report.txt
step "build -o dist (new)" 0 "$proj" build -o dist
step "build -o dist (again)" 0 "$proj" build -o dist
step "export -o report.txt" 2 "$proj" export -o report.txt
step "diagram … -o report.txt" 2 "$proj" diagram overview -o report.txt
step "link ids -o report.txt" 2 "$proj" link ids -o report.txt
# Two builds into one new -o at once: one builds, the other builds after it or stops (2),
# and the output is whole, with nothing left beside it.
codes=()
pids=()
for _ in 1 2; do
    (cd "$proj" && env -u MEDRD_ROOT -u MEDRD_STORE -u MEDRD_ENDPOINT \
        timeout 120 "$medrd" --root "$proj" build -o twice >/dev/null 2>>"$tmp/twice.err") &
    pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; codes+=($?); done
left=$(find "$proj" -maxdepth 1 -name '.twice*' | wc -l)
printf '%-28s exit %s  %s\n' "two builds -o twice at once" "${codes[*]}" \
    "$(grep -h 'another medrd build' "$tmp/twice.err" | head -n 1)"
case "${codes[*]}" in
    "0 0" | "0 2" | "2 0") ;;
    *) echo "  WRONG: exit codes ${codes[*]}"; lost=1 ;;
esac
if [ ! -s "$proj/twice/medrd-kg.ttl" ] || [ ! -f "$proj/twice/.medrd-build" ] || [ "$left" != 0 ]; then
    echo "  WRONG: twice/ is not a whole build or $left staging directories were left beside it"
    lost=1
fi
if [ "$(cat "$proj/report.txt")" != mine ]; then
    echo "CHANGED: report.txt no longer holds what the user wrote"
    lost=1
fi
for f in "$outer/neighbour.txt" "$proj/foreign/a.txt" "$proj/foreign/deeper/b.txt" \
    "$proj/report.txt" "$proj/data/fy2024-request/overview.toml"; do
    if [ ! -f "$f" ]; then
        echo "LOST: ${f#"$tmp"/}"
        lost=1
    fi
done
if [ "$lost" = 0 ]; then
    echo "abuse-cli: every file kept, every exit code as expected"
else
    echo "abuse-cli: FAILED (files lost or wrong exit codes)"
fi
exit "$lost"
