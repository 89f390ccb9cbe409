//! Graphviz output: a diagram as a DOT graph (built with graphviz-rust's structures and
//! printer), styled by node kind and ministry. [`super::graphviz`] runs `dot` to draw it.

use super::{Diagram, Lang, Node, Palette};
use graphviz_rust::dot_structures::{
    Attribute, Edge as DotEdge, EdgeTy, Graph, GraphAttributes, Id, Node as DotNode, NodeId, Stmt,
    Subgraph, Vertex,
};
use graphviz_rust::printer::{DotPrinter, PrinterContext};
use std::collections::BTreeMap;
use unicode_width::UnicodeWidthStr;

/// The font every label uses: Noto Sans CJK JP (Debian package fonts-noto-cjk) draws both
/// Japanese and Latin text.
pub const FONT: &str = "Noto Sans CJK JP";

/// Colour of bridge borders (programs listed in several projects).
pub const BRIDGE: &str = "#b00020";

fn quoted(s: &str) -> Id {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if crate::markup::is_forbidden(c) => {}
            c => out.push(c),
        }
    }
    out.push('"');
    Id::Escaped(out)
}

fn attr(k: &str, v: &str) -> Attribute {
    Attribute(Id::Plain(k.to_owned()), quoted(v))
}

/// Characters that must not start a line (Japanese line-breaking rules, 禁則).
const NO_LINE_START: &str =
    "、。，．・：；？！ー―）」』】〕｝〉》’”ゃゅょっぁぃぅぇぉゎャュョッァィゥェォヮヵヶ)]},.:;!?/";
/// Characters that must not end a line.
const NO_LINE_END: &str = "（「『【〔｛〈《‘“([{";

/// Splits text into unbreakable pieces: Latin words (with the space after them), single
/// Japanese characters, with 禁則 characters glued to their neighbour.
fn pieces(para: &str) -> Vec<String> {
    let mut tokens: Vec<String> = Vec::new();
    let mut glue_next = false;
    for c in para.chars() {
        let word = c.is_ascii() && !c.is_ascii_whitespace() && !"/(),".contains(c);
        let joins = match tokens.last() {
            None => false,
            Some(t) => {
                let last = t.chars().last().unwrap_or(' ');
                glue_next
                    || NO_LINE_START.contains(c)
                    || (word
                        && last.is_ascii()
                        && !last.is_ascii_whitespace()
                        && !"/(),".contains(last))
                    || (c.is_ascii_whitespace() && last.is_ascii())
            }
        };
        if joins {
            if let Some(t) = tokens.last_mut() {
                t.push(c);
            }
        } else {
            tokens.push(c.to_string());
        }
        glue_next = NO_LINE_END.contains(c);
    }
    tokens
}

/// Wraps a label to at most about `width` columns (East Asian wide characters count
/// double) in lines of even length, breaking between words in Latin text and between
/// characters in Japanese, never before closing punctuation or small kana.
pub fn wrap(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    for para in text.split('\n') {
        let tokens = pieces(para);
        let longest = tokens
            .iter()
            .map(|t| t.trim_end().width())
            .max()
            .unwrap_or(0);
        let count = para.width().div_ceil(width.max(1)).max(1);
        // The narrowest even width that needs no more lines than `count`.
        let mut target = para.width().div_ceil(count).max(1);
        loop {
            let filled = fill(&tokens, target);
            if filled.len() <= count || target >= width.max(longest) {
                lines.extend(filled);
                break;
            }
            target += 1;
        }
    }
    lines.join("\n")
}

/// Greedy line filling to `target` columns.
fn fill(tokens: &[String], target: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for t in tokens {
        if !line.trim().is_empty() && line.trim_end().width() + t.trim_end().width() > target {
            lines.push(line.trim_end().to_owned());
            line.clear();
        }
        line.push_str(t);
    }
    lines.push(line.trim_end().to_owned());
    lines
}

