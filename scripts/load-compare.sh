#!/usr/bin/env bash
# Loads one N-Triples file with other RDF stores' own loaders, side by side, so that medrd's
# load rate (Oxigraph's in-memory insert, one writer; docs/scale.md, issue 22) can be set beside
# what they reach on the same file and the same machine:
#   - pyoxigraph (PyPI; the interpreter in $PYTHON, default python3): Store().load in memory,
#     and Store(DIR).bulk_load into a fresh on-disk (RocksDB) store — only if `import
#     pyoxigraph` works (skipped with a note otherwise);
#   - Apache Jena 4.5.0 from Debian's libapache-jena-java (jars under /usr/share/java, classpath by
#     scripts/jena-lib.sh): `riot --count` (parse only, the floor of Jena's loaders),
#     `tdb2.tdbloader` (its default loader, phased) and `--loader=parallel`, and TDB1's
#     `tdbloader`, each into a fresh directory;
#   - OpenLink Virtuoso 7 from Debian's virtuoso-opensource: a throwaway server (its own ini,
#     loopback, free ports, a fresh database each run), `ld_dir` + `rdf_loader_run()` +
#     `checkpoint`. Only that isql call is timed: the server's start and stop are not.
# medrd itself is not in the table: its load rate is printed by `scripts/bench.sh --national
# ROOT`. A tool that is not installed is skipped with a note (nothing is installed here).
#
# Runs go round the loaders in turn (A B C A B C …), so that a noisy shared machine weighs on
# all alike. Per loader it prints the triples loaded (as the loader or the store counts them),
# the median wall time of the command and the rate it gives, the largest peak RSS of the runs
# (GNU time %M; for Virtuoso the server's VmHWM), the median CPU time (user + sys) and CPU/wall
# (cores in use), and every run's wall time. Wall and CPU include the start of Python (about
# 0.1 s) or of the JVM and Jena (1–2 s: riot --count of 20,000 triples takes 1.3–2.2 s);
# pyoxigraph's also `len(store)` (about 0.2 s for 1.3M triples), its count.
#
# Usage: scripts/load-compare.sh FILE.nt [RUNS]          (RUNS: default 3)
#   PYTHON=VENV/bin/python scripts/load-compare.sh national.nt 3
# env: PYTHON (an interpreter with pyoxigraph), JENA_JVM_ARGS (e.g. -Xmx4g; default: the
#      JVM's own), VIRTUOSO_BUFFERS (NumberOfBuffers, default 340000, the line of Debian's
#      virtuoso.ini for 4 GB free; MaxDirtyBuffers 3/4 of it), LOAD_TIMEOUT (seconds per run,
#      default 1800).
# The table goes to stdout; progress, skipped loaders and failures to stderr. Exits 2 if the
# set-up fails, 1 if any run failed.
set -euo pipefail

# shellcheck source=scripts/jena-lib.sh
. "$(dirname "$0")/jena-lib.sh"

die() { echo "load-compare: $*" >&2; exit 2; }
say() { echo "load-compare: $*" >&2; }

