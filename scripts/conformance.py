#!/usr/bin/env python3
"""The standards our users' tools check, checked with their tools (issue 24), run by CI:

1. DCAT-AP 3.0.1: `medrd export --dcat` (dist/catalog.ttl) against SEMIC's SHACL shapes
   (tests/shacl/dcat-ap-3.0.1/) with pySHACL: no violation; the recommended shapes' warnings
   are counted, not failed.
2. Our own shapes (queries/shapes/*.ttl), which `medrd validate` runs with its own evaluator:
   pySHACL on the whole export finds no violation either, and on the export with the stray
   triples of tests/shacl/strays.ttl it finds the same (shape, focus node, path) as
   `medrd --with tests/shacl/strays.ttl validate` — two engines, one answer.

Usage: scripts/conformance.py [MEDRD]   (default target/debug/medrd). Exits 1 when a check
fails, 2 when it cannot run.
"""

import collections
import pathlib
import subprocess
import sys

import pyshacl
import rdflib

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHAPES = ROOT / "tests" / "shacl" / "dcat-ap-3.0.1"
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


def medrd(binary, *args):
    """Runs medrd in the project root and returns its stdout; stops the script on failure."""
    run = subprocess.run([binary, *args], cwd=ROOT, capture_output=True, text=True)
    if run.returncode != 0:
        print(f"conformance: medrd {' '.join(args)} exited {run.returncode}: {run.stderr}",
              file=sys.stderr)
        sys.exit(2)
    return run.stdout


def shacl(data, shape_files, folder=SHAPES):
    """pySHACL's results as {(severity, path, message, focus): count}."""
    shapes = rdflib.Graph()
    for f in shape_files:
        shapes.parse(folder / f, format="turtle")
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                    allow_warnings=True)
    results = collections.Counter()
    for r in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        severity = report.value(r, SH.resultSeverity).split("#")[-1]
        results[(severity, str(report.value(r, SH.resultPath)),
                 str(report.value(r, SH.resultMessage)),
                 str(report.value(r, SH.focusNode)))] += 1
    return results


def dcat_ap(binary):
    """DCAT-AP 3.0.1 on the catalogue: every shape set without a violation."""
    catalog = rdflib.Graph().parse(data=medrd(binary, "export", "--dcat"), format="turtle")
    failed = False
    for name, files in [
        ("dcat-ap-SHACL.ttl (release shapes)", ["dcat-ap-SHACL.ttl"]),
        ("shapes.ttl (core constraints)", ["shapes.ttl"]),
        ("shapes.ttl + range.ttl (value classes)", ["shapes.ttl", "range.ttl"]),
    ]:
        results = shacl(catalog, files)
        violations = {k: n for k, n in results.items() if k[0] == "Violation"}
        if violations:
            failed = True
            print(f"  FAIL  DCAT-AP 3.0.1 {name}: {sum(violations.values())} violations")
            for (_, path, message, focus), n in sorted(violations.items()):
                print(f"          {focus} {path}: {message} (x{n})")
        else:
            print(f"  ok    DCAT-AP 3.0.1 {name}: 0 violations ({len(catalog)} triples)")
    warnings = shacl(catalog, ["shapes_recommended.ttl"])
    print(f"  info  DCAT-AP 3.0.1 recommended properties: {sum(warnings.values())} warnings")
    return failed


OWN_SHAPES = ROOT / "queries" / "shapes"
STRAYS = ROOT / "tests" / "shacl" / "strays.ttl"


def own_shapes(binary):
    """Our shapes by pySHACL on the export (0 violations), and with strays the same findings
    as medrd validate's."""
    files = sorted(p.name for p in OWN_SHAPES.glob("*.ttl"))
    data = rdflib.Graph().parse(data=medrd(binary, "export", "--format", "ntriples"),
                                format="nt")
    found = {k for k in shacl(data, files, OWN_SHAPES) if k[0] == "Violation"}
    failed = bool(found)
    print(f"  {'FAIL' if found else 'ok  '}  our shapes ({', '.join(files)}) by pySHACL: "
          f"{len(found)} violations ({len(data)} triples)")
    data.parse(STRAYS, format="turtle")
    theirs = {(k[3], k[1]) for k in shacl(data, files, OWN_SHAPES) if k[0] == "Violation"}
    run = subprocess.run([binary, "--with", str(STRAYS), "validate"], cwd=ROOT,
                         capture_output=True, text=True)
    ours = set()
    for line in run.stdout.splitlines():
        if line.startswith("shape-"):
            focus, path = line.split(": ", 1)[1].split(" ")[:2]
            ours.add((focus.strip("<>"), path.rstrip(":").strip("<>")))
    if ours == theirs and ours:
        print(f"  ok    our shapes with {STRAYS.name}: medrd and pySHACL find the same "
              f"{len(ours)} (focus, path) pairs")
    else:
        failed = True
        print(f"  FAIL  our shapes with {STRAYS.name}: medrd only {sorted(ours - theirs)}, "
              f"pySHACL only {sorted(theirs - ours)}")
    return failed


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "target" / "debug" / "medrd")
    if not pathlib.Path(binary).exists():
        print(f"conformance: no medrd binary at {binary}", file=sys.stderr)
        return 2
    failed = dcat_ap(binary)
    failed = own_shapes(binary) or failed
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