fn node_attrs(n: &Node, palette: &Palette) -> Vec<Attribute> {
    let first = n.groups.iter().next().map(String::as_str).unwrap_or("");
    let mut label = match n.kind.as_str() {
        "initiative" => wrap(&n.label, 30),
        "project" | "ministry" | "category" | "theme" => wrap(&n.label, 22),
        "literal" => wrap(&n.label, 40),
        _ => wrap(&n.label, 26),
    };
    if !n.attrs.is_empty() {
        label.push_str("\n―――――\n");
        let lines: Vec<&str> = n.attrs.iter().map(String::as_str).collect();
        label.push_str(&lines.join("\n"));
    }
    let mut a = vec![attr("label", &label)];
    let mut push = |k: &str, v: &str| a.push(attr(k, v));
    match n.kind.as_str() {
        "project" => {
            push("shape", "box");
            push("style", "rounded,filled,bold");
            push("fillcolor", "#ffd966");
            push("fontsize", "14");
            push("penwidth", "2");
        }
        "program" => {
            push("shape", "box");
            if n.groups.len() > 1 {
                let colours: Vec<&str> = n.groups.iter().map(|g| palette.fill(g)).collect();
                push("style", "striped");
                push("fillcolor", &colours.join(":"));
            } else {
                push("style", "filled");
                push("fillcolor", palette.fill(first));
            }
            if n.bridge {
                push("penwidth", "3.5");
                push("color", BRIDGE);
                push("fontcolor", BRIDGE);
            } else {
                push("color", palette.line(first));
            }
        }
        "ministry" => {
            push("shape", "ellipse");
            push("style", "filled,bold");
            push("fillcolor", palette.fill(first));
            push("color", palette.line(first));
            push("penwidth", "2");
            push("fontsize", "13");
        }
        "theme" => {
            push("shape", "hexagon");
            push("style", "filled,bold");
            push("fillcolor", "#f6b26b");
            push("fontsize", "14");
        }
        "initiative" => {
            push("shape", "note");
            push("style", "filled");
            push("fillcolor", "#f3f3f3");
            push("fontsize", "9");
        }
        "focusArea" => {
            push("shape", "folder");
            push("style", "filled");
            push("fillcolor", "#fff2cc");
        }
        "category" => {
            push("shape", "box");
            push("style", "filled,bold");
            push("fillcolor", "#b6d7a8");
            push("fontsize", "13");
        }
        "item" => {
            push("shape", "box");
            push("style", "filled,dashed");
            push("fillcolor", "#eeeeee");
        }
        "others" => {
            push("shape", "box");
            push("style", "rounded,dashed");
            push("color", "#666666");
            push("fontcolor", "#444444");
        }
        "class" => {
            push("shape", "box");
            let external = !n.key.starts_with("medrd:");
            push("style", if external { "filled,dashed" } else { "filled" });
            push("fillcolor", if external { "#f3f3f3" } else { "#dae8fc" });
        }
        "literal" => {
            push("shape", "plaintext");
            push("fontsize", "9");
        }
        _ => {
            push("shape", "ellipse");
        }
    }
    a
}

