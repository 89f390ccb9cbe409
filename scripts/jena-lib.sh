# shellcheck shell=bash
# Sourced by scripts/jena-test.sh and scripts/load-compare.sh: the classpath of Apache Jena
# 4.5.0 from Debian's packages (libapache-jena-java, jars under /usr/share/java).
#
# The jars have no Class-Path in their manifests: the classpath is Jena's own jars plus the
# jars of the package's Debian dependencies (and theirs: httpcore, jackson-annotations) that
# Jena 4.5.0 uses at run time. slf4j-simple logs to stderr.
#
# Debian's jena-core 4.5.0-2 moved its shaded Xerces classes to the package `xerces.*` but left
# their message bundles under org/apache/jena/ext/xerces/, so XSD datatype set-up fails at
# start-up ("Couldn't load messages: Can't find bundle for base name
# xerces.impl.xpath.regex.message" -> "internal error"). Copies are put where the classes look.

JENA_JARS="jena-base jena-core jena-iri jena-arq jena-rdfconnection jena-shacl jena-shex
  jena-dboe-base jena-dboe-transaction jena-dboe-index jena-dboe-trans-data jena-dboe-storage
  jena-tdb jena-tdb2 jena-cmds
  commons-cli commons-codec commons-compress commons-csv commons-io commons-lang3
  dexx.collection gson guava httpclient httpclient-cache httpcore
  jackson-core jackson-databind jackson-annotations jsonld-java jakarta.json-api titanium-json-ld
  protobuf thrift slf4j-api slf4j-simple jcl-over-slf4j jul-to-slf4j"

# jena_classpath WORK [JAVA_DIR]: prints the classpath, the Xerces bundles copied under
# WORK/res; returns 1, saying why on stderr, when a jar is missing or unreadable.
jena_classpath() {
  local work=$1 java_dir=${2:-/usr/share/java} cp j
  mkdir -p "$work/res/x" "$work/res/cp" || return 1
  if command -v unzip >/dev/null 2>&1; then
    unzip -q -o "$java_dir/jena-core.jar" 'org/apache/jena/ext/xerces/*' -d "$work/res/x"
  else
    (cd "$work/res/x" && jar xf "$java_dir/jena-core.jar" org/apache/jena/ext/xerces)
  fi || { echo "could not read $java_dir/jena-core.jar" >&2; return 1; }
  cp -r "$work/res/x/org/apache/jena/ext/xerces" "$work/res/cp/xerces" ||
    { echo "no Xerces bundles in $java_dir/jena-core.jar" >&2; return 1; }
  cp="$work/res/cp"
  for j in $JENA_JARS; do
    [ -f "$java_dir/$j.jar" ] ||
      { echo "missing $java_dir/$j.jar (is libapache-jena-java fully installed?)" >&2; return 1; }
    cp="$cp:$java_dir/$j.jar"
  done
  printf '%s\n' "$cp"
}
