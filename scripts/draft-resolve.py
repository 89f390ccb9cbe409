#!/usr/bin/env python3
# Resolves the needs_review items of a `medrd draft` as they are resolved in curated data, to
# show that the draft, once reviewed, loads and passes `medrd validate`.
#
#   scripts/draft-resolve.py DRAFT_DIR CURATED_SOURCE_DIR OUT_ROOT
#
# CURATED_SOURCE_DIR is a document folder of data/ (e.g. data/fy2024-request). OUT_ROOT (new)
# receives ontology/ and queries/ of this tree and a copy of the whole data/ (the parent of
# CURATED_SOURCE_DIR: shared files and every source folder), in which CURATED_SOURCE_DIR's
# source.toml, programs.toml, overview.toml and projects/*.toml are replaced by the draft.
# Every fact the draft holds (title, fiscal year, text file, names, printed ministries, lines,
# ✓ texts and markers, figures, memberships, group members) is kept as drafted; what a draft
# leaves to a curator (the source's id, English title, publisher, licence and sections; ids,
# English names, themes, inferred ministries and programs with their reasoning, notes, what a
# 「内数」 figure is of, the figures outside the projects) is taken from the curated record at
# the same line. The script stops with an error if a curated resolution contradicts a drafted
# fact (or the draft's copy of the text differs from the curated one), so it cannot hide a
# difference. Then: medrd --root OUT_ROOT validate
import json
import os
import shutil
import sys
import tomllib
from pathlib import Path


def fail(msg):
    print(f"draft-resolve: {msg}", file=sys.stderr)
    sys.exit(2)