fn edge_attrs(
    from: &Node,
    e: &super::Edge,
    max_weight: f64,
    lang: Lang,
    palette: &Palette,
) -> Vec<Attribute> {
    let mut a = Vec::new();
    let mut push = |k: &str, v: &str| a.push(attr(k, v));
    let width = |w: f64, scale: f64| format!("{:.1}", 1.0 + scale * w / max_weight.max(1.0));
    let mut label = e.label.clone();
    match e.kind.as_str() {
        "runs" => {
            push("color", "#999999");
            push("arrowsize", "0.6");
        }
        "runBy" => {
            push("color", "#999999");
            push("style", "dotted");
            push("arrowsize", "0.6");
        }
        "partOf" => push("color", "#444444"),
        "repost" => {
            push("color", "#444444");
            push("style", "dashed");
        }
        // The graph's note explains solid and dashed; a text label on these long edges
        // lands next to other programs, so it becomes a tooltip.
        "subject" => {
            push("color", "#e69138");
            push("penwidth", "2.5");
            push("tooltip", &label);
            label.clear();
        }
        "derived" => {
            push("color", "#e69138");
            push("style", "dashed");
            push("penwidth", "1.5");
            push("tooltip", &label);
            label.clear();
        }
        "initiativeOf" => {
            push("color", "#aaaaaa");
            push("arrowsize", "0.6");
        }
        "inProject" => {
            push("color", "#aaaaaa");
            push("style", "dotted");
            push("arrowsize", "0.6");
        }
        "shared" => {
            let w = e.weight.unwrap_or(1.0);
            push("dir", "none");
            push("color", BRIDGE);
            push("penwidth", &width(w, 5.0));
            push("fontsize", "11");
            push("fontcolor", BRIDGE);
            label = format!("{}{}\n{}", w, lang.pick(" 事業", " programs"), e.label);
        }
        "feedsInto" => {
            push("fontsize", "11");
            push("fontcolor", "#3d85c6");
            push("color", "#3d85c6");
            push("style", "dashed");
            push("penwidth", "2");
        }
        "money" => {
            let w = e.weight.unwrap_or(0.0);
            let colour = match from.kind.as_str() {
                "ministry" => {
                    palette.line(from.groups.iter().next().map(String::as_str).unwrap_or(""))
                }
                _ => "#6aa84f",
            };
            push("color", colour);
            push("fontcolor", colour);
            let pen = 1.0 + 11.0 * w / max_weight.max(1.0);
            push("penwidth", &format!("{pen:.1}"));
            // Arrowheads grow with the pen width; keep them about the same size.
            push("arrowsize", &format!("{:.2}", (1.2 / pen).clamp(0.15, 0.8)));
            push("fontsize", "12");
        }
        "subClassOf" => {
            push("arrowhead", "empty");
            push("color", "#444444");
        }
        _ => {}
    }
    if !label.is_empty() {
        a.push(attr("label", &label));
    }
    a
}

fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("<BR/>"),
            c if crate::markup::is_forbidden(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// The legend: one node whose HTML-table label shows the ministry colours of the
/// programs drawn and the bridge border (an HTML label works with every layout engine).
fn legend(d: &Diagram) -> Option<Stmt> {
    let programs: Vec<&Node> = d
        .graph
        .node_weights()
        .filter(|n| n.kind == "program")
        .collect();
    let groups: std::collections::BTreeSet<&String> =
        programs.iter().flat_map(|n| &n.groups).collect();
    let bridges = programs.iter().any(|n| n.bridge);
    let multi = programs.iter().any(|n| n.groups.len() > 1);
    if groups.is_empty() && !bridges {
        return None;
    }
    let names: BTreeMap<String, String> = d
        .graph
        .node_weights()
        .filter(|n| n.kind == "ministry")
        .filter_map(|n| Some((n.groups.iter().next()?.clone(), n.label.clone())))
        .collect();
    let mut rows = format!(
        "<TR><TD BORDER=\"0\"><B>{}</B></TD></TR>",
        html(d.lang.pick(
            "凡例（事業の色＝実施府省庁）",
            "Legend (program colour = ministry)"
        ))
    );
    for g in &groups {
        let label = names.get(*g).cloned().unwrap_or_else(|| g.to_uppercase());
        rows.push_str(&format!(
            "<TR><TD BGCOLOR=\"{}\" COLOR=\"{}\">{}</TD></TR>",
            d.palette.fill(g),
            d.palette.line(g),
            html(&label)
        ));
    }
    if multi {
        let cells: String = groups
            .iter()
            .map(|g| {
                format!(
                    "<TD BGCOLOR=\"{}\" BORDER=\"0\" WIDTH=\"8\"></TD>",
                    d.palette.fill(g)
                )
            })
            .collect();
        rows.push_str(&format!(
            "<TR><TD COLOR=\"#666666\"><TABLE BORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"2\"><TR>{cells}<TD BORDER=\"0\">{}</TD></TR></TABLE></TD></TR>",
            html(d.lang.pick("複数府省庁（縞）", "several ministries (striped)"))
        ));
    }
    if bridges {
        rows.push_str(&format!(
            "<TR><TD BORDER=\"3\" COLOR=\"{BRIDGE}\"><FONT COLOR=\"{BRIDGE}\">{}</FONT></TD></TR>",
            html(d.lang.pick(
                "太枠：複数プロジェクトに掲載（橋渡し）",
                "thick border: listed in several projects (bridge)"
            ))
        ));
    }
    let label = format!(
        "<<TABLE BORDER=\"1\" COLOR=\"#999999\" CELLBORDER=\"1\" CELLSPACING=\"4\" CELLPADDING=\"4\">{rows}</TABLE>>"
    );
    Some(Stmt::Node(DotNode::new(
        NodeId(quoted("legend"), None),
        vec![
            Attribute(Id::Plain("label".into()), Id::Html(label)),
            attr("shape", "plaintext"),
            attr("margin", "0"),
        ],
    )))
}

/// The overview's ministries drawn as boxes around the programs that only they run, in
/// place of a node and an arrow to each program (issue 22, twenty-fourth step): read from
/// left to right, a ministry's box holds its programs and their arrows go to the projects.
/// A program run by several ministries stays outside every box, striped in their colours,
/// with an arrow from each box; a ministry that runs no program listed here stays a node.
#[derive(Default)]
struct Boxes<'d> {
    /// Each boxed ministry's programs, by the ministry's key.
    programs: BTreeMap<&'d str, Vec<&'d Node>>,
    /// The box each boxed program is in.
    boxed: BTreeMap<&'d str, &'d str>,
}

