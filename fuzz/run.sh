#!/usr/bin/env bash
# A time-boxed fuzz run of both targets (issue 19), seeded with the project's own SPARQL
# (queries/**/*.rq) and RDF (ontology/, the exports of tests/expected), with a dictionary of
# SPARQL tokens. Needs nightly Rust and cargo-fuzz (`cargo install cargo-fuzz`).
#
#   fuzz/run.sh [SECONDS_PER_TARGET]     # default 600
#
# Findings land in fuzz/artifacts/TARGET/ (crash-*, oom-*, timeout-*); the corpus grows in
# fuzz/corpus/TARGET/. Both are ignored by git: keep a finding by turning it into a test.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-600}
mkdir -p corpus/sparql corpus/rdf
find ../queries -name '*.rq' -exec cp {} corpus/sparql/ \;
i=0
for f in ../ontology/*.ttl; do
  # The first byte picks the syntax: 0 Turtle.
  { printf '\000'; cat "$f"; } >"corpus/rdf/seed-ttl-$i"
  i=$((i + 1))
done
printf '\004<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "b">]><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="http://x/s"><rdf:value>&a;</rdf:value></rdf:Description></rdf:RDF>' >corpus/rdf/seed-xml
printf '\006{"@context":{"p":{"@id":"http://x/p","@context":{"q":"http://x/q"}}},"@id":"http://x/s","p":{"q":[1,{"@list":[2]}]}}' >corpus/rdf/seed-jsonld
# Deep and wide shapes at the bounds of src/query/bounds.rs (128 levels, 4,096 operators) and
# past them, for the fuzzer to mutate around the limits.
python3 - corpus/sparql <<'PY'
import sys
d = sys.argv[1]
seeds = {
    "deep-braces": "SELECT * WHERE " + "{ " * 127 + "?s ?p ?o " + "} " * 127,
    "deep-braces-over": "SELECT * WHERE " + "{ " * 129 + "} " * 129,
    "deep-parens": "SELECT * WHERE { FILTER(" + "(" * 126 + "1" + ")" * 126 + ") }",
    "deep-concat": "SELECT (" + "CONCAT(" * 120 + '"a"' + ")" * 120 + " AS ?x) {}",
    "wide-union": "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 1000) + " }",
    "long-path": "ASK { ?s " + "/".join(["<http://example.org/next>"] * 1000) + " ?o }",
    "negated-path": "ASK { ?s " + "!" * 100 + "<http://x/p> ?o }",
    "closure": "ASK { ?s (!<http://x/p>|^!<http://x/p>)* ?o FILTER(?s = <http://nothing>) }",
}
for name, text in seeds.items():
    open(f"{d}/seed-{name}.rq", "w").write(text)
PY
for target in sparql rdf; do
  dict=()
  [ "$target" = sparql ] && dict=(-dict=sparql.dict)
  cargo +nightly fuzz run "$target" "corpus/$target" -- \
    -max_total_time="$secs" -rss_limit_mb=4096 -timeout=10 -max_len=65536 "${dict[@]}"
done
