//! Money as the explorer shows it: yen as 億円 in one format, the explorer's address and
//! short name of a budget line, and the inline SVG bar charts whose every bar names its figure
//! and its source and links to where that source stands (no script, no CDN).

use super::view::View;
use crate::vocab::ID;

/// 億円 with two decimals from yen (RS and the review sheets give payments in yen); the
/// text itself when it is not a whole number.
pub(super) fn oku_from_yen(yen: &str) -> String {
    match yen.trim().parse::<i128>() {
        // Payments are below 10^13 yen: exact in an f64.
        Ok(y) => format!("{:.2}", y as f64 / 1e8),
        Err(_) => yen.to_owned(),
    }
}

/// The explorer page of a budget line: an RS budget program (`id/rs/N`) or a review sheet
/// (`id/review-sheet/EDITION/MINISTRY/NUMBER`); None for any other IRI.
pub(super) fn line_path(iri: &str) -> Option<String> {
    let rest = iri.strip_prefix(ID)?;
    (rest.starts_with("rs/") || rest.starts_with("review-sheet/"))
        .then(|| format!("/explore/line/{rest}"))
}

/// A budget line's short name: `RS 2958`, `レビューシート 2023/mhlw/22-0964`.
pub(super) fn line_key(view: &View, iri: &str) -> String {
    let rest = iri.strip_prefix(ID).unwrap_or(iri);
    if let Some(id) = rest.strip_prefix("rs/") {
        format!("RS {id}")
    } else if let Some(sheet) = rest.strip_prefix("review-sheet/") {
        format!("{} {sheet}", view.t("レビューシート", "review sheet"))
    } else {
        rest.to_owned()
    }
}

/// One figure of a chart.
pub(super) struct Point {
    pub year: i32,
    /// Its series: an index into the chart's legend.
    pub series: usize,
    pub value: f64,
    /// What hovering shows: the figure, its stage and its source.
    pub title: String,
    /// Where a click goes: the source line, the budget line, the year's rows.
    pub href: String,
}

/// A bar as drawn (SVG user units).
pub(super) struct Bar {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub class: &'static str,
    pub title: String,
    pub href: String,
}