impl<'d> Boxes<'d> {
    /// The boxes of the overview; none for another diagram.
    fn of(d: &'d Diagram) -> Self {
        let mut boxes = Boxes::default();
        if d.name != "overview" {
            return boxes;
        }
        // Every runner counts, a ministry or not (a `--with` file's organisation without a
        // label in this language is a plain node): a program is boxed only when a ministry
        // runs it alone.
        let mut runners: BTreeMap<&str, Vec<&Node>> = BTreeMap::new();
        let mut programs: BTreeMap<&str, &Node> = BTreeMap::new();
        for (a, b, e) in d.edges() {
            if e.kind == "runs" && b.kind == "program" {
                runners.entry(&b.key).or_default().push(a);
                programs.insert(&b.key, b);
            }
        }
        for (program, by) in runners {
            if let [ministry] = by[..] {
                if ministry.kind != "ministry" {
                    continue;
                }
                boxes.boxed.insert(program, &ministry.key);
                let inside = boxes.programs.entry(&ministry.key).or_default();
                inside.push(programs[program]);
            }
        }
        boxes
    }

    /// The box's Graphviz name (a subgraph whose name starts with `cluster`).
    fn id(ministry: &str) -> Id {
        quoted(&format!("cluster {ministry}"))
    }

    /// A ministry's box with its programs in it.
    fn subgraph(&self, ministry: &Node, palette: &Palette) -> Stmt {
        let first = ministry.groups.iter().next().map_or("", String::as_str);
        let mut stmts = vec![Stmt::GAttribute(GraphAttributes::Graph(vec![
            attr("label", &wrap(&ministry.label, 22)),
            attr("style", "rounded,bold"),
            attr("color", palette.line(first)),
            attr("fontcolor", palette.line(first)),
            attr("penwidth", "2"),
            attr("fontsize", "14"),
        ]))];
        // The ministry itself, unseen: the arrows from the box start from it (clipped at
        // the box), so that the drawing names them from the ministry to the program.
        stmts.push(Stmt::Node(DotNode::new(
            NodeId(quoted(&ministry.key), None),
            vec![
                attr("label", ""),
                attr("shape", "point"),
                attr("style", "invis"),
                attr("width", "0"),
            ],
        )));
        for n in &self.programs[ministry.key.as_str()] {
            stmts.push(Stmt::Node(DotNode::new(
                NodeId(quoted(&n.key), None),
                node_attrs(n, palette),
            )));
        }
        Stmt::Subgraph(Subgraph {
            id: Self::id(&ministry.key),
            stmts,
        })
    }

    /// What boxes add to an edge's attributes; `None` for an arrow from a ministry to a
    /// program in its own box (the box says it).
    fn edge(&self, a: &Node, b: &Node) -> Option<Vec<Attribute>> {
        if !self.programs.contains_key(a.key.as_str()) {
            return Some(Vec::new());
        }
        if self.boxed.get(b.key.as_str()) == Some(&a.key.as_str()) {
            return None;
        }
        // From the box's border, to a program outside it: not a rank of its own.
        Some(vec![
            attr("ltail", &format!("cluster {}", a.key)),
            attr("constraint", "false"),
        ])
    }
}

