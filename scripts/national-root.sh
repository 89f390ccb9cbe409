#!/usr/bin/env bash
# Makes the national scratch root of docs/scale.md ("National scale"): this checkout's
# ontology/, queries/ and data/, with the committed RS subsets (data/rs-2024, data/rs-2025)
# replaced by the full national exports that scripts/rs-fixtures.py --full writes from
# igomuni/marumie-rssystem's public/data/ (MIT; rs202{4,5}-project-details.json.gz and
# sankey-svg-202{4,5}-graph.json.gz, fetched by hand: this script reads no network).
# With --refresh, only copies this checkout's ontology/ and queries/ over an existing root
# (scripts/bench.sh --national refuses a root whose copies differ: it would measure the old
# queries). The national files are for measurement only, never committed.
#
# Usage: scripts/national-root.sh --src MARUMIE_PUBLIC_DATA ROOT
#        scripts/national-root.sh --refresh ROOT
set -euo pipefail
cd "$(dirname "$0")/.."
usage() { echo "usage: $0 --src DIR ROOT | --refresh ROOT" >&2; exit 2; }
[ $# -eq 2 ] || [ $# -eq 3 ] || usage
refresh() {
  rm -rf "$1/queries" "$1/ontology"
  cp -r queries ontology "$1/"
}
if [ "$1" = "--refresh" ]; then
  [ $# -eq 2 ] && [ -d "$2/data" ] || usage
  # The root's copies are deleted before this checkout's are copied: never this checkout's
  # own (a root that is the checkout, by any path or link, would lose them).
  if [ "$(realpath "$2")" = "$(realpath .)" ]; then
    echo "$0: $2 is this checkout, not a scratch root" >&2
    exit 2
  fi
  refresh "$2"
  echo "refreshed $2/queries and $2/ontology" >&2
  exit 0
fi
[ "$1" = "--src" ] && [ $# -eq 3 ] || usage
src=$2 root=$3
[ -e "$root" ] && { echo "$0: $root exists: remove it, or --refresh it" >&2; exit 2; }
full=$(mktemp -d)
trap 'rm -rf "$full"' EXIT
python3 scripts/rs-fixtures.py --src "$src" --full "$full"
mkdir -p "$root/data"
refresh "$root"
for d in data/*; do
  case "$(basename "$d")" in
    rs-2024|rs-2025) ;;
    *) cp -r "$d" "$root/data/" ;;
  esac
done
for y in 2024 2025; do
  mkdir "$root/data/rs-$y"
  cp "data/rs-$y/source.toml" "$root/data/rs-$y/"
  cp "$full"/*_RS_"${y}"_*.zip "$root/data/rs-$y/"
done
echo "made $root: the national RS exports of 2024 and 2025 in place of the subsets" >&2
