#!/usr/bin/env python3
"""Where the CPU of one `medrd build` went, by owner, from `perf script` on stdin.

scripts/profile-build.sh records the build and pipes its samples here. Each sample's call
stack is given to the first owner below whose marks it holds (the order matters: the
planner's counts run inside queries, a query inside a check or a diagram); a sample of
Graphviz (`dot`, `neato`: a fresh build) is Graphviz's. Prints the owners' CPU in ms
(samples / frequency); how many stacks the unwinder cut short (their outer frames lost, so
their owner may be too general); the share of samples whose innermost frame is Oxigraph's
in-memory store itself (a lower bound: inlined and library frames are not counted); and how
many cores were busy in each 50 ms of the run.
"""
import argparse
import collections
import re
import sys

# (owner, marks): a sample is the first owner's whose mark is a substring of a frame.
OWNERS = [
    (
        "planner counts (a SPARQL count per predicate and class)",
        ["StoreStatistics::warm", "StoreStatistics::take_", "StoreStatistics::rows"],
    ),
    # Threads the load and the sort start have none of their starter's frames: their own
    # functions mark them (`ingest::`, `frozen::Builder`, `order::`).
    (
        "load: import, link, the copy's numbering and sorts (or the store's insert), rules",
        ["Kb::load", "our_parts_into", "ingest::", "read_only::", "frozen::Builder"],
    ),
    ("exports: read back and sort the quads", ["Sorted::of", "order::"]),
    ("exports: write six syntaxes and the catalogue", ["Sorted::write", "write_dcat"]),
    ("checks: SHACL shapes", ["validate::shacl"]),
    ("checks: SPARQL", ["validate::"]),
    # The timelines' and rs-links' queries run once for their CSV and their charts, on
    # whichever job asks first.
    ("queries shared by CSV and charts (memo)", ["Memo::table"]),
    ("diagrams and charts: their queries", ["diagram::", "timeline::"]),
    ("named queries to CSV", ["spareval::", "Kb::query", "Table::collect"]),
    ("diagrams and charts: drawing", ["diagram::", "timeline::"]),
    ("files outside their writers (flush, links)", ["fence::", "write_results"]),
]
# The SPARQL owners above need a query frame as well as their own mark.
NEEDS_QUERY = {"checks: SPARQL", "diagrams and charts: their queries"}
QUERY = ("spareval::", "Kb::query", "Table::collect", "evaluate_with")
STORE = re.compile(r"oxigraph::storage|dashmap|numeric_encoder|EncodedTerm|StrHash")
GRAPHVIZ = {"dot", "neato"}
# The outermost frame of a whole stack: a thread's or the process's start.
STARTS = ("clone", "_start", "start_thread")


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


def owner(command, frames):
    if command in GRAPHVIZ:
        return "Graphviz"
    text = "\n".join(frames)
    query = any(q in text for q in QUERY)
    for name, marks in OWNERS:
        if any(m in text for m in marks) and (name not in NEEDS_QUERY or query):
            return name
    return "other (start, exit, kernel)"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--freq", type=float, required=True, help="perf's sampling frequency, Hz")
    args = ap.parse_args()
    if not args.freq > 0:
        ap.error("--freq must be above 0")
    owners, times = collections.Counter(), []
    store = cut = 0
    for time, command, frames in samples(sys.stdin):
        times.append(time)
        owners[owner(command, frames)] += 1
        store += bool(frames) and bool(STORE.search(frames[0]))
        whole = bool(frames) and any(s in frames[-1] for s in STARTS)
        cut += command not in GRAPHVIZ and not whole
    total = len(times)
    if total == 0:
        print("profile_build.py: no samples on stdin (did perf record run?)", file=sys.stderr)
        sys.exit(2)
    ms = 1000 / args.freq
    print(f"{total} samples, {total * ms:.0f} ms of CPU")
    for name, n in owners.most_common():
        print(f"{n * ms:7.0f} ms  {100 * n / total:3.0f} %  {name}")
    print(f"{100 * cut / total:.0f} % of the stacks cut short by the unwinder (owner too general)")
    print(f"at least {100 * store / total:.0f} % of the samples end in Oxigraph's in-memory store")
    print("cores busy, each 50 ms from the first sample:")
    first = min(times)
    busy = collections.Counter(int((t - first) / 0.05) for t in times)
    print(" ".join(f"{busy[k] * ms / 50:.1f}" for k in range(max(busy) + 1)))


if __name__ == "__main__":
    main()
