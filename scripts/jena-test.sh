#!/usr/bin/env bash
# Checks every named query against Apache Jena's SPARQL engine (ARQ, the engine inside Fuseki)
# without Fuseki's jar, which cannot be fetched where Maven Central is unreachable: it uses
# Jena 4.5.0 from Debian's packages (libapache-jena-java, installed if missing). It exports our
# quads (`medrd export -f nquads`), loads them into a throwaway TDB2 database (tdb2.tdbloader)
# and runs each named query with tdb2.tdbquery --set tdb:unionDefaultGraph=true, the union
# default graph a Fuseki + TDB2 user gets and our queries expect. Each query's CSV must give
# the same rows, in the same order, as `medrd query NAME --format csv` on the embedded store.
# One JVM per query (about half a second each; the whole run about 15 s), each bounded by a
# timeout; the database is removed on exit.
#
# Usage: scripts/jena-test.sh [path/to/medrd]
# env: JENA_QUERIES (named queries to compare, default all of `medrd queries`),
#      JENA_WITH (a file or directory given as `--with` to both sides, e.g. the linkset and RS
#      graph of `medrd link rs`, so that the rs-* queries have rows to compare),
#      JENA_TIMEOUT (seconds per JVM call, default 120), JENA_KEEP=1 (keep the temp dir, print it)
# Prints `ok NAME` / `FAIL NAME` (with the first lines of the diff, < medrd, > Jena), then
# `N passed, M failed`; exits 1 if any query differs, 2 if the set-up fails.
set -euo pipefail
medrd=$(realpath -m "${1:-$(dirname "$0")/../target/debug/medrd}")
cd "$(dirname "$0")/.."
jvm_timeout=${JENA_TIMEOUT:-120}
java_dir=/usr/share/java
with=()
[ -n "${JENA_WITH:-}" ] && with=(--with "$JENA_WITH")

die() { echo "jena-test: $*" >&2; exit 2; }

[ -x "$medrd" ] || die "no medrd binary at $medrd (build it, or give its path as \$1)"
need=()
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
[ -f "$java_dir/jena-cmds.jar" ] || need+=(libapache-jena-java)
command -v unzip >/dev/null 2>&1 || need+=(unzip)
if [ ${#need[@]} -gt 0 ]; then
  { apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; } ||
    die "could not install ${need[*]}"
fi

dir=$(mktemp -d)
if [ "${JENA_KEEP:-}" = 1 ]; then
  trap 'echo "jena-test: kept $dir" >&2' EXIT
else
  trap 'rm -rf "$dir"' EXIT
fi

. scripts/jena-lib.sh
cp=$(jena_classpath "$dir" "$java_dir") || die "could not build Jena's classpath"
jena() {
  timeout "$jvm_timeout" java -Xmx1g -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" "$@"
}

timeout 120 "$medrd" "${with[@]}" export -f nquads -o "$dir/all.nq" 2> "$dir/export.err" ||
  { cat "$dir/export.err" >&2; die "medrd export failed"; }
jena tdb2.tdbloader --loc "$dir/tdb" "$dir/all.nq" > "$dir/load.log" 2>&1 ||
  { tail -20 "$dir/load.log" >&2; die "tdb2.tdbloader failed"; }

queries=${JENA_QUERIES:-$("$medrd" queries | awk '{print $1}')} || die "medrd queries failed"
[ -n "$queries" ] || die "no named queries"

passed=0
failed=0
for q in $queries; do
  rq=queries/$q.rq
  if ! "$medrd" "${with[@]}" query "$q" --format csv > "$dir/$q.medrd.csv" 2> "$dir/$q.medrd.err"; then
    echo "FAIL $q: the embedded store gives no answer ($(head -c 300 "$dir/$q.medrd.err"))"
    failed=$((failed + 1))
    continue
  fi
  if [ ! -f "$rq" ] || ! jena tdb2.tdbquery --loc "$dir/tdb" --set tdb:unionDefaultGraph=true \
       --results CSV --query "$rq" > "$dir/$q.jena.csv" 2> "$dir/$q.jena.err"; then
    echo "FAIL $q: Jena gives no answer ($(head -c 300 "$dir/$q.jena.err" 2>/dev/null || echo "no $rq"))"
    failed=$((failed + 1))
    continue
  fi
  # Two normalisations, both of how a value is written, never of which value: line ends
  # (SPARQL CSV uses CRLF; strip the CR of both sides in case one writer does not), and a
  # whole number computed as xsd:decimal, which Jena 4.5 writes in the XSD 1.0 canonical
  # form `1390.0` and oxigraph in the XSD 1.1 one `1390` (a CSV cell keeps no datatype, so a
  # string "1390.0" would be rewritten too; no query returns such a string). Literals, row
  # counts and order must match exactly.
  whole='s/\r$//; :a; s/(^|,)(-?[0-9]+)\.0(,|$)/\1\2\3/; ta'
  sed -E "$whole" "$dir/$q.medrd.csv" > "$dir/$q.medrd.lf"
  sed -E "$whole" "$dir/$q.jena.csv" > "$dir/$q.jena.lf"
  if cmp -s "$dir/$q.medrd.lf" "$dir/$q.jena.lf"; then
    echo "ok $q ($(($(wc -l < "$dir/$q.medrd.lf") - 1)) rows)"
    passed=$((passed + 1))
  else
    echo "FAIL $q: $(($(wc -l < "$dir/$q.medrd.lf") - 1)) rows from medrd (<), $(($(wc -l < "$dir/$q.jena.lf") - 1)) from Jena (>)"
    diff "$dir/$q.medrd.lf" "$dir/$q.jena.lf" | head -20 || true
    [ -s "$dir/$q.jena.err" ] && head -5 "$dir/$q.jena.err"
    # A hint only (the query still fails):
    if cmp -s <(sort "$dir/$q.medrd.lf") <(sort "$dir/$q.jena.lf"); then
      echo "  (the same rows in another order: ties in ORDER BY?)"
    fi
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] || exit 1
