#!/usr/bin/env python3
"""Where the CPU of one `medrd build` went, by owner, from `perf script` on stdin.

scripts/profile-build.sh records the build and pipes its samples here. Each sample's call
stack is given to the first owner below whose marks it holds (the order matters: the
planner's counts run inside queries, a query inside a check or a diagram). Prints the
owners' CPU in ms (samples / frequency), the share of samples whose innermost frame is
Oxigraph's in-memory store itself, and how many cores were busy in each 50 ms of the run.
"""
import argparse
import collections
import re
import sys

# (owner, marks): a sample is the first owner's whose mark is a substring of a frame.
OWNERS = [
    ("planner counts (a SPARQL count per predicate and class)", ["StoreStatistics"]),
    ("load: import, link, insert, rules", ["Kb::load", "our_parts_into", "linked_sources"]),
    ("exports: read back and sort the quads", ["Sorted::of"]),
    ("exports: write six syntaxes and the catalogue", ["Sorted::write", "write_dcat"]),
    ("checks: SHACL shapes", ["validate::shacl"]),
    ("checks: SPARQL", ["validate::"]),
    ("diagrams and charts: their queries", ["diagram::", "timeline::"]),
    ("named queries to CSV (and memo)", ["spareval::", "Kb::query", "Table::collect"]),
    ("diagrams and charts: drawing", ["diagram::", "timeline::"]),
    ("writing files, comparing with the earlier build", ["fence::", "write_results"]),
]
# The SPARQL owners above need a query frame as well as their own mark.
NEEDS_QUERY = {"checks: SPARQL", "diagrams and charts: their queries"}
QUERY = ("spareval::", "Kb::query", "Table::collect", "evaluate_with")
STORE = re.compile(r"oxigraph::storage|dashmap|numeric_encoder|EncodedTerm|StrHash")


def samples(lines):
    """(time in s, command, frames innermost first) of each sample of `perf script`."""
    head, frames = None, []
    for line in lines:
        if not line.strip():
            if head:
                yield head[0], head[1], frames
            head, frames = None, []
        elif line[0] in " \t":
            parts = line.split(None, 1)
            if len(parts) == 2:
                frames.append(parts[1])
        else:
            time = re.search(r"(\d+\.\d+):", line)
            head = (float(time.group(1)) if time else 0.0, line.split()[0])
    if head:
        yield head[0], head[1], frames


def owner(frames):
    text = "\n".join(frames)
    query = any(q in text for q in QUERY)
    for name, marks in OWNERS:
        if any(m in text for m in marks) and (name not in NEEDS_QUERY or query):
            return name
    return "other (start, exit, threads, kernel)"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--freq", type=float, required=True, help="perf's sampling frequency, Hz")
    args = ap.parse_args()
    if not args.freq > 0:
        ap.error("--freq must be above 0")
    owners, times = collections.Counter(), []
    store = 0
    for time, _command, frames in samples(sys.stdin):
        times.append(time)
        owners[owner(frames)] += 1
        store += bool(frames) and bool(STORE.search(frames[0]))
    total = len(times)
    if total == 0:
        print("profile_build.py: no samples on stdin (did perf record run?)", file=sys.stderr)
        sys.exit(2)
    first = min(times)
    busy = collections.Counter(int((t - first) / 0.05) for t in times)
    ms = 1000 / args.freq
    print(f"{total} samples, {total * ms:.0f} ms of CPU")
    for name, n in owners.most_common():
        print(f"{n * ms:7.0f} ms  {100 * n / total:3.0f} %  {name}")
    print(f"{100 * store / total:.0f} % of the samples end in Oxigraph's in-memory store")
    print("cores busy, each 50 ms from the first sample:")
    print(" ".join(f"{busy[k] * ms / 50:.1f}" for k in range(max(busy) + 1)))


if __name__ == "__main__":
    main()
