//! Mermaid output: a diagram as a Mermaid flowchart, written by our own code (no renderer
//! needed), with one class per node kind and ministry so GitHub and docs sites colour it.

use super::dot::{wrap, BRIDGE};
use super::{Diagram, Node};
use std::collections::BTreeSet;
use std::fmt::Write;

/// A Mermaid node id: the key with everything but ASCII letters and digits as `_`.
fn id(key: &str) -> String {
    let mut s = String::from("n_");
    for c in key.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c);
        } else {
            s.push('_');
        }
    }
    s
}

/// Label text for Mermaid: quotes as entities, line breaks as `<br/>`.
fn text(s: &str) -> String {
    s.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
        .replace('\n', "<br/>")
}

fn shape(n: &Node) -> (&'static str, &'static str) {
    match n.kind.as_str() {
        "ministry" => ("([", "])"),
        "theme" => ("{{", "}}"),
        "project" => ("[[", "]]"),
        "category" => ("[/", "/]"),
        "literal" => (">", "]"),
        "resource" => ("(", ")"),
        _ => ("[", "]"),
    }
}

fn class_of(n: &Node) -> String {
    if n.kind == "program" {
        match (n.bridge, n.groups.len()) {
            (true, _) => "bridge".into(),
            (false, 1) => n.groups.iter().next().cloned().unwrap_or_default(),
            (false, 0) => "program".into(),
            _ => "multi".into(),
        }
    } else if n.kind == "ministry" {
        n.groups
            .iter()
            .next()
            .cloned()
            .unwrap_or_else(|| "ministry".into())
    } else {
        n.kind.clone()
    }
}

/// The legend: the ministry colours of the programs drawn, and the bridge style.
fn legend(d: &Diagram, out: &mut String, classes: &mut BTreeSet<String>) {
    let programs: Vec<&Node> = d
        .graph
        .node_weights()
        .filter(|n| n.kind == "program")
        .collect();
    let groups: BTreeSet<&String> = programs.iter().flat_map(|n| &n.groups).collect();
    let bridges = programs.iter().any(|n| n.bridge);
    if groups.is_empty() && !bridges {
        return;
    }
    let names: std::collections::BTreeMap<&str, &str> = d
        .graph
        .node_weights()
        .filter(|n| n.kind == "ministry")
        .filter_map(|n| Some((n.groups.iter().next()?.as_str(), n.label.as_str())))
        .collect();
    let title = d.lang.pick(
        "凡例（事業の色＝実施府省庁）",
        "Legend (program colour = ministry)",
    );
    let _ = writeln!(out, "    subgraph legend[\"{}\"]", text(title));
    for g in &groups {
        let name = names
            .get(g.as_str())
            .map(|s| s.to_string())
            .unwrap_or_else(|| g.to_uppercase());
        let _ = writeln!(out, "        legend_{g}[\"{}\"]:::k_{g}", text(&name));
        classes.insert(g.to_string());
    }
    if programs.iter().any(|n| n.groups.len() > 1) {
        let label = d.lang.pick("複数府省庁", "several ministries");
        let _ = writeln!(out, "        legend_multi[\"{label}\"]:::k_multi");
        classes.insert("multi".into());
    }
    if bridges {
        let label = d.lang.pick(
            "太枠：複数プロジェクトに掲載（橋渡し）",
            "thick border: in several projects (bridge)",
        );
        let _ = writeln!(out, "        legend_bridge[\"{}\"]:::k_bridge", text(label));
        classes.insert("bridge".into());
    }
    let _ = writeln!(out, "    end");
}

/// The diagram as Mermaid flowchart source. Class names get a `k_` prefix so that no
/// kind (such as `class`) collides with a Mermaid keyword.
pub fn to_mermaid(d: &Diagram) -> String {
    let mut out = String::new();
    let dir = if d.name == "cross-project" {
        "TB"
    } else {
        "LR"
    };
    let title = d
        .title
        .replace('\n', " ")
        .replace('\\', "\\\\")
        .replace('"', "\\\"");
    let _ = writeln!(out, "---\ntitle: \"{title}\"\n---");
    let _ = writeln!(out, "flowchart {dir}");
    if !d.note.is_empty() {
        let _ = writeln!(out, "    %% {}", d.note.replace('\n', " "));
    }
    let mut classes: BTreeSet<String> = BTreeSet::new();
    for n in d.nodes() {
        let (open, close) = shape(n);
        let mut label = wrap(&n.label, 30);
        if !n.attrs.is_empty() {
            label.push_str("\n―――\n");
            label.push_str(&n.attrs.iter().cloned().collect::<Vec<_>>().join("\n"));
        }
        let _ = writeln!(out, "    {}{open}\"{}\"{close}", id(&n.key), text(&label));
        let class = class_of(n);
        let _ = writeln!(out, "    class {} k_{class}", id(&n.key));
        classes.insert(class);
    }
    for (a, b, e) in d.edges() {
        let arrow = match e.kind.as_str() {
            "shared" => "---",
            "derived" | "repost" | "feedsInto" | "runBy" | "inProject" => "-.->",
            "subject" => "==>",
            _ => "-->",
        };
        let label = match (e.kind.as_str(), e.weight) {
            ("shared", Some(w)) => format!("{w} {}", d.lang.pick("事業", "programs")),
            _ => e.label.clone(),
        };
        if label.is_empty() {
            let _ = writeln!(out, "    {} {arrow} {}", id(&a.key), id(&b.key));
        } else {
            let label = text(&label);
            let _ = writeln!(
                out,
                "    {} {arrow}|\"{label}\"| {}",
                id(&a.key),
                id(&b.key)
            );
        }
    }
    legend(d, &mut out, &mut classes);
    for c in &classes {
        let style = match c.as_str() {
            "project" => "fill:#ffd966,stroke:#7f6000,stroke-width:2px".to_owned(),
            "theme" => "fill:#f6b26b,stroke:#b45f06".to_owned(),
            "initiative" => "fill:#f3f3f3,stroke:#999,font-size:10px".to_owned(),
            "focusArea" => "fill:#fff2cc,stroke:#bf9000".to_owned(),
            "category" => "fill:#b6d7a8,stroke:#38761d".to_owned(),
            "item" => "fill:#eee,stroke:#666,stroke-dasharray:4".to_owned(),
            "class" => "fill:#dae8fc,stroke:#6c8ebf".to_owned(),
            "bridge" => format!("fill:#fff,stroke:{BRIDGE},stroke-width:4px,color:{BRIDGE}"),
            "multi" => "fill:#fff,stroke:#666,stroke-dasharray:2".to_owned(),
            "literal" | "resource" | "program" | "ministry" => "fill:#fff,stroke:#666".to_owned(),
            g => format!("fill:{},stroke:{}", d.palette.fill(g), d.palette.line(g)),
        };
        let _ = writeln!(out, "    classDef k_{c} {style}");
    }
    out
}
