# Turns the JSON of scripts/scale.sh (`medrd bench scale --json` and /usr/bin/time per size)
# into docs/scale.md (tables) and docs/img/scale.svg (a log-log plot drawn as plain SVG, so
# that no plotting library is needed).
import argparse
import json
import math
import os

ap = argparse.ArgumentParser()
ap.add_argument("--cores", default="?")
ap.add_argument("--md", default="docs/scale.md")
ap.add_argument("--svg", default="docs/img/scale.svg")
ap.add_argument("files", nargs="+", help="pairs: scale JSON, time JSON")
args = ap.parse_args()

sizes = []
for scale, timing in zip(args.files[::2], args.files[1::2]):
    s = json.load(open(scale))
    s["time"] = json.load(open(timing))
    sizes.append(s)
sizes.sort(key=lambda s: s["triples"])
names = sorted(sizes[0]["queries"])


def fmt_ms(v):
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}"


def growth(a, b, ta, tb):
    """The exponent k of time ~ triples^k between two sizes (1 = linear)."""
    if a <= 0 or b <= 0:
        return float("nan")
    return math.log(b / a) / math.log(tb / ta)


lines = []
lines.append("<!-- Written by scripts/scale_report.py from scripts/scale.sh; do not edit by hand. -->")
lines.append("# How medrd scales")
lines.append("")
lines.append(
    "Synthetic knowledge bases shaped like ours (`medrd bench gen --programs N`: whole copies of "
    "the data graph renamed under `id/synth/K/`, sharing the ministries, themes and ontology) "
    f"loaded in memory with `--with`, measured by `medrd bench scale` on {args.cores} cores "
    "(`scripts/scale.sh`). Query times are medians (3 runs; 1 at the largest size), each to the "
    "last row. The last column is the growth exponent between the two largest sizes: "
    "1 is linear, 2 quadratic."
)
lines.append("")
head = "| | " + " | ".join(f"{s['triples']:,} triples" for s in sizes) + " | growth |"
lines.append(head)
lines.append("|---" * (len(sizes) + 2) + "|")
a, b = sizes[-2], sizes[-1]
ta, tb = a["triples"], b["triples"]


def row(label, values, unit="", exp=None):
    cells = " | ".join(values)
    e = f"{exp:.2f}" if exp is not None and not math.isnan(exp) else ""
    lines.append(f"| {label} | {cells} | {e} |")


row("load (s)", [f"{s['load_ms'] / 1000:.2f}" for s in sizes], exp=growth(a["load_ms"], b["load_ms"], ta, tb))
row("load (triples/s)", [f"{s['triples_per_s']:,.0f}" for s in sizes])
row("peak RSS (MiB)", [f"{s['peak_rss_mb']:,}" for s in sizes],
    exp=growth(a["peak_rss_mb"], b["peak_rss_mb"], ta, tb))
row("process wall time (s)", [f"{s['time']['wall_s']:.1f}" for s in sizes])
for n in names:
    row(f"query `{n}` (ms)", [fmt_ms(s["queries"][n]["ms"]) for s in sizes],
        exp=growth(a["queries"][n]["ms"], b["queries"][n]["ms"], ta, tb))
row(f"diagram `{sizes[0]['diagram']}` as DOT (ms)", [fmt_ms(s["diagram_ms"]) for s in sizes],
    exp=growth(a["diagram_ms"], b["diagram_ms"], ta, tb))
lines.append("")
lines.append("Rows returned:")
lines.append("")
lines.append("| query | " + " | ".join(f"{s['triples']:,}" for s in sizes) + " |")
lines.append("|---" * (len(sizes) + 1) + "|")
for n in names:
    lines.append(f"| `{n}` | " + " | ".join(f"{s['queries'][n]['rows']:,}" for s in sizes) + " |")
lines.append("")
lines.append("![load and query time against size](img/scale.svg)")
lines.append("")
os.makedirs(os.path.dirname(args.md), exist_ok=True)
md_tail = ""
if os.path.exists(args.md):
    text = open(args.md, encoding="utf-8").read()
    marker = "<!-- notes -->"
    if marker in text:
        md_tail = text[text.index(marker):]
with open(args.md, "w", encoding="utf-8") as f:
    f.write("\n".join(lines) + "\n" + md_tail)

# The plot: x = triples, y = ms, both log scale; load, the diagram and every query.
W, H, L, R, T, B = 760, 480, 70, 230, 30, 50
xs = [s["triples"] for s in sizes]
series = [("load", [s["load_ms"] for s in sizes], "#000000", 3)]
series.append(("diagram", [s["diagram_ms"] for s in sizes], "#d62728", 2))
palette = ["#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#ff7f0e"]
for i, n in enumerate(names):
    series.append((n, [max(s["queries"][n]["ms"], 0.01) for s in sizes], palette[i % len(palette)], 1))
ymin = min(min(v) for _, v, _, _ in series)
ymax = max(max(v) for _, v, _, _ in series)
lx0, lx1 = math.log10(min(xs)) - 0.1, math.log10(max(xs)) + 0.1
ly0, ly1 = math.floor(math.log10(ymin)), math.ceil(math.log10(ymax))
px = lambda x: L + (math.log10(x) - lx0) / (lx1 - lx0) * (W - L - R)
py = lambda y: H - B - (math.log10(y) - ly0) / (ly1 - ly0) * (H - T - B)
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="11">']
svg.append(f'<rect width="{W}" height="{H}" fill="white"/>')
for e in range(ly0, ly1 + 1):
    y = py(10 ** e)
    svg.append(f'<line x1="{L}" x2="{W - R}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
    svg.append(f'<text x="{L - 6}" y="{y + 4:.1f}" text-anchor="end">{10 ** e:g} ms</text>')
for x in xs:
    svg.append(f'<line x1="{px(x):.1f}" x2="{px(x):.1f}" y1="{T}" y2="{H - B}" stroke="#ddd"/>')
    svg.append(f'<text x="{px(x):.1f}" y="{H - B + 16}" text-anchor="middle">{x:,}</text>')
svg.append(f'<text x="{(L + W - R) / 2:.0f}" y="{H - 12}" text-anchor="middle">triples (log)</text>')
# A linear-growth guide from the load's first point.
x0, y0 = xs[0], series[0][1][0]
svg.append(f'<line x1="{px(x0):.1f}" y1="{py(y0):.1f}" x2="{px(xs[-1]):.1f}" y2="{py(y0 * xs[-1] / x0):.1f}" '
           f'stroke="#999" stroke-dasharray="4 4"/>')
for i, (name, ys, colour, width) in enumerate(series):
    pts = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(xs, ys))
    svg.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="{width}"/>')
    ly = T + 4 + i * 14
    svg.append(f'<line x1="{W - R + 10}" x2="{W - R + 28}" y1="{ly}" y2="{ly}" stroke="{colour}" stroke-width="{width}"/>')
    svg.append(f'<text x="{W - R + 32}" y="{ly + 4}">{name}</text>')
svg.append(f'<text x="{W - R + 10}" y="{T + 8 + len(series) * 14}" fill="#666">dashed: linear growth</text>')
svg.append("</svg>")
os.makedirs(os.path.dirname(args.svg), exist_ok=True)
with open(args.svg, "w") as f:
    f.write("\n".join(svg) + "\n")
print(f"wrote {args.md} and {args.svg}")
