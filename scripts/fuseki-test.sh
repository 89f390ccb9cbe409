#!/usr/bin/env bash
# Checks medrd against a real SPARQL 1.1 server, Apache Jena Fuseki: fetches the Fuseki jar
# from Maven Central (once, into target/fuseki/), starts it on a loopback port with an
# in-memory updatable dataset whose default graph is the union of its graphs
# (scripts/fuseki.ttl), publishes our graphs there (`medrd publish`, Graph Store Protocol),
# compares every named query's rows between the embedded store and Fuseki (program-projects
# must match), runs the (ignored) Rust test that needs MEDRD_FUSEKI_URL, and stops Fuseki. Bounded in time:
# each step has a timeout, Fuseki is killed on exit.
# Usage: scripts/fuseki-test.sh  (env: FUSEKI_JAR to use a jar at hand, FUSEKI_PORT, FUSEKI_VERSION)
set -euo pipefail
cd "$(dirname "$0")/.."
version=${FUSEKI_VERSION:-5.6.0}
port=${FUSEKI_PORT:-3939}
dir=target/fuseki
mkdir -p "$dir"
# The standalone server jar (jena-fuseki-server: jena-fuseki-main with its dependencies).
jar=${FUSEKI_JAR:-$dir/jena-fuseki-server-$version.jar}
if [ ! -s "$jar" ]; then
  echo "fetching jena-fuseki-server $version from Maven Central…" >&2
  timeout 600 mvn -q dependency:copy -Dartifact="org.apache.jena:jena-fuseki-server:$version" \
    -DoutputDirectory="$dir" || { echo "could not fetch Fuseki (is Maven Central reachable?)" >&2; exit 2; }
fi
cargo build --release -q
medrd=target/release/medrd

timeout 900 java -Xmx2g -jar "$jar" --localhost --port "$port" --config scripts/fuseki.ttl \
  > "$dir/fuseki.log" 2>&1 &
fuseki=$!
trap 'kill "$fuseki" 2>/dev/null || true; wait "$fuseki" 2>/dev/null || true' EXIT
url="http://127.0.0.1:$port/ds"
for _ in $(seq 1 60); do
  curl -sf "$url/sparql?query=ASK%7B%7D" >/dev/null 2>&1 && break
  kill -0 "$fuseki" 2>/dev/null || { cat "$dir/fuseki.log" >&2; exit 2; }
  sleep 1
done
curl -sf "$url/sparql?query=ASK%7B%7D" >/dev/null || { echo "Fuseki did not start" >&2; exit 2; }

timeout 120 "$medrd" --endpoint "$url" publish
failed=0
for q in $("$medrd" queries | awk '{print $1}'); do
  "$medrd" query "$q" --format csv > "$dir/embedded-$q.csv"
  if timeout 120 "$medrd" --endpoint "$url/sparql" query "$q" --format csv > "$dir/fuseki-$q.csv" 2> "$dir/fuseki-$q.err" \
     && cmp -s "$dir/embedded-$q.csv" "$dir/fuseki-$q.csv"; then
    echo "same  $q"
  else
    echo "DIFF  $q (see $dir/*-$q.csv, $dir/fuseki-$q.err)"
    [ "$q" = program-projects ] && failed=1
  fi
done
timeout 120 "$medrd" --endpoint "$url/sparql" validate || echo "validate against Fuseki reported failures"
MEDRD_FUSEKI_URL=$url timeout 600 cargo test -q --test main fuseki -- --ignored --nocapture
[ "$failed" = 0 ] && echo "program-projects: the same rows from the embedded store and Fuseki"
exit "$failed"