def val(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(val(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {val(x)}" for k, x in v.items()) + " }"
    raise TypeError(type(v))


def dump(doc):
    out = []
    for k, v in doc.items():
        if not isinstance(v, dict) and not (isinstance(v, list) and v and isinstance(v[0], dict)):
            out.append(f"{k} = {val(v)}")
    for k, v in doc.items():
        if isinstance(v, dict):
            out.append(f"\n[{k}]")
            out += [f"{kk} = {val(x)}" for kk, x in v.items()]
    for k, v in doc.items():
        if isinstance(v, list) and v and isinstance(v[0], dict):
            for rec in v:
                out.append(f"\n[[{k}]]")
                subs = []
                for kk, x in rec.items():
                    if isinstance(x, list) and x and isinstance(x[0], dict):
                        subs.append((kk, x))
                    else:
                        out.append(f"{kk} = {val(x)}")
                for kk, x in subs:
                    for r in x:
                        out.append(f"\n[[{k}.{kk}]]")
                        out += [f"{a} = {val(b)}" for a, b in r.items()]
    return "\n".join(out) + "\n"


def load(p):
    with open(p, "rb") as f:
        return tomllib.load(f)


def same(what, drafted, curated, line):
    if drafted != curated:
        fail(f"line {line}: {what}: drafted {drafted!r}, curated {curated!r}")


def resolve_source(draft, cur):
    """The draft's source.toml with what the text does not say taken from the curated one: the
    drafted title, fiscal year, title line and text file must agree with it, and the draft's
    copy of the text must be byte-identical to the curated text."""
    d, c = load(draft / "source.toml"), load(cur / "source.toml")
    dd, cd = d["document"], c["document"]
    same("source kind", d.get("kind"), c.get("kind", "document"), dd["line"])
    drafted = [k for k in ("ja", "fiscal_year", "line", "text_file", "project_figure_label") if k in dd]
    for k in drafted:
        same(f"source {k}", dd[k], cd.get(k), dd["line"])
    if (draft / dd["text_file"]).read_bytes() != (cur / cd["text_file"]).read_bytes():
        fail(f"{draft / dd['text_file']}: the draft's copy of the text differs from {cur / cd['text_file']}")
    doc = {k: v for k, v in dd.items() if k != "needs_review"}
    for k, v in cd.items():
        if k not in drafted:
            doc[k] = v  # the id (the curated folder's name), English title, publisher, licence…
    # the draft's open items: its [document] and each [[section]] (it does not divide the text)
    resolved = int("needs_review" in dd) + sum("needs_review" in x for x in d.get("section", []))
    return {"kind": d["kind"], "document": doc, "section": c["section"]}, resolved


def main():
    if len(sys.argv) != 4:
        fail("usage: draft-resolve.py DRAFT_DIR CURATED_SOURCE_DIR OUT_ROOT")
    draft, cur, out = (Path(a) for a in sys.argv[1:])
    if out.exists():
        fail(f"{out} exists: give a new folder")
    if not (cur / "source.toml").is_file() or not (cur / "programs.toml").is_file():
        fail(f"{cur}: not a curated document folder of data/ (no source.toml or programs.toml)")
    if not (draft / "source.toml").is_file():
        fail(f"{draft}: not a draft folder of `medrd draft -o` (no source.toml)")
    tree = Path(__file__).resolve().parent.parent
    data = cur.resolve().parent
    # Check the source first: nothing is written when the draft is of another text.
    source, resolved = resolve_source(draft, cur)
    # Written into a staging folder beside OUT_ROOT and moved into place at the end: a
    # failure leaves nothing half-written.
    final, out = out, out.with_name(f".{out.name}.partial-{os.getpid()}")
    try:
        resolve(draft, cur, out, tree, data, source, resolved)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    out.rename(final)
    print(f"draft-resolve: wrote {final}", file=sys.stderr)


def resolve(draft, cur, out, tree, data, source, resolved):
    shutil.copytree(tree / "ontology", out / "ontology")
    shutil.copytree(tree / "queries", out / "queries")
    shutil.copytree(data, out / "data")
    dest = out / "data" / cur.resolve().name
    (dest / "source.toml").write_text(dump(source))

    # programs: drafted name, printed ministries and line; the curator's id, English name,
    # themes, inferred ministries and parent.
    cp = {p["id"]: p for p in load(cur / "programs.toml")["program"]}
    programs = []
    for p in load(draft / "programs.toml")["program"]:
        c = cp.get(p["id"])
        if c is None:
            fail(f"program {p['ja']} (line {p['line']}): not in the curated data")
        same("program name", p["ja"], c["ja"], p["line"])
        same("printed ministries", p.get("ministries", []), c.get("ministries", []), p["line"])
        if "needs_review" in p:
            resolved += 1
        r = {k: v for k, v in p.items() if k != "needs_review"}
        for k in ("en", "inferred_ministries", "ministry_reasoning", "themes", "part_of", "alt_ja"):
            if k in c:
                r[k] = c[k]
        programs.append(r)
    drafted_ids = {p["id"] for p in programs}
    for c in cp.values():  # curated programs the text never prints alone (B-cure as a whole)
        if c["id"] not in drafted_ids:
            print(f"draft-resolve: adds program {c['id']} ({c['ja']}), not printed alone", file=sys.stderr)
            programs.append(c)
            resolved += 1
    (dest / "programs.toml").write_text(dump({"program": programs}))

    # overview: the drafted table; items and amounts outside the projects from the curator,
    # each at a line where the draft found that figure (review.toml).
    dov = load(draft / "overview.toml")
    cov = load(cur / "overview.toml")
    loose = {(a["line"], a["oku"]) for a in load(draft / "review.toml").get("amount", [])}
    for a in cov["amount"]:
        lines = [a["line"]] if "line" in a else a["lines"]
        for l in lines:
            if (l, a["oku"]) not in loose:
                fail(f"line {l}: curated amount {a['id']} = {a['oku']} not among the draft's figures")
        resolved += 1
    table = [{k: v for k, v in t.items() if k != "printed"} for t in dov["table"]]
    ctable = [{k: v for k, v in t.items()} for t in cov["table"]]
    same("overview table", table, ctable, 10)
    (dest / "overview.toml").write_text(
        dump({"table": dov["table"], "item": cov["item"], "amount": cov["amount"]})
    )

    for f in sorted((draft / "projects").glob("*.toml")):
        d = load(f)
        c = load(cur / "projects" / f.name)
        n = d["project"]["number"]
        same("project", (d["project"]["ja"], d["project"]["line"]), (c["project"]["ja"], c["project"]["line"]), d["project"]["line"])
        d["project"]["en"] = c["project"]["en"]
        if (d["project"]["description_ja"], d["project"]["description_line"]) != (c["project"]["description_ja"], c["project"]["description_line"]):
            # the curator chose another printing of the description
            d["project"]["description_ja"] = c["project"]["description_ja"]
            d["project"]["description_line"] = c["project"]["description_line"]
        for k in ("total", "amed", "inhouse"):
            if k in d["amounts"]:
                dk = d["amounts"][k]
                same(f"project {n} {k}", (dk["oku"], sorted(dk["lines"])), (c["amounts"][k]["oku"], sorted(c["amounts"][k]["lines"])), d["project"]["line"])
        # focus areas: ids and English names by line
        cfa = {x["line"]: x for x in c.get("focus_area", [])}
        fa_id = {}
        for x in d.get("focus_area", []):
            cx = cfa.get(x["line"]) or fail(f"line {x['line']}: focus area {x['ja']} not curated")
            fa_id[x["id"]] = cx["id"]
            x["id"], x["en"] = cx["id"], cx["en"]
        cen = {e["line"]: e for e in c.get("entry", [])}
        for e in d.get("entry", []):
            ce = cen.get(e["line"]) or fail(f"line {e['line']}: entry not curated")
            same("entry program", e["program"], ce["program"], e["line"])
            same("initiatives", [(i["line"], i["status"]) for i in e.get("initiative", [])], [(i["line"], i["status"]) for i in ce.get("initiative", [])], e["line"])
            if "focus_area" in e:
                e["focus_area"] = fa_id[e["focus_area"]]
            for k in ("note", "note_line"):
                e.pop(k, None)
                if k in ce:
                    e[k] = ce[k]
            if e.pop("needs_review", None):
                resolved += 1
        # amounts of 「内数」 and groups: the curator's id and subject, at the drafted lines
        camt = {tuple(a.get("lines", [a.get("line")])): a for a in c.get("amount", [])}
        amt_id = {}
        amounts = []
        for a in d.get("amount", []):
            ca = camt.get(tuple(a["lines"])) or fail(f"lines {a['lines']}: 内数 amount not curated")
            same("内数 amount", a["oku"], ca["oku"], a["lines"][0])
            amt_id[a["id"]] = ca["id"]
            amounts.append(ca)
            resolved += 1
        cgr = {g["line"]: g for g in c.get("group", [])}
        gr_id = {}
        groups = []
        for g in d.get("group", []):
            cg = cgr.get(g["line"]) or fail(f"line {g['line']}: group not curated")
            same("group members", g["members"], cg["members"], g["line"])
            gr_id[g["id"]] = cg["id"]
            groups.append(cg)
            resolved += 1
        cfig = {x["line"]: x for x in c.get("figure", [])}
        figures = []
        for x in d.get("figure", []):
            cx = cfig.get(x["line"]) or fail(f"line {x['line']}: figure line not curated")
            if x.get("program") == "":
                x["program"] = cx["program"]  # a figure without a name: the curator's inference
            if "group" in x:
                x["group"] = gr_id[x["group"]]
            if "included_in" in x:
                x["included_in"] = amt_id[x["included_in"]]
            same("figure subject", (x.get("program"), x.get("group")), (cx.get("program"), cx.get("group")), x["line"])
            if "amount" in x:
                x["amount"].pop("printed", None)
                same("figure amount", x["amount"], cx.get("amount"), x["line"])
            for k in ("note", "institute", "inferred_program"):
                x.pop(k, None)
                if k in cx:
                    x[k] = cx[k]
            if x.pop("needs_review", None):
                resolved += 1
            figures.append(x)
        d["amount"], d["group"], d["figure"] = amounts, groups, figures
        (dest / "projects" / f.name).write_text(dump(d))
    print(f"draft-resolve: {resolved} review items resolved as in {cur}", file=sys.stderr)


main()