/// Whether the diagram draws boxes (Graphviz clusters). Graphviz 2.43 orders a graph's
/// clusters by where their names lie in its memory, which depends on the graphs a process
/// drew before: such a graph is drawn by a `dot` of its own, never a kept one.
pub fn has_boxes(d: &Diagram) -> bool {
    !Boxes::of(d).programs.is_empty()
}

/// The graph's own attributes: title, fonts and the layout of each kind of diagram.
fn graph_attrs(d: &Diagram) -> Vec<Attribute> {
    let mut title = d.title.clone();
    if !d.note.is_empty() {
        title.push('\n');
        title.push_str(&wrap(&d.note, 110));
    }
    let mut graph = vec![
        attr("label", &title),
        attr("labelloc", "t"),
        attr("fontname", FONT),
        attr("fontsize", "18"),
        attr("bgcolor", "white"),
        attr("pad", "0.3"),
        // Nodes are drawn over the edges that cross them, so labels stay readable.
        attr("outputorder", "edgesfirst"),
    ];
    match d.name.as_str() {
        "overview" => {
            graph.push(attr("rankdir", "LR"));
            graph.push(attr("nodesep", "0.08"));
            graph.push(attr("ranksep", "1.5"));
            graph.push(attr("newrank", "true"));
            graph.push(attr("compound", "true"));
        }
        "cross-project" => {
            graph.push(attr("rankdir", "TB"));
            graph.push(attr("ranksep", "1.1"));
        }
        name => {
            graph.push(attr("rankdir", "LR"));
            graph.push(attr("nodesep", "0.25"));
            graph.push(attr(
                "ranksep",
                if name == "budget" { "1.8" } else { "0.9" },
            ));
            graph.push(attr("newrank", "true"));
        }
    }
    graph
}

/// The diagram as a graphviz-rust graph.
pub fn to_graph(d: &Diagram) -> Graph {
    let mut stmts = vec![
        Stmt::GAttribute(GraphAttributes::Graph(graph_attrs(d))),
        Stmt::GAttribute(GraphAttributes::Node(vec![
            attr("fontname", FONT),
            attr("fontsize", "11"),
            attr("margin", "0.12,0.06"),
        ])),
        Stmt::GAttribute(GraphAttributes::Edge(vec![
            attr("fontname", FONT),
            attr("fontsize", "9"),
        ])),
    ];
    if let Some(l) = legend(d) {
        stmts.push(l);
    }
    let boxes = Boxes::of(d);
    for n in d.nodes() {
        if boxes.programs.contains_key(n.key.as_str()) {
            stmts.push(boxes.subgraph(n, &d.palette));
        } else if !boxes.boxed.contains_key(n.key.as_str()) {
            stmts.push(Stmt::Node(DotNode::new(
                NodeId(quoted(&n.key), None),
                node_attrs(n, &d.palette),
            )));
        }
    }
    let edges = d.edges();
    let max_weight = edges
        .iter()
        .filter_map(|(_, _, e)| e.weight)
        .fold(0.0_f64, f64::max);
    for (a, b, e) in edges {
        let Some(mut attributes) = boxes.edge(a, b) else {
            continue;
        };
        attributes.extend(edge_attrs(a, e, max_weight, d.lang, &d.palette));
        stmts.push(Stmt::Edge(DotEdge {
            ty: EdgeTy::Pair(
                Vertex::N(NodeId(quoted(&a.key), None)),
                Vertex::N(NodeId(quoted(&b.key), None)),
            ),
            attributes,
        }));
    }
    Graph::DiGraph {
        id: quoted(&d.name),
        strict: false,
        stmts,
    }
}

/// The diagram as DOT text.
pub fn to_dot(d: &Diagram) -> String {
    let mut ctx = PrinterContext::default();
    let mut s = to_graph(d).print(&mut ctx);
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::{html, quoted, Id};

    #[test]
    fn labels_drop_the_control_characters_xml_forbids_as_our_other_markup_does() {
        assert_eq!(html("a\u{7}<b>\n\tc"), "a&lt;b&gt;<BR/>\tc");
        let Id::Escaped(q) = quoted("x\u{1b}\"y\r\n\u{85}") else {
            panic!("quoted gives an escaped id");
        };
        assert_eq!(q, "\"x\\\"y\\n\u{85}\"");
    }
}