[[ $# -ge 1 && $# -le 2 ]] || die "usage: scripts/load-compare.sh FILE.nt [RUNS]"
file=$(realpath -e -- "$1" 2>/dev/null) || die "cannot read $1"
[[ -f $file && -r $file ]] || die "cannot read $1"
runs=${2:-3}
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a whole number >= 1, not $runs"
# The path goes into SQL quotes, Virtuoso's comma-separated DirsAllowed and a sed expression.
case $file in *[\',\#\&\\]*) die "the path $file has a character this script cannot pass on: ' , # & \\" ;; esac
[ -x /usr/bin/time ] || die "no GNU time at /usr/bin/time (Debian package time)"
python=${PYTHON:-python3}
limit=${LOAD_TIMEOUT:-1800}
buffers=${VIRTUOSO_BUFFERS:-340000}
java_dir=/usr/share/java
read -ra jvm_args <<< "${JENA_JVM_ARGS:-}"
graph=urn:load-compare

work=$(mktemp -d)
db=$work/db
vpid=
stop_virtuoso() {
  [ -n "$vpid" ] || return 0
  kill "$vpid" 2>/dev/null || true
  wait "$vpid" 2>/dev/null || true
  vpid=
}
trap 'stop_virtuoso; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# measure NAME CMD…: runs CMD (bounded by LOAD_TIMEOUT) under GNU time, its output in
# $work/NAME.log; sets wall (s), rss (KiB) and cpu (user + sys, s).
measure() {
  local name=$1 user sys
  shift
  if ! /usr/bin/time -f '%e %M %U %S' -o "$work/time" timeout "$limit" "$@" > "$work/$name.log" 2>&1; then
    say "$name failed ($(head -n 1 "$work/time")): $(grep -m 1 -E 'ERROR|Error|Exception' "$work/$name.log" ||
      tail -n 3 "$work/$name.log")"
    return 1
  fi
  read -r wall rss user sys < "$work/time"
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.1f", u + s }')
}

# record NAME TRIPLES: keeps one run's figures (set by measure) for the table.
record() {
  [[ $2 =~ ^[0-9]+$ ]] || { say "$1: no triple count in its output"; return 1; }
  echo "$2 $wall $rss $cpu" >> "$work/$1.runs"
}

# --- pyoxigraph ---------------------------------------------------------------------------
# py_run NAME METHOD [DIR]: Store(DIR) (no DIR: in memory), METHOD(path=FILE), prints len.
py_run() {
  measure "$1" "$python" -c 'import sys
from pyoxigraph import RdfFormat, Store
store = Store(*sys.argv[3:])
getattr(store, sys.argv[2])(path=sys.argv[1], format=RdfFormat.N_TRIPLES)
print(len(store))' "$file" "${@:2}" || return 1
  record "$1" "$(tail -n 1 "$work/$1.log")"
}
run_py_load() { py_run py-load load; }
run_py_bulk() { py_run py-bulk bulk_load "$db"; }

# --- Jena ---------------------------------------------------------------------------------
# jena_setup: the classpath of Debian's Jena 4.5.0 (scripts/jena-lib.sh, shared with
# scripts/jena-test.sh).
jena_setup() {
  cp=$(jena_classpath "$work" "$java_dir")
}
# jena_run NAME CLASS ARGS…: at INFO level the loaders print their totals ("Triples = N",
# "N triples loaded"); riot --count prints "Triples = N" at any level.
jena_run() {
  local name=$1
  shift
  measure "$name" java "${jvm_args[@]}" -Dorg.slf4j.simpleLogger.defaultLogLevel=info \
    -cp "$cp" "$@" || return 1
  record "$name" "$(grep -oE 'Triples = [0-9,]+|[0-9,]+ triples loaded' "$work/$name.log" |
    tail -n 1 | tr -dc 0-9)"
}
run_riot() { jena_run riot riotcmd.riot --count "$file"; }
run_tdb2() { jena_run tdb2 tdb2.tdbloader --loc "$db" "$file"; }
run_tdb2_parallel() { jena_run tdb2-parallel tdb2.tdbloader --loader=parallel --loc "$db" "$file"; }
run_tdb1() { jena_run tdb1 tdb.tdbloader --loc "$db" "$file"; }

# --- Virtuoso -----------------------------------------------------------------------------
free_port() { # free_port FROM: the first port from FROM on which nothing listens on loopback
  local p=$1
  while (exec 3<> "/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}
isql() { timeout "$limit" isql-vt "127.0.0.1:$sql_port" dba dba exec="$1"; }
# start_virtuoso: a fresh database in $db, with Debian's ini but our paths, loopback ports,
# buffers and DirsAllowed (the file's directory, for ld_dir).
start_virtuoso() {
  mkdir -p "$db"
  sql_port=$(free_port 21311)
  http_port=$(free_port 28391)
  sed -e "s#/var/lib/virtuoso-opensource-7/db/#$db/#g" \
      -e "s#^ServerPort *= *1111#ServerPort = 127.0.0.1:$sql_port#" \
      -e "s#^ServerPort *= *8890#ServerPort = 127.0.0.1:$http_port#" \
      -e "s#^DirsAllowed *=.*#DirsAllowed = ., $db, ${file%/*}, /usr/share/virtuoso-opensource-7/vad#" \
      -e "s#^NumberOfBuffers *=.*#NumberOfBuffers = $buffers#" \
      -e "s#^MaxDirtyBuffers *=.*#MaxDirtyBuffers = $((buffers * 3 / 4))#" \
      /etc/virtuoso-opensource-7/virtuoso.ini > "$work/virtuoso.ini"
  virtuoso-t +foreground +configfile "$work/virtuoso.ini" > "$work/server.log" 2>&1 &
  vpid=$!
  for _ in $(seq 120); do
    isql "select 1;" > /dev/null 2>&1 && return 0
    kill -0 "$vpid" 2>/dev/null || break
    sleep 1
  done
  say "Virtuoso did not start: $(tail -n 3 "$work/server.log")"
  return 1
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$vpid/stat"; } # the server's user + sys
# virtuoso_load: the timed part. CPU is the server's (all its threads) during the load,
# peak RSS the server's VmHWM.
virtuoso_load() {
  local before
  before=$(cpu_ticks)
  measure virtuoso isql-vt "127.0.0.1:$sql_port" dba dba \
    exec="ld_dir('${file%/*}', '${file##*/}', '$graph'); rdf_loader_run(); checkpoint;" || return 1
  cpu=$(awk -v a="$before" -v b="$(cpu_ticks)" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%.1f", (b - a) / hz }')
  rss=$(awk '/^VmHWM/ { print $2 }' "/proc/$vpid/status")
  isql "select ll_file, ll_error from DB.DBA.LOAD_LIST where ll_state <> 2 or ll_error is not null;" \
    > "$work/virtuoso.errors" 2>&1
  grep -q '^0 Rows\.' "$work/virtuoso.errors" ||
    { say "Virtuoso's load list has errors: $(grep -v '^$' "$work/virtuoso.errors" | tail -n 4)"; return 1; }
  record virtuoso "$(isql "sparql select count(*) from <$graph> where { ?s ?p ?o };" |
    grep -E '^[0-9]+$' | head -n 1)"
}
run_virtuoso() {
  local code=0
  start_virtuoso && virtuoso_load || code=1
  stop_virtuoso
  return "$code"
}

# --- which loaders ------------------------------------------------------------------------
loaders=()
declare -A store=()
add() { loaders+=("$1"); store[$1]=$2; }
if pyver=$("$python" -c 'import pyoxigraph; print(pyoxigraph.__version__)' 2>/dev/null); then
  add py-load "pyoxigraph $pyver Store().load, memory"
  if "$python" -c 'import pyoxigraph, sys; sys.exit(not hasattr(pyoxigraph.Store, "bulk_load"))'; then
    add py-bulk "pyoxigraph $pyver Store(DIR).bulk_load, disk (RocksDB)"
  else
    say "skipped pyoxigraph bulk_load: this pyoxigraph has no Store.bulk_load"
  fi
else
  say "skipped pyoxigraph: '$python' cannot import it (set PYTHON to an interpreter that can)"
fi
if ! command -v java > /dev/null 2>&1 || [ ! -f "$java_dir/jena-cmds.jar" ]; then
  say "skipped Jena: needs java and $java_dir/jena-cmds.jar (apt-get install default-jre-headless libapache-jena-java)"
elif ! jena_setup; then
  say "skipped Jena: could not build its classpath from $java_dir"
else
  add riot "Jena riot --count, parse only"
  add tdb2 "Jena tdb2.tdbloader (phased), disk"
  add tdb2-parallel "Jena tdb2.tdbloader --loader=parallel, disk"
  if unzip -l "$java_dir/jena-cmds.jar" tdb/tdbloader.class > /dev/null 2>&1; then
    add tdb1 "Jena TDB1 tdbloader, disk"
  else
    say "skipped TDB1: no tdb/tdbloader.class in $java_dir/jena-cmds.jar"
  fi
fi
if command -v virtuoso-t > /dev/null 2>&1 && command -v isql-vt > /dev/null 2>&1 &&
   [ -f /etc/virtuoso-opensource-7/virtuoso.ini ]; then
  add virtuoso "Virtuoso $(virtuoso-t -? 2>&1 | awk '/^Version/ { print $2 }') rdf_loader_run + checkpoint, disk"
else
  say "skipped Virtuoso: needs virtuoso-t, isql-vt and /etc/virtuoso-opensource-7/virtuoso.ini (apt-get install virtuoso-opensource)"
fi
[ ${#loaders[@]} -gt 0 ] || die "no loader available"

# --- the runs, in turn ----------------------------------------------------------------------
say "$file ($(du -h "$file" | cut -f1)), $runs runs of: ${loaders[*]}"
say "cores: $(nproc); before: $(uptime)"
failed=0
for run in $(seq "$runs"); do
  for l in "${loaders[@]}"; do
    rm -rf "$db"
    if "run_${l//-/_}"; then
      say "run $run $l: ${wall}s, $(tail -n 1 "$work/$l.runs" | cut -d' ' -f1) triples"
    else
      failed=$((failed + 1))
      echo "x" >> "$work/$l.failed"
    fi
    rm -rf "$db"
  done
done
say "after: $(uptime)"

# --- the table ----------------------------------------------------------------------------
median() { sort -n | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
row() {
  local l=$1 f=$work/$1.runs triples wall rss cpu walls
  if [ ! -s "$f" ]; then
    printf '| %s | failed | | | | | | |\n' "${store[$l]}"
    return
  fi
  triples=$(awk 'END { print $1 }' "$f")
  wall=$(cut -d' ' -f2 "$f" | median)
  rss=$(cut -d' ' -f3 "$f" | sort -n | tail -n 1)
  cpu=$(cut -d' ' -f4 "$f" | median)
  walls=$(cut -d' ' -f2 "$f" | paste -sd' ')
  [ -s "$work/$l.failed" ] && walls="$walls; $(wc -l < "$work/$l.failed") failed"
  [ "$(cut -d' ' -f1 "$f" | sort -u | wc -l)" = 1 ] || walls="$walls; counts differ: $(cut -d' ' -f1 "$f" | paste -sd' ')"
  awk -v s="${store[$l]}" -v n="$triples" -v w="$wall" -v r="$rss" -v c="$cpu" -v all="$walls" \
    'BEGIN { printf "| %s | %d | %.2f | %.3fM | %d | %.1f | %.2f | %s |\n", s, n, w, n / w / 1e6, r / 1024, c, c / w, all }'
}
echo "| loader | triples | wall s (median) | triples/s | peak RSS MiB | CPU s | cores | walls s |"
echo "|---|---:|---:|---:|---:|---:|---:|---|"
for l in "${loaders[@]}"; do row "$l"; done
echo
echo "$runs runs each, in turn; $(nproc) cores. Virtuoso: the isql call only (ld_dir + rdf_loader_run + checkpoint), server start and stop excluded."
echo "medrd is not in this table: its own load rate is printed by scripts/bench.sh --national ROOT."
[ "$failed" -eq 0 ] || { say "$failed runs failed (see above)"; exit 1; }