/// A bar chart by fiscal year, drawn inline (templates/macros.html `chart`).
pub(super) struct Chart {
    pub label: String,
    pub width: f64,
    pub height: f64,
    /// The plot's baseline (y) and the largest value's label.
    pub base: f64,
    pub top_label: String,
    pub bars: Vec<Bar>,
    /// (x of the year's centre, its label).
    pub years: Vec<(f64, String)>,
    /// (series name, its CSS class).
    pub legend: Vec<(String, &'static str)>,
}

/// The classes of the series, in order (explorer.css colours them).
const SERIES: [&str; 4] = ["s0", "s1", "s2", "s3"];

impl Chart {
    /// Lays out the points, one group of bars a fiscal year; None when there is nothing to draw.
    pub fn new(label: String, legend: Vec<String>, points: Vec<Point>) -> Option<Chart> {
        let max = points.iter().map(|p| p.value).fold(0.0_f64, f64::max);
        if points.is_empty() || max <= 0.0 {
            return None;
        }
        let mut years: Vec<i32> = points.iter().map(|p| p.year).collect();
        years.sort_unstable();
        years.dedup();
        let series = legend.len().clamp(1, SERIES.len());
        let (top, base) = (18.0, 200.0);
        // At most 720 wide, and no wider than 90 a year: one year is not a wall of colour.
        let group = ((720.0 - 16.0) / years.len() as f64).min(90.0);
        let width = (16.0 + group * years.len() as f64).max(240.0);
        let bar = group * 0.8 / series as f64;
        let x_of = |year: i32| {
            let i = years.iter().position(|y| *y == year).unwrap_or_default();
            8.0 + group * i as f64 + group * 0.1
        };
        let bars = points
            .into_iter()
            .map(|p| {
                let s = p.series.min(series - 1);
                let h = (p.value.max(0.0) / max * (base - top)).max(1.0);
                Bar {
                    x: x_of(p.year) + bar * s as f64,
                    y: base - h,
                    w: (bar - 1.0).max(1.0),
                    h,
                    class: SERIES[s],
                    title: p.title,
                    href: p.href,
                }
            })
            .collect();
        Some(Chart {
            label,
            width,
            height: base + 22.0,
            base,
            top_label: format!("{max:.1}"),
            bars,
            years: years
                .iter()
                .map(|y| (x_of(*y) + group * 0.4, y.to_string()))
                .collect(),
            legend: legend.into_iter().zip(SERIES).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yen_reads_as_oku_with_two_decimals() {
        assert_eq!(oku_from_yen("55249627270"), "552.50");
        assert_eq!(oku_from_yen("n/a"), "n/a");
    }

    #[test]
    fn only_lines_have_line_pages() {
        assert_eq!(
            line_path(&format!("{ID}rs/2958")).as_deref(),
            Some("/explore/line/rs/2958")
        );
        assert!(line_path(&format!("{ID}program/dementia-rd")).is_none());
        assert!(line_path("https://example.org/rs/1").is_none());
    }

    #[test]
    fn bars_scale_to_the_largest_and_group_by_year() {
        let p = |year, series, value| Point {
            year,
            series,
            value,
            title: String::new(),
            href: String::new(),
        };
        let chart = Chart::new(
            "c".into(),
            vec!["a".into(), "b".into()],
            vec![p(2023, 0, 10.0), p(2024, 0, 5.0), p(2024, 1, 2.5)],
        )
        .expect("a chart");
        assert_eq!(chart.years.len(), 2);
        let heights: Vec<f64> = chart.bars.iter().map(|b| b.h).collect();
        assert!((heights[0] - 2.0 * heights[1]).abs() < 1e-9);
        assert!((heights[1] - 2.0 * heights[2]).abs() < 1e-9);
        assert!(chart.bars[2].x > chart.bars[1].x);
        assert!(Chart::new("c".into(), vec![], vec![p(2023, 0, 0.0)]).is_none());
    }
}

/// The evidence the timeline queries write (in English, as their CSV keeps it) in Japanese,
/// for Japanese pages: each known phrase translated, the names and numbers kept.
pub(super) fn evidence_ja(text: &str) -> String {
    static RULES: std::sync::OnceLock<Vec<(regex::Regex, &'static str)>> =
        std::sync::OnceLock::new();
    let rules = RULES.get_or_init(|| {
        [
            (r"\(predecessor: another program's line, which this program succeeded\)", "（前身：この事業が引き継いだ別の事業の行）"),
            (r"\(successor: a new program's line taking over RS (\d+)\)", "（後継：RS $1 を引き継いだ新しい事業の行）"),
            (r"\(exact\)", "（同一の事業）"),
            (r"; execution over its budget \(rs:executionOverBudget\)", "；執行額が予算を超える（rs:executionOverBudget）"),
            (r"; suspected unit slip \(rs:suspectedUnitSlip\)", "；単位の誤りの疑い（rs:suspectedUnitSlip）"),
            (r"; repeats the previous edition's figures \(rs:repeatsPreviousEdition\)", "；前の版の額の繰り返し（rs:repeatsPreviousEdition）"),
            (r"^sheet ", "シート "),
            (r"^line (\d+)$", "資料の$1行目"),
            (r"^overview table, amed, line (\d+)$", "総括表・AMED分（$1行目）"),
            (r"^overview table, inhouse, line (\d+)$", "総括表・インハウス分（$1行目）"),
            (r"(\d+) aggregate lines? left out \(its project share is counted where the source gives one\)", "一括計上の行$1本は除く（出典がプロジェクトの分担を示すものはそれを計上）"),
            (r"(\d+) own lines?", "自身の行$1本"),
            (r"(\d+) project-share lines?", "プロジェクト分担の行$1本"),
            (r"(\d+) lines? wider than (?:its program|their programs) \(whole\)", "事業より広い行$1本（whole）"),
            (r"(\d+) lines? incl\. an aggregate line", "行$1本（一括計上の行を含む）"),
            (r"(\d+) left out: suspected unit slip \(rs:suspectedUnitSlip\)", "$1件は単位の誤りの疑いで除く（rs:suspectedUnitSlip）"),
            (r"^(\d+) lines?", "行$1本"),
            (r"; ", "；"),
        ]
        .into_iter()
        .map(|(p, r)| (regex::Regex::new(p).expect("a valid pattern"), r))
        .collect()
    });
    rules.iter().fold(text.to_owned(), |t, (re, with)| {
        re.replace_all(&t, *with).into_owned()
    })
}

#[cfg(test)]
mod evidence {
    use super::evidence_ja;

    #[test]
    fn the_timelines_evidence_reads_in_japanese() {
        assert_eq!(evidence_ja("line 345"), "資料の345行目");
        assert_eq!(
            evidence_ja("RS 2958 医療研究開発推進事業費補助金 (exact), 2958-fy2024"),
            "RS 2958 医療研究開発推進事業費補助金 （同一の事業）, 2958-fy2024"
        );
        assert_eq!(
            evidence_ja("3 own lines; 1 aggregate line left out (its project share is counted where the source gives one)"),
            "自身の行3本；一括計上の行1本は除く（出典がプロジェクトの分担を示すものはそれを計上）"
        );
        assert_eq!(
            evidence_ja("1 line incl. an aggregate line"),
            "行1本（一括計上の行を含む）"
        );
        assert_eq!(
            evidence_ja("overview table, amed, line 10"),
            "総括表・AMED分（10行目）"
        );
        let any = evidence_ja("sheet 2015/経済産業省/0089 未来医療 (predecessor: another program's line, which this program succeeded), fy2014");
        assert!(
            any.starts_with("シート 2015/経済産業省/0089 未来医療 （前身"),
            "{any}"
        );
    }
}
