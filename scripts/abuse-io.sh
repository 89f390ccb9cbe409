#!/usr/bin/env bash
# Hostile files and paths for the commands that read and write files (issue 19, items 3, 4
# and the low ones): every writer refuses the inputs, what is inside them and what holds
# them, and never writes through a link; inputs that are not regular files are named for
# what they are; RDF files may not expand entities or nest without bound, and an over-long
# token is named by its line; RS ZIPs stream (memory stays under what they inflate to), rows before the
# header and impossible amounts are errors; draft reads Shift_JIS, escapes names, numbers
# projects within 255, keeps memory in proportion to the text, and its folder placed in
# data/ says what it needs; no name from input reaches the terminal raw. Runs in a
# throwaway copy of the project; prints each outcome; exits 1 on any failed check.
#
#   scripts/abuse-io.sh [MEDRD]     # default target/debug/medrd (what `cargo test` built)
#
# Bounded: each run has a time limit (20 s unless said) and an address-space limit of
# 6 GiB, so a medrd that reads /dev/zero or copies a line per amount stops, not the machine.
set -uo pipefail
cd "$(dirname "$0")/.."
here=$(pwd)
MEDRD=${1:-target/debug/medrd}
MEDRD=$(cd "$(dirname "$MEDRD")" && pwd)/$(basename "$MEDRD")
[ -x "$MEDRD" ] || { echo "abuse-io: no medrd binary at $MEDRD (build it first)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "abuse-io: python3 is missing" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "abuse-io: GNU time (/usr/bin/time) is missing" >&2; exit 2; }
# The inflated size of the RS ZIP of Shift_JIS rows (MiB); peak memory may grow by at most
# this over what medrd holds at start (the base took 4.6 times it).
ZIP_MIB=${ZIP_MIB:-24}
# The one line of `1億円 ` given to draft (MiB).
LINE_MIB=${LINE_MIB:-4}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/medrd-abuse-io.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0
pass() { echo "  ok    $*"; }
fail() { echo "  FAIL  $*"; failures=$((failures + 1)); }

proj=$tmp/proj
mkdir -p "$proj"
cp -a "$here/ontology" "$here/data" "$here/queries" "$proj/"
text=$proj/data/fy2024-request/fy2024-medical-rd-budget-request.ja.txt
snapshot() { (cd "$proj" && find ontology data queries -type f -print0 | sort -z | xargs -0 sha1sum); }
snapshot >"$tmp/inputs.sha1"
inputs_kept() { snapshot 2>/dev/null | cmp -s - "$tmp/inputs.sha1"; }

# run SECS ARGS…: medrd --root $proj ARGS in $proj, time- and memory-limited; sets CODE and
# leaves stderr in $tmp/err, stdout in $tmp/out, peak RSS (KiB) in $tmp/rss.
run() {
  local secs=$1
  shift
  (cd "$proj" && env -u MEDRD_ROOT -u MEDRD_STORE -u MEDRD_ENDPOINT \
    /usr/bin/time -f '%M' -o "$tmp/rss" timeout -k 5 "$secs" prlimit --as=$((6 << 30)) \
    "$MEDRD" --root "$proj" "$@" >"$tmp/out" 2>"$tmp/err")
  CODE=$?
}
said() { tail -n 1 "$tmp/err" | cut -c1-220; }

# refused LABEL WORDS ARGS…: exit 2, a message holding WORDS, and not one input changed.
refused() {
  local label=$1 words=$2
  shift 2
  run 120 "$@"
  if [ "$CODE" = 2 ] && grep -q -- "$words" "$tmp/err" && inputs_kept; then
    pass "$label: exit 2, $(said)"
  else
    fail "$label: exit $CODE, inputs $(inputs_kept && echo kept || echo CHANGED): $(said)"
    # Put the copy back for the next checks.
    rm -rf "$proj/data" "$proj/queries" "$proj/ontology"
    cp -a "$here/ontology" "$here/data" "$here/queries" "$proj/"
  fi
}

echo "== writers never touch their inputs (after links), whatever --force says"
ln -s data/fy2024-request "$proj/to-source"
ln -s data/fy2024-request/programs.toml "$proj/to-programs"
cp "$proj/data/rs-2024/2-1_RS_2024_予算・執行_サマリ.zip" "$tmp/rs.zip"
refused "build -o data/fy2024-request --force" "which the build reads" build -o data/fy2024-request --force
refused "build -o data/rs-2024 --force" "which the build reads" build -o data/rs-2024 --force
refused "build -o data/fy2024-request/projects --force" "inside" build -o data/fy2024-request/projects --force
refused "build -o queries/explorer --force" "inside" build -o queries/explorer --force
refused "build -o a link to data/fy2024-request --force" "which the build reads" build -o to-source --force
refused "export -o an input --force" "refusing" export -o data/fy2024-request/programs.toml --force
refused "export -o a link to an input --force" "refusing" export -o to-programs --force
refused "export -o /proc/self/cwd/<an input>" "refusing" export -o /proc/self/cwd/data/fy2024-request/overview.toml
refused "export --dcat -o queries/new.rq" "refusing" export --dcat -o queries/new.rq
refused "export --csv data/fy2024-request --force" "refusing" export --csv data/fy2024-request --force
refused "diagram overview -o ontology/x.dot" "refusing" diagram overview -o ontology/x.dot
refused "link ids -o data/identifiers.toml --force" "refusing" link ids -o data/identifiers.toml --force
refused "link rs data/rs-2024/… --report data/report.csv" "refusing" link rs "data/rs-2024/2-1_RS_2024_予算・執行_サマリ.zip" --report data/report.csv
refused "draft -o data/new-source" "refusing" draft "$text" -o data/new-source
sum=$(sha1sum <"$tmp/rs.zip")
run 120 link rs "$tmp/rs.zip" -o "$tmp/rs.zip" --force
if [ "$CODE" = 2 ] && grep -q refusing "$tmp/err" && [ "$(sha1sum <"$tmp/rs.zip")" = "$sum" ]; then
  pass "link rs X.zip -o X.zip --force: exit 2, the ZIP kept"
else
  fail "link rs X.zip -o X.zip --force: exit $CODE, $(said)"
fi
cp "$here/data/rs-2024/2-1_RS_2024_予算・執行_サマリ.zip" "$tmp/rs.zip"
echo "<x:a> <x:b> <x:c> ." >"$tmp/extra.nt"
run 120 --with "$tmp/extra.nt" bench gen --programs 1 -o "$tmp/extra.nt" --force
if [ "$CODE" = 2 ] && grep -q refusing "$tmp/err" && grep -q '<x:a>' "$tmp/extra.nt"; then
  pass "--with F bench gen -o F --force: exit 2, F kept"
else
  fail "--with F bench gen -o F --force: exit $CODE, $(said)"
fi
# A link left inside the --csv directory is replaced by the table, never written through.
mkdir -p "$tmp/tables"
echo "the user's own" >"$tmp/victim.txt"
ln -s "$tmp/victim.txt" "$tmp/tables/programs.csv"
run 120 export --csv "$tmp/tables" --force
if [ "$CODE" = 0 ] && [ "$(cat "$tmp/victim.txt")" = "the user's own" ] && [ ! -L "$tmp/tables/programs.csv" ] \
  && head -n 1 "$tmp/tables/programs.csv" | grep -q '^program,'; then
  pass "export --csv DIR --force with DIR/programs.csv a link outside: the link replaced, its target kept"
else
  fail "export --csv DIR --force through a link: exit $CODE, victim now: $(head -c 60 "$tmp/victim.txt" | tr "\n" " "), $(said)"
fi

echo "== inputs that are not regular files are named, never read or waited on"
mkfifo "$tmp/fifo.csv" "$tmp/fifo.ttl" "$tmp/fifo.txt"
ln -s loop.ttl "$tmp/loop.ttl"
errs() { # label, words, args…: exit 2 within 20 s, a message holding words
  local label=$1 words=$2
  shift 2
  run 20 "$@"
  if [ "$CODE" = 2 ] && grep -qi -- "$words" "$tmp/err"; then
    pass "$label: exit 2, $(said)"
  else
    fail "$label: exit $CODE, $(said)"
  fi
}
errs "link rs FIFO" "named pipe" link rs "$tmp/fifo.csv"
errs "link rs /dev/zero" "device" link rs /dev/zero
errs "--with FIFO" "named pipe" --with "$tmp/fifo.ttl" stats
errs "--with a link loop" "link loop" --with "$tmp/loop.ttl" stats
errs "draft FIFO" "named pipe" draft "$tmp/fifo.txt" -o "$tmp/d-fifo"
errs "draft /dev/zero" "device" draft /dev/zero -o "$tmp/d-zero"

echo "== RDF of --with: entity expansion, JSON nesting and over-long tokens refused, with their line"
python3 - "$tmp" <<'PY'
import sys
tmp = sys.argv[1]
# 850 bytes, 8 levels of entities that expand 10 times each: 862 MiB before the bound.
doc = '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n<!ENTITY a0 "aaaaaaaaaa">\n'
for i in range(1, 9):
    doc += f'<!ENTITY a{i} "{("&a%d;" % (i - 1)) * 10}">\n'
doc += ']>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="http://x/s"><rdf:value>&a8;</rdf:value></rdf:Description></rdf:RDF>\n'
open(f"{tmp}/laughs.rdf", "w").write(doc)
n = 60000  # 60,000 nested node objects took 6.4 GB and two minutes
open(f"{tmp}/deep.jsonld", "w").write('{"@id":"http://x/s","http://x/p":' * n + '"v"' + "}" * n)
open(f"{tmp}/long.ttl", "w").write('<http://x/s> <http://x/p> "a" .\n<http://x/s> <http://x/p> "' + "x" * (17 << 20) + '" .\n')
PY
errs "--with RDF/XML of 8 entity levels" "laughs.rdf: line 8: the XML entities" --with "$tmp/laughs.rdf" stats
errs "--with JSON-LD of 60,000 nested objects" "deep.jsonld: line 1: the JSON nests deeper" --with "$tmp/deep.jsonld" stats
errs "--with a 17 MiB literal" "long.ttl: line 2: a literal or IRI longer than 16 MiB" --with "$tmp/long.ttl" stats

echo "== RS files: streamed, rows before the header and impossible amounts refused, names escaped"
python3 - "$tmp" "$ZIP_MIB" <<'PY'
import sys, zipfile
tmp, mib = sys.argv[1], int(sys.argv[2])
header = "事業年度,予算事業ID,事業名,府省庁\n"
row = "2024,1,認知症研究開発事業,内閣府\n"
def bomb(name, enc, before):
    with zipfile.ZipFile(f"{tmp}/{name}.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        with z.open("1-2_RS_2024_基本情報_事業概要等.csv", "w", force_zip64=True) as f:
            h, r = header.encode(enc), row.encode(enc)
            if not before:
                f.write(h)
            chunk, n = r * ((1 << 20) // len(r)), 0
            while n < mib << 20:
                f.write(chunk)
                n += len(chunk)
            if before:
                f.write(h)
bomb("sjis-rows", "cp932", False)
bomb("rows-before-header", "cp932", True)
with zipfile.ZipFile(f"{tmp}/escape.zip", "w") as z:
    z.writestr("a\x1b[2J\x1b]0;pwned\x07b.csv", "no header here\n")
budget = "予算事業ID,事業名,府省庁,予算年度,当初予算（合計）\n"
for name, cell in (("inf", "inf"), ("nan", "NaN"), ("e400", "1e400")):
    open(f"{tmp}/amount-{name}.csv", "w").write(budget + f"1,x,内閣府,2024,100\n1,x,内閣府,2024,{cell}\n")
big = "9,000,000,000,000,000,000"
open(f"{tmp}/amount-sum.csv", "w").write(budget + f'1,x,内閣府,2024,"{big}"\n1,x,内閣府,2024,"{big}"\n')
good = (budget + "1,認知症研究開発事業,厚生労働省,2024,100\n" * 3).encode()
bad = bytearray(good)
bad[len(budget.encode()) + 4] = 0xFF  # in 認 of line 2
open(f"{tmp}/utf8-bad-byte.csv", "wb").write(bytes(bad))
PY
run 120 link rs "$tmp/amount-inf.csv"   # what medrd holds at start, with one small file
base_kib=$(tail -n 1 "$tmp/rss")
run 600 link rs "$tmp/sjis-rows.zip"
over=$(( ($(tail -n 1 "$tmp/rss") - base_kib) / 1024 ))
if [ "$CODE" = 0 ] && [ "$over" -le "$ZIP_MIB" ]; then
  pass "a ZIP of $ZIP_MIB MiB of Shift_JIS rows: exit 0, peak RSS $over MiB over the start (bound: $ZIP_MIB)"
else
  fail "a ZIP of $ZIP_MIB MiB of Shift_JIS rows: exit $CODE, peak RSS $over MiB over the start (bound: $ZIP_MIB): $(said)"
fi
errs "$ZIP_MIB MiB of rows before the header" "before any header row" link rs "$tmp/rows-before-header.zip"
for a in inf:3 nan:3 e400:3 sum:2; do
  errs "an RS amount ${a%:*}" "amount-${a%:*}.csv:${a#*:}" link rs "$tmp/amount-${a%:*}.csv"
done
errs "a UTF-8 CSV with one bad byte" "line 2\|:2: column" link rs "$tmp/utf8-bad-byte.csv"
if grep -q 'not UTF-8' "$tmp/err"; then pass "… and it says so: $(said)"; else fail "… not said: $(said)"; fi
run 20 link rs "$tmp/escape.zip"
if [ "$CODE" = 2 ] && ! grep -q $'\x1b\|\x07' "$tmp/err" && grep -q 'x1b' "$tmp/err"; then
  pass "a ZIP entry named with escape codes: exit 2, printed escaped: $(said)"
else
  fail "a ZIP entry named with escape codes: exit $CODE, raw control codes on stderr: $(said | cat -v)"
fi

echo "== draft"
python3 - "$text" "$tmp/sjis.txt" <<'PY'
import sys
# ✓ and a few more have no CP932 code: they become "?", the rest is the FY2024 text.
open(sys.argv[2], "wb").write(open(sys.argv[1], encoding="utf-8").read().encode("cp932", "replace"))
PY
run 60 draft "$tmp/sjis.txt" -o "$tmp/d-sjis"
if [ "$CODE" = 0 ] && grep -q 'Shift_JIS' "$tmp/err" && grep -q ': 6 projects' "$tmp/err"; then
  pass "draft of a Shift_JIS text: exit 0, $(grep -m1 Shift_JIS "$tmp/err" | cut -c1-120)"
else
  fail "draft of a Shift_JIS text: exit $CODE, $(said)"
fi
nl="$tmp/a"$'\n'"b.txt"
cp "$text" "$nl"
run 60 draft "$nl" -o "$tmp/d-newline"
if [ "$CODE" = 0 ] && python3 - "$tmp/d-newline" <<'PY'
import sys, tomllib, pathlib
for p in pathlib.Path(sys.argv[1]).rglob("*.toml"):
    tomllib.loads(p.read_text())
PY
then
  pass "draft of a text whose file name holds a newline: every drafted TOML parses"
else
  fail "draft of a text whose file name holds a newline: exit $CODE, a TOML does not parse: $(said)"
fi
python3 - "$tmp/many.txt" <<'PY'
import sys
lines = ["令和7年度 医療分野の研究開発関連予算 概算要求のポイント", ""]
lines += [f"P{i}プロジェクト 1億円 <AMED 1億円>" for i in range(1, 301)]
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY
run 60 draft "$tmp/many.txt" -o "$tmp/d-many"
if [ "$CODE" = 2 ] && grep -q '256th project' "$tmp/err" && [ ! -e "$tmp/d-many" ]; then
  pass "draft of 300 projects: exit 2, nothing written: $(said)"
else
  fail "draft of 300 projects: exit $CODE, $(ls "$tmp/d-many/projects" 2>/dev/null | wc -l) project files: $(said)"
fi
run 60 draft "$text" -o "$tmp/d-fy2024"
cp -a "$tmp/d-fy2024" "$proj/data/zz-draft"
run 60 stats
if [ "$CODE" = 2 ] && grep -q 'needs_review' "$tmp/err"; then
  pass "a draft folder placed in data/: exit 2 naming what it needs: $(said | cut -c1-160)"
else
  fail "a draft folder placed in data/: exit $CODE, $(said)"
fi
rm -rf "$proj/data/zz-draft"
python3 - "$tmp/line.txt" "$LINE_MIB" <<'PY'
import sys
open(sys.argv[1], "w").write("1億円 " * ((int(sys.argv[2]) << 20) // 8) + "\n")
PY
run 60 draft "$tmp/line.txt" -o "$tmp/d-line"
rss=$(( $(tail -n 1 "$tmp/rss") / 1024 ))
if [ "$CODE" -le 2 ] && [ "$CODE" -ge 0 ] && [ "$rss" -le 256 ]; then
  pass "draft of one $LINE_MIB MiB line of 1億円: exit $CODE, peak RSS $rss MiB (bound 256): $(said | cut -c1-140)"
else
  fail "draft of one $LINE_MIB MiB line of 1億円: exit $CODE, peak RSS $rss MiB (bound 256): $(said)"
fi

inputs_kept || fail "the project's inputs changed during the checks"
echo "abuse-io: $failures failed check(s)"
[ "$failures" -eq 0 ]
