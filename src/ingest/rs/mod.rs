//! Reader of the administrative project review open data (行政事業レビュー, the RS system):
//! its CSV files, bare or in the ZIPs it publishes, in UTF-8 (with or without BOM) or
//! Shift_JIS (CP932), turned into one record per budget program (予算事業ID) and then into
//! RDF in the graph `https://w3id.org/medrd-kg/graph/rs` (vocabulary: `ontology/rs.ttl`).
//!
//! Which file is which comes from its header, not its name: a file with 予算年度 and
//! 当初予算 columns is a budget-and-execution summary (2-1), one with 事業名 and 府省庁 but no
//! 予算年度 is basic information (1-2). The header row is the first row holding a
//! 予算事業ID column; rows above it are notes.
//!
//! Amounts are stored in yen. The unit of an amount column is, first, the unit written in
//! its header (`当初予算（合計）（千円）`: 円, 千円, 百万円 or 億円), else the unit of a note row
//! above the header (`（単位：千円）`), else yen. Cells may use thousands separators,
//! full-width digits and ▲/△ for negative numbers; `-`, `―` or an empty cell is no value.
//! 執行率 is kept as printed, in percent (a trailing `%` is dropped).
//!
//! One budget program appears in several review years; per budget year (予算年度) the figures
//! of the latest review year (事業年度) are kept, and the name, ministry and URL of the
//! latest basic-information row (older names become `skos:altLabel`). The real 2-1 file has
//! one row per account (会計区分, 会計, 勘定) of a program and year: rows of the same program,
//! budget year and review year are summed.
//!
//! A file with 支出先名 and 金額 columns is the recipients file (5-1 支出先_支出情報): each row
//! is a payment of the program to a recipient, identified by its 法人番号 where the row has a
//! valid one (IRI `http://hojin-info.go.jp/data/basic/{法人番号}`, the scheme of the 法人番号
//! LOD served by gBizINFO's SPARQL endpoint https://api.info.gbiz.go.jp/sparql; see also
//! `link/identifiers.rs`).
//!
//! ZIPs are inflated with a cap ([`DEFAULT_MAX_UNZIPPED`] in total, configurable): an entry
//! that would pass it stops the import with its name, so a ZIP bomb cannot exhaust memory.
//! Every error names the file (and the ZIP entry), the line and the column.

use crate::error::{Error, Result};
use crate::ingest::link::normalize::squeeze;
use crate::ingest::quad_list::QuadList;
use crate::inputs::{escape, shown};
use crate::vocab::{ext, ID};
use oxigraph::model::{
    GraphName, GraphNameRef, Literal, LiteralRef, NamedNode, NamedNodeRef, Quad, QuadRef, Term,
};
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use unicode_normalization::UnicodeNormalization;

/// Namespace of the RS vocabulary (`ontology/rs.ttl`).
pub const RS: &str = "https://w3id.org/medrd-kg/rs#";
/// The named graph of the imported RS records.
pub const RS_GRAPH: NamedNodeRef<'static> =
    NamedNodeRef::new_unchecked("https://w3id.org/medrd-kg/graph/rs");

/// Terms of the RS vocabulary, declared in `ontology/rs.ttl`.
pub mod term {
    use oxigraph::model::NamedNodeRef;
    macro_rules! rs { ($($name:ident = $local:literal),* $(,)?) => {
        $( pub const $name: NamedNodeRef<'static> =
            NamedNodeRef::new_unchecked(concat!("https://w3id.org/medrd-kg/rs#", $local)); )*
        /// Every term, for the declaration test.
        pub const ALL: &[NamedNodeRef<'static>] = &[$($name),*];
    }; }
    rs!(
        BUDGET_PROJECT = "BudgetProject",
        BUDGET_LINE = "BudgetLine",
        REVIEW_SHEET = "ReviewSheet",
        BUDGET_RECORD = "BudgetRecord",
        CANDIDATE_LINK = "CandidateLink",
        PROJECT_ID = "projectId",
        MINISTRY_NAME = "ministryName",
        MINISTRY = "ministry",
        BUREAU_NAME = "bureauName",
        PURPOSE = "purpose",
        OVERVIEW_URL = "overviewUrl",
        START_YEAR = "startYear",
        RECORD_OF = "recordOf",
        REVIEW_YEAR = "reviewYear",
        BUDGET_YEAR = "budgetYear",
        INITIAL_BUDGET = "initialBudget",
        SUPPLEMENTARY_BUDGET = "supplementaryBudget",
        EXECUTED_AMOUNT = "executedAmount",
        EXECUTION_RATE = "executionRate",
        NEXT_YEAR_REQUEST = "nextYearRequest",
        DEMAND_AMOUNT = "demandAmount",
        OVERVIEW = "overview",
        CARRYOVER_FROM_PREVIOUS = "carryoverFromPrevious",
        RESERVE_FUND = "reserveFund",
        REMARKS = "remarks",
        SUSPECTED_UNIT_SLIP = "suspectedUnitSlip",
        EXECUTION_OVER_BUDGET = "executionOverBudget",
        REPEATS_PREVIOUS_EDITION = "repeatsPreviousEdition",
        PAYMENT_YEAR = "paymentYear",
        ANONYMISED = "anonymised",
        AGGREGATE_LINE = "AggregateLine",
        AGGREGATE_EVIDENCE = "aggregateEvidence",
        PAYMENT = "Payment",
        PAYMENT_OF = "paymentOf",
        PAYEE = "payee",
        PAYEE_NAME = "payeeName",
        CORPORATE_NUMBER = "corporateNumber",
        AMOUNT = "amount",
        RELATION = "relation",
        HAS_PART_IN_RS = "hasPartInRs",
        PART_OF_RS_PROGRAM = "partOfRsProgram",
        FUNDED_THROUGH_AGGREGATE = "fundedThroughAggregate",
        LINKED_LINE = "linkedLine",
        SAME_BUDGET_LINE = "sameBudgetLine",
        PROJECT_SHARE = "projectShare",
        PREDECESSOR_LINE = "predecessorLine",
        LINK_SUBJECT = "linkSubject",
        LINK_OBJECT = "linkObject",
        MATCH_SCORE = "matchScore",
        DECISION = "decision",
        DECISION_BASIS = "decisionBasis",
        // The review sheets (JUDGIT!, `ingest::judgit`).
        SHEET_NUMBER = "sheetNumber",
        END_YEAR = "endYear",
        CONTINUES = "continues",
        CONTINUED_AS = "continuedAs",
        SUCCESSOR_OF = "successorOf",
        SHARE_OF = "shareOf",
        PAYMENT_DETAIL = "PaymentDetail",
        PAYMENT_BLOCK = "paymentBlock",
        DETAIL_OF = "detailOf",
        BUSINESS_DESCRIPTION = "businessDescription",
        OUTCOME = "Outcome",
        OUTPUT = "Output",
        RESULT = "Result",
        OUTCOME_OF = "outcomeOf",
        OUTPUT_OF = "outputOf",
        RESULT_OF = "resultOf",
        GOAL = "goal",
        INDICATOR = "indicator",
        UNIT = "unit",
        TARGET_TEXT = "targetText",
        TARGET_YEAR = "targetYear",
        RESULT_YEAR = "resultYear",
        ACTUAL = "actual",
        TARGET = "target",
        // Added for the review sheets (the end of ontology/rs.ttl).
        RECORD_OF_SHEET = "recordOfSheet",
        CARRYOVER_TO_NEXT = "carryoverToNext",
        BUDGET_TOTAL = "budgetTotal",
        UNRELIABLE_COMPONENTS = "unreliableComponents",
        SPLIT_FROM = "splitFrom",
    );
}

/// One year of a budget program's budget and execution (a 2-1 row).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RsBudget {
    pub review_year: Option<i32>,
    pub budget_year: i32,
    /// 当初予算（合計）, in yen.
    pub initial: Option<i64>,
    /// 補正予算（合計）, in yen.
    pub supplementary: Option<i64>,
    /// 前年度からの繰越し（合計）, in yen.
    pub carryover: Option<i64>,
    /// 予備費等（合計）, in yen.
    pub reserve: Option<i64>,
    /// 執行額（合計）, in yen.
    pub executed: Option<i64>,
    /// 執行率 as printed, in percent.
    pub execution_rate: Option<f64>,
    /// 翌年度要求額（合計）, in yen: the request for `budget_year + 1`.
    pub next_request: Option<i64>,
    /// 要望額, in yen.
    pub demand: Option<i64>,
}

impl RsBudget {
    /// Why the 執行額 looks off by a unit, if it does: over 100 times the money it is spent
    /// from (initial + supplementary + carry-over + reserve). RS 2025 prints 429,298,327,000
    /// yen executed for line 719's FY2024 (総務省) against an initial budget of 500,000,000 and
    /// an execution rate of 85859.7%: in thousand yen it would read 85.9%, but the source
    /// does not say so. The figure is kept as printed and flagged (rs:suspectedUnitSlip), so
    /// that sums can leave it out and say so; it is never corrected here.
    pub fn unit_slip(&self) -> Option<String> {
        let executed = self.executed?;
        let budget: i64 = [
            self.initial,
            self.supplementary,
            self.carryover,
            self.reserve,
        ]
        .iter()
        .flatten()
        .fold(0i64, |a, b| a.saturating_add(*b));
        if budget <= 0 || executed <= budget.saturating_mul(100) {
            return None;
        }
        let rate = self
            .execution_rate
            .map(|r| format!("; 執行率 {r}%"))
            .unwrap_or_default();
        Some(format!(
            "執行額 {} yen is {:.1} times the budget it is spent from ({} yen: initial + \
             supplementary + carry-over + reserve){rate}: a unit slip in the source is likely; \
             kept as printed, left out of sums",
            crate::text::thousands(executed),
            executed as f64 / budget as f64,
            crate::text::thousands(budget)
        ))
    }

    /// The budget the execution is spent from: initial + supplementary + carry-over +
    /// reserve, in yen (None when no part is given).
    fn spendable(&self) -> Option<i64> {
        let parts = [
            self.initial,
            self.supplementary,
            self.carryover,
            self.reserve,
        ];
        parts
            .iter()
            .any(Option::is_some)
            .then(|| parts.iter().flatten().sum())
    }

    /// Why the execution is flagged as over its budget: more than the budget it is spent
    /// from (not a unit slip, which [`Self::unit_slip`] flags; possible when the sheet
    /// counts differently, so kept and shown with the flag, never corrected).
    pub fn over_budget(&self) -> Option<String> {
        let (executed, budget) = (self.executed?, self.spendable()?);
        // Half a percent over is the sheets' rounding (5,346,727,079 against 5,346,727,074).
        if budget <= 0 || executed <= budget + budget / 200 || self.unit_slip().is_some() {
            return None;
        }
        Some(format!(
            "執行額 {} yen is {:.1}% of the budget it is spent from ({} yen: initial + \
             supplementary + carry-over + reserve): kept as printed, read with care",
            crate::text::thousands(executed),
            executed as f64 * 100.0 / budget as f64,
            crate::text::thousands(budget)
        ))
    }

    /// Why this record (of one edition) looks like a repeat of the previous budget year's
    /// record (of the previous edition): its initial budget and next-year request equal that
    /// record's to the yen although that year had asked for more or less than it got — a
    /// flat line (request = initial, year after year: 141's 175億) is not flagged, 6480 of
    /// RS 2025 is (947,235,000 and 1,118,133,000 again). A flag to read the figure with,
    /// not a correction.
    pub fn repeats(&self, previous: &RsBudget) -> Option<String> {
        let same = |a: Option<i64>, b: Option<i64>| a.is_some_and(|v| v != 0) && a == b;
        if !(same(self.initial, previous.initial)
            && same(self.next_request, previous.next_request)
            && previous.next_request != previous.initial)
        {
            return None;
        }
        Some(format!(
            "initial budget {} yen and next-year request {} yen equal to the yen those of \
             budget year {}{}: carried over or flat, not new evidence",
            crate::text::thousands(self.initial.unwrap_or(0)),
            crate::text::thousands(self.next_request.unwrap_or(0)),
            previous.budget_year,
            previous
                .review_year
                .map(|y| format!(" (review year {y})"))
                .unwrap_or_default()
        ))
    }
}

/// One payment of a budget program to a recipient (a 5-1 row).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RsPayment {
    pub review_year: Option<i32>,
    /// 支出先名.
    pub name: String,
    /// 法人番号, when the row has a valid one (13 digits, check digit right).
    pub corporate_number: Option<String>,
    /// 金額, in yen.
    pub amount: Option<i64>,
}

/// Whether a recipient's name stands in for a person or an unknown recipient rather than
/// naming one: その他, 個人, 確認中, 未定, a dash, or a role with a letter (個人A, 研究者Ｂ,
/// 職員C, 委員D…) as the RS 5-1 files and the review sheets write them. Two such names are
/// never taken for one recipient.
pub fn anonymised(name: &str) -> bool {
    let n = squeeze(name);
    const PLACEHOLDERS: [&str; 9] = [
        "その他",
        "個人",
        "確認中",
        "未定",
        "非公表",
        "-",
        "ー",
        "―",
        "‐",
    ];
    const ROLES: [&str; 10] = [
        "個人",
        "研究者",
        "職員",
        "委員",
        "有識者",
        "講師",
        "専門家",
        "協力者",
        "謝金対象者",
        "外国人",
    ];
    if n.is_empty() || PLACEHOLDERS.contains(&n.as_str()) {
        return true;
    }
    ROLES.iter().any(|role| {
        n.strip_prefix(role).is_some_and(|rest| {
            (1..=2).contains(&rest.chars().count()) && rest.chars().all(|c| c.is_ascii_uppercase())
        })
    })
}

/// The IRI of a 法人番号 in the 法人番号 LOD / gBizINFO scheme.
pub fn corporate_iri(number: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("http://hojin-info.go.jp/data/basic/{number}"))
}

/// A 法人番号 if `s` is a valid one (13 digits whose first is the check digit of the rest).
pub fn valid_corporate_number(s: &str) -> Option<String> {
    let t = squeeze(s);
    let d = crate::ingest::link::identifiers::houjin_check_digit(t.get(1..)?)?;
    (t.len() == 13 && t.starts_with(char::from_digit(d, 10)?)).then_some(t)
}

/// What is inflated from ZIPs at most, in total, by default: 1 GiB.
pub const DEFAULT_MAX_UNZIPPED: u64 = 1 << 30;

/// One budget program of the RS data (予算事業ID), merged over files and years.
#[derive(Clone, Debug, Default)]
pub struct RsProject {
    pub id: String,
    /// Latest name first, then older names.
    pub names: Vec<String>,
    pub ministry: String,
    pub bureau: String,
    pub purpose: String,
    /// 事業の概要.
    pub overview: String,
    /// 備考.
    pub remarks: String,
    pub url: String,
    pub start_year: Option<i32>,
    /// 旧事業番号 (RS 2024: the review sheet number of the line before the RS system, as
    /// printed, e.g. `2023-総務-22-0054`; read by the review-sheet bridge, `ingest::judgit`).
    pub old_number: String,
    /// By budget year (予算年度).
    pub budgets: BTreeMap<i32, RsBudget>,
    /// The files the program was read from.
    pub sources: BTreeSet<String>,
    /// Payments to recipients (5-1 rows), in file order.
    pub payments: Vec<RsPayment>,
    /// Review year of the basic information kept (to keep the latest).
    info_year: i32,
    /// The payments' amounts added up in absolute value (bounded by [`MAX_SUM_YEN`]).
    paid_total: i64,
    /// Names seen, by review year.
    seen_names: BTreeMap<i32, BTreeSet<String>>,
}

impl RsProject {
    /// The current name (of the latest review year), or the id when no name was read.
    pub fn name(&self) -> &str {
        self.names.first().map(String::as_str).unwrap_or(&self.id)
    }

    /// True when some budget year has a budget or a request above zero.
    pub fn has_money(&self) -> bool {
        self.budgets
            .values()
            .any(|b| b.budget() > 0 || b.next_request.unwrap_or(0) > 0)
    }

    /// True when the sheet (事業の目的, 事業の概要) names AMED.
    pub fn names_amed(&self) -> bool {
        let text = format!("{}{}", self.purpose, self.overview);
        text.contains("日本医療研究開発機構") || text.contains("AMED")
    }

    /// Why this line is an aggregate line (one budget line behind which many research
    /// programs are funded through AMED), from what its sheet says, or `None`: the sheet names
    /// AMED, it points to an annex for the individual programs (別紙) or lists two or more
    /// integrated projects (…プロジェクト), and it has money. RS 2024's sheet of the MHLW line
    /// says 別紙; RS 2025's dropped the word but lists the projects.
    pub fn aggregate_evidence(&self) -> Option<String> {
        if !self.names_amed() || !self.has_money() {
            return None;
        }
        let text = format!("{}{}", self.purpose, self.overview);
        let projects = text.matches("プロジェクト").count();
        if text.contains("別紙") || self.remarks.contains("別紙") {
            Some(
                "sheet names AMED and refers to an annex (別紙) for the individual programs".into(),
            )
        } else if projects >= 2 {
            Some(format!(
                "sheet names AMED and lists integrated projects ({projects} mentions of プロジェクト)"
            ))
        } else {
            None
        }
    }
}

/// What was read from one CSV file.
#[derive(Clone, Debug)]
pub struct RsFile {
    pub name: String,
    pub encoding: &'static str,
    pub kind: &'static str,
    pub rows: usize,
    /// The amount unit per amount column (yen per unit), as detected.
    pub units: Vec<(String, i64)>,
}

/// All RS programs read from a set of files.
#[derive(Clone, Debug, Default)]
pub struct RsData {
    pub projects: BTreeMap<String, RsProject>,
    pub files: Vec<RsFile>,
}

fn import_err(path: &Path, message: impl Into<String>) -> Error {
    Error::Import {
        path: path.to_owned(),
        message: message.into(),
    }
}

impl RsData {
    /// Reads CSV files and ZIPs of CSV files (by extension; inside a ZIP every `.csv`), with
    /// the default cap on what is inflated.
    pub fn read(paths: &[PathBuf]) -> Result<Self> {
        Self::read_with_limit(paths, DEFAULT_MAX_UNZIPPED)
    }

    /// Reads CSV files and ZIPs of CSV files, inflating at most `max_unzipped` bytes in total.
    /// Every file is streamed: memory follows what is kept (programs, figures, payments),
    /// not the size of a file or of what a ZIP inflates to. A thread of its own inflates and
    /// splits the files into rows (`Scan`) while this one takes them, in the files' order.
    /// An error of the scan comes after the rows before it, which are taken first; an error
    /// taking a row stops the scan at its next row. So the error returned is the first in
    /// the files' order (an entry inflating past the limit ends in an error before its last
    /// row, cut short, is handed over).
    pub fn read_with_limit(paths: &[PathBuf], max_unzipped: u64) -> Result<Self> {
        let what = paths.first().map_or(Path::new("."), PathBuf::as_path);
        let mut data = Self::read_scanned(what, |scan| scan.files(paths, max_unzipped))?;
        for p in data.projects.values_mut() {
            // The current name first, then older names, latest review year first.
            let mut names: Vec<String> = p.names.iter().take(1).cloned().collect();
            for set in p.seen_names.values().rev() {
                for n in set {
                    if !names.contains(n) {
                        names.push(n.clone());
                    }
                }
            }
            p.names = names;
        }
        Ok(data)
    }

    /// The rows `scan` hands over on a thread of its own ([`Scan`]), taken here in turn;
    /// `what` names the input in an error starting that thread.
    fn read_scanned(
        what: &Path,
        scan: impl FnOnce(&mut Scan<'_>) -> Result<()> + Send,
    ) -> Result<Self> {
        let mut data = RsData::default();
        let stopped = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Scanned>>(SCAN_AHEAD);
            let stopped = &stopped;
            let scanner = std::thread::Builder::new()
                .name("medrd-rs-scan".into())
                .spawn_scoped(scope, move || {
                    let mut scanning = Scan {
                        tx,
                        rows: Vec::new(),
                        bytes: 0,
                        stopped,
                    };
                    if let Err(e) = scan(&mut scanning) {
                        // The rows before the error first, as when each row was taken as
                        // it was read; refused only when the taker stopped at an error of
                        // its own, which is then the one reported.
                        let _ = scanning.flush();
                        let _ = scanning.tx.send(Err(e));
                    }
                })
                .map_err(|e| import_err(what, format!("no thread to read the RS files on: {e}")))?;
            let taken = data.take_scanned(rx);
            if taken.is_err() {
                stopped.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            // A scan that panicked ended the rows early: the panic is passed on, unless the
            // taking side had already stopped at an error, which is then the one reported.
            if let Err(panic) = scanner.join() {
                if taken.is_ok() {
                    std::panic::resume_unwind(panic);
                }
            }
            taken
        })?;
        Ok(data)
    }

    /// Takes the rows [`Scan`] gives into the programs, file by file; its error, when one
    /// comes, after the rows before it.
    fn take_scanned(&mut self, rx: std::sync::mpsc::Receiver<Result<Scanned>>) -> Result<()> {
        let mut file: Option<(PathBuf, Layout, usize)> = None;
        for scanned in rx {
            match scanned? {
                Scanned::Header { path, layout } => file = Some((path, layout, 0)),
                Scanned::Rows(rows) => {
                    let (path, layout, taken) = file.as_mut().expect("rows come after a header");
                    for (line, row) in rows {
                        let cells: Vec<&str> = row.iter().collect();
                        *taken += 1;
                        self.take_row(path, layout, line, &cells)?;
                    }
                }
                Scanned::End { encoding } => {
                    let (_, layout, rows) = file.take().expect("an end comes after a header");
                    self.files.push(layout.file(encoding, rows));
                }
            }
        }
        Ok(())
    }

    /// Takes one data row of a file of the given layout into the programs.
    fn take_row(
        &mut self,
        path: &Path,
        layout: &Layout,
        line: usize,
        cells: &[&str],
    ) -> Result<()> {
        let Layout {
            cols,
            header,
            kind,
            short,
            id_col,
        } = layout;
        let (kind, id_col) = (*kind, *id_col);
        let cell = |i: Option<usize>| -> String {
            i.and_then(|i| cells.get(i))
                .map(|c| c.trim().to_owned())
                .unwrap_or_default()
        };
        let id = normalize_id(&cell(Some(id_col)));
        if id.is_empty() {
            return Ok(());
        }
        let review_year = year(&cell(cols.find("事業年度")));
        let p = self
            .projects
            .entry(id.clone())
            .or_insert_with(|| RsProject {
                id: id.clone(),
                ..RsProject::default()
            });
        p.sources.insert(short.clone());
        let name = cell(cols.find("事業名"));
        if !name.is_empty() {
            p.seen_names
                .entry(review_year.unwrap_or(0))
                .or_default()
                .insert(name.clone());
        }
        let ry = review_year.unwrap_or(0);
        let fill = |field: &mut String, v: String| {
            if !v.is_empty() {
                *field = v;
            }
        };
        if kind == "basic" && (ry >= p.info_year || p.names.is_empty()) {
            p.info_year = ry;
            if !name.is_empty() {
                p.names = vec![name];
            }
            fill(&mut p.ministry, cell(cols.find("府省庁")));
            fill(&mut p.bureau, cell(cols.find("局・庁")));
            fill(&mut p.purpose, cell(cols.find("事業の目的")));
            fill(&mut p.overview, cell(cols.find("事業の概要")));
            fill(&mut p.remarks, cell(cols.find("備考")));
            fill(&mut p.url, cell(cols.find("事業概要url")));
            fill(&mut p.old_number, cell(cols.find("旧事業番号")));
            p.start_year = year(&cell(cols.find("事業開始年度"))).or(p.start_year);
        } else if kind == "recipients" {
            if p.names.is_empty() && !name.is_empty() {
                p.names = vec![name];
            }
            if p.ministry.is_empty() {
                fill(&mut p.ministry, cell(cols.find("府省庁")));
            }
            let i = cols.find("金額").expect("recipients file has 金額");
            let amount = parse_amount(&cell(Some(i)), cols.units[i]).map_err(|m| {
                Error::data(path, line, format!("column {} ({}): {m}", i + 1, header[i]))
            })?;
            let payee = cell(cols.find("支出先名"));
            if payee.is_empty() && amount.is_none() {
                return Ok(());
            }
            // Payments of one recipient are added up when written: their total (in absolute
            // value) is kept within what a yen amount holds, so no sum can overflow.
            p.paid_total = p
                .paid_total
                .checked_add(amount.unwrap_or(0).abs())
                .filter(|t| *t <= MAX_SUM_YEN)
                .ok_or_else(|| {
                    Error::data(
                        path,
                        line,
                        format!(
                            "the payments of program {} add up past {MAX_SUM_YEN} yen: not a \
                             figure of a budget line",
                            p.id
                        ),
                    )
                })?;
            p.payments.push(RsPayment {
                review_year,
                name: payee,
                corporate_number: valid_corporate_number(&cell(cols.find("法人番号"))),
                amount,
            });
        } else if kind == "budget" {
            if p.names.is_empty() && !name.is_empty() {
                p.names = vec![name];
            }
            if p.ministry.is_empty() {
                fill(&mut p.ministry, cell(cols.find("府省庁")));
            }
            let Some(budget_year) = year(&cell(cols.find("予算年度"))) else {
                return Err(Error::data(path, line, "予算年度 is empty or not a year"));
            };
            let amount = |key: &'static str| -> Result<Option<i64>> {
                let Some(i) = cols.find(key) else {
                    return Ok(None);
                };
                parse_amount(&cell(Some(i)), cols.units[i]).map_err(|m| {
                    Error::data(path, line, format!("column {} ({}): {m}", i + 1, header[i]))
                })
            };
            let rate = match cols.find("執行率") {
                Some(i) => parse_number(&cell(Some(i))).map_err(|m| {
                    Error::data(path, line, format!("column {} ({}): {m}", i + 1, header[i]))
                })?,
                None => None,
            };
            let b = RsBudget {
                review_year,
                budget_year,
                initial: amount("当初予算")?,
                supplementary: amount("補正予算")?,
                carryover: amount("前年度からの繰越し")?,
                reserve: amount("予備費等")?,
                executed: amount("執行額")?,
                execution_rate: rate,
                next_request: amount("翌年度要求額")?,
                demand: amount("要望額")?,
            };
            // Rows of one review year add up (one per account); a later review replaces
            // an earlier one; an earlier one is ignored.
            match p.budgets.get_mut(&budget_year) {
                Some(old) if old.review_year == b.review_year => {
                    old.add(&b).map_err(|m| Error::data(path, line, m))?
                }
                Some(old) if old.review_year > b.review_year => {}
                _ => {
                    p.budgets.insert(budget_year, b);
                }
            }
        }
        Ok(())
    }
}

/// How many messages ([`Scanned`]: batches of rows, and each file's header and end) the
/// scanning thread may be ahead of the taking one, besides the batch it fills and the one
/// being taken.
const SCAN_AHEAD: usize = 4;

/// Rows a batch of [`Scanned::Rows`] holds at most.
const SCAN_BATCH: usize = 512;

/// Bytes of text after which a batch is handed over with fewer rows: what is in flight
/// stays within (`SCAN_AHEAD` + 2) batches of about this much (and one row), however long
/// the rows.
const SCAN_BATCH_BYTES: usize = 1 << 20;

/// What the scanning thread hands over, in the files' order.
enum Scanned {
    /// A CSV file's header row was found; its rows follow.
    Header { path: PathBuf, layout: Layout },
    /// The rows below the header that are not blank, with their lines, as UTF-8.
    Rows(Vec<(usize, csv::StringRecord)>),
    /// The CSV file ended (every row of it handed over), read as `encoding`.
    End { encoding: &'static str },
}

/// The scanning side of [`RsData::read_with_limit`]: opens the files, inflates the ZIPs'
/// entries within the limit and splits each CSV into rows below its header.
struct Scan<'a> {
    tx: std::sync::mpsc::SyncSender<Result<Scanned>>,
    /// Rows not yet handed over, and the bytes of their text.
    rows: Vec<(usize, csv::StringRecord)>,
    bytes: usize,
    /// Set when the taking side stopped at an error: scanning stops at the next row (a send
    /// would find it out only at the next batch).
    stopped: &'a std::sync::atomic::AtomicBool,
}

impl Scan<'_> {
    /// Hands `scanned` over; an error when the taker has stopped (its own error is the one
    /// reported).
    fn send(&mut self, scanned: Scanned) -> Result<()> {
        self.tx.send(Ok(scanned)).map_err(|_| Scan::stopped_error())
    }

    /// The error a scan stops with when the taking side has stopped: never reported, the
    /// taking side's own is.
    fn stopped_error() -> Error {
        Error::Import {
            path: PathBuf::new(),
            message: "the rows were no longer taken".into(),
        }
    }

    /// Hands over the rows not yet handed over.
    fn flush(&mut self) -> Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let rows = std::mem::take(&mut self.rows);
        self.bytes = 0;
        self.send(Scanned::Rows(rows))
    }

    /// Reads each file in turn: a ZIP's `.csv` entries, or a CSV file.
    fn files(&mut self, paths: &[PathBuf], max_unzipped: u64) -> Result<()> {
        let mut inflated: u64 = 0;
        for path in paths {
            // A regular file only: a FIFO or /dev/zero is refused, not read for ever.
            let mut file = crate::inputs::open(path, None)?;
            let mut magic = [0u8; 4];
            let n = read_up_to(&mut file, &mut magic).map_err(|e| Error::io(path, e))?;
            file.seek(SeekFrom::Start(0))
                .map_err(|e| Error::io(path, e))?;
            let is_zip = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
                || magic[..n] == *b"PK\x03\x04";
            if is_zip {
                self.zip(path, file, max_unzipped, &mut inflated)?;
            } else {
                let short = path.file_name().map_or_else(
                    || shown(path),
                    |n| escape(&n.to_string_lossy()).into_owned(),
                );
                self.csv(path, short, std::io::BufReader::new(file))?;
            }
        }
        Ok(())
    }

    /// Reads every `.csv` entry of a ZIP, each streamed as it inflates, `inflated` bytes in
    /// all at most `max_unzipped` (with what earlier ZIPs inflated).
    fn zip(
        &mut self,
        path: &Path,
        file: std::fs::File,
        max_unzipped: u64,
        inflated: &mut u64,
    ) -> Result<()> {
        let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file))
            .map_err(|e| import_err(path, format!("not a readable ZIP: {e}")))?;
        let mut found = 0;
        for i in 0..archive.len() {
            let entry = archive
                .by_index(i)
                .map_err(|e| import_err(path, format!("ZIP entry {i}: {e}")))?;
            // The name is the ZIP's, not the user's: printed with its control codes escaped.
            let raw = entry.name().to_owned();
            let name = escape(&raw).into_owned();
            if !entry.is_file() || !raw.to_lowercase().ends_with(".csv") {
                continue;
            }
            let left = max_unzipped.saturating_sub(*inflated);
            // The size the ZIP declares is checked first (no inflating at all when it is
            // over); it may lie, so what is inflated is capped as well.
            if entry.size() > left {
                return Err(import_err(
                    path,
                    format!(
                        "ZIP entry {name} declares {} bytes, past the limit of {max_unzipped} bytes in all (--max-unzipped); not read",
                        entry.size()
                    ),
                ));
            }
            let mut counted = Counted {
                inner: entry.take(left + 1),
                count: 0,
                cap: left,
            };
            let label = PathBuf::from(format!("{}!{name}", path.display()));
            let short = escape(raw.rsplit(['/', '\\']).next().unwrap_or(&raw)).into_owned();
            let read = self.csv(&label, short, &mut counted);
            if counted.count > left {
                return Err(import_err(
                    path,
                    format!(
                        "ZIP entry {name} inflates past the limit of {max_unzipped} bytes in all (--max-unzipped); not read"
                    ),
                ));
            }
            read?;
            *inflated += counted.count;
            found += 1;
        }
        if found == 0 {
            return Err(import_err(path, "the ZIP holds no .csv file"));
        }
        Ok(())
    }

    /// Splits one CSV file into rows as it streams in, and hands over those below its header
    /// row with the header's [`Layout`]. Rows above the header row may only be notes of one
    /// cell (`（単位：千円）`), at most [`MAX_NOTES`]; any other row there is an error, as is a
    /// file without a header row.
    fn csv(&mut self, path: &Path, short: String, bytes: impl Read) -> Result<()> {
        let text =
            crate::inputs::Utf8Stream::new(bytes).map_err(|e| import_err(path, e.to_string()))?;
        let encoding = text.encoding();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text);
        let mut note_unit: Option<i64> = None;
        let mut notes = 0;
        let mut header = false;
        let mut record = csv::ByteRecord::new();
        loop {
            let more = reader.read_byte_record(&mut record).map_err(|e| {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                Error::data(path, line, format!("bad CSV: {e}"))
            })?;
            if !more {
                break;
            }
            let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
            if header {
                let row = match csv::StringRecord::from_byte_record(std::mem::take(&mut record)) {
                    Ok(row) => row,
                    Err(e) => {
                        // The error as its cells name it, the column and character: the CSV
                        // reader checks each field as `utf8_cells` does, so that one fails
                        // and the reader's own message is only a fallback.
                        let message = e.utf8_error().to_string();
                        utf8_cells(path, line, &e.into_byte_record())?;
                        return Err(Error::data(path, line, message));
                    }
                };
                if row.iter().any(|c| !c.trim().is_empty()) {
                    self.bytes += row.as_byte_record().as_slice().len();
                    self.rows.push((line, row));
                    if self.rows.len() == SCAN_BATCH || self.bytes >= SCAN_BATCH_BYTES {
                        self.flush()?;
                    }
                } else if self.stopped.load(std::sync::atomic::Ordering::Relaxed) {
                    return Err(Scan::stopped_error());
                }
                continue;
            }
            let cells = utf8_cells(path, line, &record)?;
            let filled = cells.iter().filter(|c| !c.trim().is_empty()).count();
            if cells.iter().any(|c| column_key(c) == "予算事業id") {
                let names = cells.iter().map(|c| (*c).to_owned()).collect();
                let layout = Layout::new(path, short.clone(), names, note_unit)?;
                let path = path.to_owned();
                self.send(Scanned::Header { path, layout })?;
                header = true;
            } else if filled == 1 && notes < MAX_NOTES {
                notes += 1;
                note_unit = note_unit.max(cells.iter().find_map(|c| unit_of(c)));
            } else if filled > 0 {
                return Err(Error::data(
                    path,
                    line,
                    if filled == 1 {
                        format!("{} rows before any header row with a 予算事業ID column: a file's rows come below its header, and at most {MAX_NOTES} notes of one cell (（単位：千円）) above it", MAX_NOTES + 1)
                    } else {
                        format!("a row of {filled} cells before any header row with a 予算事業ID column: a file's rows come below its header (only notes of one cell, such as （単位：千円）, may stand above it)")
                    },
                ));
            }
        }
        if !header {
            return Err(import_err(
                path,
                format!(
                    "no header row with a 予算事業ID column (read as {})",
                    encoding.name()
                ),
            ));
        }
        self.flush()?;
        self.send(Scanned::End {
            encoding: encoding.name(),
        })
    }
}

/// What the header row of a file says: its columns (with their units), its kind and the
/// short name that records cite.
struct Layout {
    cols: Columns,
    header: Vec<String>,
    kind: &'static str,
    short: String,
    id_col: usize,
}

impl Layout {
    /// What a file of this layout was read as, with `rows` rows taken.
    fn file(self, encoding: &'static str, rows: usize) -> RsFile {
        let Layout {
            cols,
            header,
            kind,
            short,
            ..
        } = self;
        let units = ["当初予算", "補正予算", "執行額", "翌年度要求額", "要望額"]
            .iter()
            .filter_map(|k| cols.find(k).map(|i| (header[i].clone(), cols.units[i])))
            .collect();
        RsFile {
            name: short,
            encoding,
            kind,
            rows,
            units,
        }
    }

    /// The layout of a header row; `note_unit` is the unit a note above it names.
    fn new(
        path: &Path,
        short: String,
        header: Vec<String>,
        note_unit: Option<i64>,
    ) -> Result<Self> {
        let cols = Columns::new(&header, note_unit.unwrap_or(1));
        let is_budget = cols.find("予算年度").is_some() && cols.find("当初予算").is_some();
        let is_payments = cols.find("支出先名").is_some() && cols.find("金額").is_some();
        let is_info = cols.find("事業名").is_some() && cols.find("府省庁").is_some();
        let kind = if is_budget {
            "budget"
        } else if is_payments {
            "recipients"
        } else if is_info {
            "basic"
        } else {
            return Err(import_err(
                path,
                "unknown layout: neither basic information (事業名, 府省庁), a budget summary (予算年度, 当初予算) nor recipients (支出先名, 金額)",
            ));
        };
        let id_col = cols.find("予算事業id").expect("header has the id column");
        Ok(Layout {
            cols,
            header,
            kind,
            short,
            id_col,
        })
    }
}

impl RsBudget {
    /// Adds another account row of the same program, budget year and review year; a sum
    /// past [`MAX_SUM_YEN`] is an error (rows of absurd figures must not wrap around).
    fn add(&mut self, other: &RsBudget) -> std::result::Result<(), String> {
        fn sum(a: &mut Option<i64>, b: Option<i64>, what: &str) -> std::result::Result<(), String> {
            if let Some(b) = b {
                let total = a
                    .unwrap_or(0)
                    .checked_add(b)
                    .filter(|t| t.abs() <= MAX_SUM_YEN)
                    .ok_or_else(|| {
                        format!("{what} of the rows of one program and year adds up past {MAX_SUM_YEN} yen")
                    })?;
                *a = Some(total);
            }
            Ok(())
        }
        sum(&mut self.initial, other.initial, "当初予算")?;
        sum(&mut self.supplementary, other.supplementary, "補正予算")?;
        sum(&mut self.carryover, other.carryover, "前年度からの繰越し")?;
        sum(&mut self.reserve, other.reserve, "予備費等")?;
        sum(&mut self.executed, other.executed, "執行額")?;
        sum(&mut self.next_request, other.next_request, "翌年度要求額")?;
        sum(&mut self.demand, other.demand, "要望額")?;
        // The rate of the sum is not the sum of the rates: left out when rows were added.
        self.execution_rate = None;
        Ok(())
    }

    /// Total budget of the year as far as the summary says (当初 + 補正).
    pub fn budget(&self) -> i64 {
        self.initial
            .unwrap_or(0)
            .saturating_add(self.supplementary.unwrap_or(0))
    }
}

/// A 予算事業ID as compared everywhere: NFKC, spaces dropped, and leading zeros stripped
/// from an all-digit ID (the derived copies carry bare integers; a padded CSV must match).
pub fn normalize_id(s: &str) -> String {
    let t = squeeze(s);
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        let z = t.trim_start_matches('0');
        return if z.is_empty() { "0".into() } else { z.into() };
    }
    t
}

/// Reads into `buf` until it is full or the reader ends; returns how much was read.
fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// A reader that counts what passes through it (what a ZIP entry inflated to) and fails
/// once that is past `cap`: the entry's text then ends in an error, not in a row cut short
/// that would be taken (and reported) before the limit is.
struct Counted<R> {
    inner: R,
    count: u64,
    cap: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        if self.count > self.cap {
            return Err(std::io::Error::other("past the inflation limit"));
        }
        Ok(n)
    }
}

/// Most note rows (one cell each, such as （単位：千円）) above a file's header row.
const MAX_NOTES: usize = 10;

/// The cells of a record as text. The stream gives UTF-8 (Shift_JIS is decoded as it is
/// read), so a byte that is not UTF-8 is one of a file that reads as UTF-8: named with its
/// line and column, not read as Shift_JIS into a file without a header.
fn utf8_cells<'r>(path: &Path, line: usize, record: &'r csv::ByteRecord) -> Result<Vec<&'r str>> {
    record
        .iter()
        .enumerate()
        .map(|(i, field)| {
            std::str::from_utf8(field).map_err(|e| {
                let good = std::str::from_utf8(&field[..e.valid_up_to()]).unwrap_or("");
                Error::data(
                    path,
                    line,
                    format!(
                        "column {}, character {}: {}: not UTF-8, in a file that reads as \
                         UTF-8 (its first 64 KiB do): fix or remove them",
                        i + 1,
                        good.chars().count() + 1,
                        crate::inputs::hex(crate::inputs::broken_sequence(field, e.valid_up_to()))
                    ),
                )
            })
        })
        .collect()
}

/// A column name reduced for lookup: NFKC, no spaces, lower case.
fn column_key(s: &str) -> String {
    s.nfkc()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .trim_start_matches('\u{feff}')
        .to_owned()
}

/// Yen per unit named in a text (a header or a note): 億円, 百万円, 千円 or 円.
fn unit_of(text: &str) -> Option<i64> {
    let t = column_key(text);
    if t.contains("億円") {
        Some(100_000_000)
    } else if t.contains("百万円") {
        Some(1_000_000)
    } else if t.contains("千円") {
        Some(1_000)
    } else if t.contains("円") {
        Some(1)
    } else {
        None
    }
}

struct Columns {
    keys: Vec<String>,
    units: Vec<i64>,
    /// What [`Columns::find`] gave for each prefix asked so far: a row asks for a dozen
    /// columns, each by a scan of the header's names.
    found: std::cell::RefCell<Vec<(&'static str, Option<usize>)>>,
}

impl Columns {
    fn new(header: &[String], file_unit: i64) -> Self {
        Columns {
            keys: header.iter().map(|h| column_key(h)).collect(),
            units: header
                .iter()
                .map(|h| unit_of(h).unwrap_or(file_unit))
                .collect(),
            found: Default::default(),
        }
    }

    /// The column whose name starts with `prefix`, preferring a 合計 (total) column, then
    /// the column named exactly so (府省庁, not 府省庁の建制順).
    fn find(&self, prefix: &'static str) -> Option<usize> {
        let mut found = self.found.borrow_mut();
        if let Some((_, at)) = found.iter().find(|(p, _)| *p == prefix) {
            return *at;
        }
        let at = self.search(prefix);
        found.push((prefix, at));
        at
    }

    /// [`Columns::find`] without the memo.
    fn search(&self, prefix: &str) -> Option<usize> {
        let matching: Vec<usize> = (0..self.keys.len())
            .filter(|&i| self.keys[i].starts_with(prefix))
            .collect();
        matching
            .iter()
            .copied()
            .find(|&i| self.keys[i].contains("合計"))
            .or_else(|| matching.iter().copied().find(|&i| self.keys[i] == prefix))
            .or_else(|| matching.first().copied())
    }
}

/// A year: `2024`, `2024年度`, `令和6年度`, `令和元年度`, `R6`, `平成30年度` (Gregorian result).
fn year(s: &str) -> Option<i32> {
    let t = squeeze(s);
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    // 元年 is an era's first year (令和元年度 = 2019).
    let n: i32 = if digits.is_empty() && t.contains('元') {
        1
    } else {
        digits.parse().ok()?
    };
    if let Some(y) = crate::lang::era_year(&t, n) {
        Some(y)
    } else if (1900..=2200).contains(&n) {
        Some(n)
    } else {
        None
    }
}

/// The largest amount one cell may give, in yen: 10^15 (1,000兆円, ten times Japan's whole
/// general account), as for the documents' figures; beyond it a cell is a mistake, and sums
/// of such cells could pass what a 64-bit yen amount holds.
pub const MAX_YEN: i64 = 1_000_000_000_000_000;

/// The largest sum of amounts of one program (its accounts of a year, its payments): 10^18
/// yen, a thousand cells at [`MAX_YEN`], still within a 64-bit amount.
pub const MAX_SUM_YEN: i64 = 1_000_000_000_000_000_000;

/// A number as printed: separators, full-width digits, ▲/△ for minus, a trailing % or 円.
/// Only decimal digits with at most one point: `inf`, `NaN`, `1e400` are not numbers of a
/// budget sheet and are refused.
fn parse_number(s: &str) -> std::result::Result<Option<f64>, String> {
    let mut t = squeeze(s);
    t.retain(|c| !matches!(c, ',' | '円' | '%' | '¥'));
    if t.is_empty() || matches!(t.as_str(), "-" | "―" | "－" | "ー" | "−" | "—") {
        return Ok(None);
    }
    let (neg, t) = match t.strip_prefix(['▲', '△', '-', '−']) {
        Some(rest) => (true, rest),
        None => (false, t.as_str()),
    };
    let decimal = !t.is_empty()
        && t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && t.bytes().filter(|b| *b == b'.').count() <= 1
        && t.bytes().any(|b| b.is_ascii_digit());
    let v: f64 = t
        .parse()
        .ok()
        .filter(|v: &f64| decimal && v.is_finite())
        .ok_or_else(|| format!("{s:?} is not a number"))?;
    Ok(Some(if neg { -v } else { v }))
}

/// An amount in yen from a cell in `unit` yen; over [`MAX_YEN`] is an error.
fn parse_amount(s: &str, unit: i64) -> std::result::Result<Option<i64>, String> {
    let Some(v) = parse_number(s)? else {
        return Ok(None);
    };
    let yen = (v * unit as f64).round();
    if yen.abs() > MAX_YEN as f64 {
        return Err(format!(
            "{s:?} is {yen:e} yen, past {MAX_YEN} yen (1,000兆円): not a figure of a budget line"
        ));
    }
    Ok(Some(yen as i64))
}

/// The IRI of an RS budget program: `id/rs/<予算事業ID>` (non-ASCII percent-encoded).
pub fn project_iri(id: &str) -> NamedNode {
    let mut slug = String::new();
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            slug.push(b as char);
        } else {
            slug.push_str(&format!("%{b:02X}"));
        }
    }
    NamedNode::new_unchecked(format!("{ID}rs/{slug}"))
}

fn year_literal(y: i32) -> Literal {
    Literal::new_typed_literal(y.to_string(), ext::XSD_G_YEAR)
}

/// An amount in yen: a whole number, typed xsd:integer like the documents' `schema:value`
/// (one datatype for yen everywhere; engines that identify numbers by value, Virtuoso, would
/// otherwise merge "1"^^xsd:integer and "1"^^xsd:decimal).
fn yen(v: i64) -> Literal {
    Literal::new_typed_literal(v.to_string(), ext::XSD_INTEGER)
}

/// The RS records as RDF in the RS graph. `ministries` maps an RS 府省庁 name to our
/// ministry code (`mhlw` …) where one matches.
pub fn to_quads(data: &RsData, ministries: &BTreeMap<String, String>) -> QuadList {
    let mut quads = QuadList::new();
    let mut payees = Payees::default();
    for p in data.projects.values() {
        project_quads_into(&mut quads, p, ministries, &mut payees);
    }
    quads
}

/// The recipients described so far, over the programs of one import: a recipient is paid
/// many times, by many programs, and its description (`a org:Organization`, its 法人番号, a
/// name it was paid under) is stated the first time only. Stated again it changed nothing
/// (the same quad, in the same graph: see `sources::Placing`), but at national scale it was
/// 138k of the 1.46M quads the store was given.
#[derive(Default)]
pub struct Payees {
    /// By 法人番号, each with the names it was paid under.
    described: FxHashMap<String, BTreeSet<String>>,
}

impl Payees {
    /// Whether the recipient `corp` is described yet, and whether under `name`; notes both.
    fn note(&mut self, corp: &str, name: &str) -> (bool, bool) {
        match self.described.get_mut(corp) {
            // A name seen before (most of a recipient's payments) is looked up, not copied.
            Some(names) if names.contains(name) => (true, true),
            Some(names) => {
                names.insert(name.to_owned());
                (true, false)
            }
            None => {
                self.described
                    .insert(corp.to_owned(), BTreeSet::from([name.to_owned()]));
                (false, false)
            }
        }
    }
}

/// One program's part of [`to_quads`], appended to `quads`: its description, payments (with
/// the descriptions of payees not in `payees` yet), links and budget records.
pub fn project_quads_into(
    quads: &mut QuadList,
    p: &RsProject,
    ministries: &BTreeMap<String, String>,
    payees: &mut Payees,
) {
    let mut add = |s: &NamedNode, p: NamedNodeRef<'_>, o: Term| {
        quads.push(QuadRef::new(s, p, &o, RS_GRAPH));
    };
    let iri = project_iri(&p.id);
    describe_project(&mut add, &iri, p, ministries);
    add_payments(&mut add, &iri, p, payees);
    add_links(&mut add, &iri, p);
    for (fy, b) in &p.budgets {
        add_budget_record(&mut add, &iri, p, *fy, b);
    }
}

/// The latest review year of the payments to each recipient with a 法人番号, by the
/// recipient's IRI: a recipient is paid by many programs, so the edition its description
/// belongs to is known only from all of them (a payment without a review year counts for
/// none, as in [`add_payments`], which states no `rs:reviewYear` for it).
pub fn payee_review_years(data: &RsData) -> FxHashMap<String, i32> {
    let mut years: FxHashMap<String, i32> = FxHashMap::default();
    for pay in data.projects.values().flat_map(|p| &p.payments) {
        let (Some(ry), Some(corp)) = (pay.review_year, pay.corporate_number.as_deref()) else {
            continue;
        };
        if ry > 0 && !corp.is_empty() {
            let y = years
                .entry(corporate_iri(corp).as_str().to_owned())
                .or_insert(ry);
            *y = (*y).max(ry);
        }
    }
    years
}

/// A Japanese text as a `@ja` literal.
fn ja(s: &str) -> Term {
    Literal::new_language_tagged_literal_unchecked(s, "ja").into()
}

/// The program's types, identifier, names, ministry, texts and aggregate evidence.
fn describe_project(
    add: &mut impl FnMut(&NamedNode, NamedNodeRef<'_>, Term),
    iri: &NamedNode,
    p: &RsProject,
    ministries: &BTreeMap<String, String>,
) {
    add(iri, ext::RDF_TYPE, term::BUDGET_PROJECT.into_owned().into());
    // Its superclass too, so that queries over every kind of line need no reasoner.
    add(iri, ext::RDF_TYPE, term::BUDGET_LINE.into_owned().into());
    add(
        iri,
        term::PROJECT_ID,
        Literal::new_simple_literal(&p.id).into(),
    );
    add(
        iri,
        ext::DCTERMS_IDENTIFIER,
        Literal::new_simple_literal(&p.id).into(),
    );
    for (i, n) in p.names.iter().enumerate() {
        let l = Literal::new_language_tagged_literal_unchecked(n, "ja");
        let pred = if i == 0 {
            ext::RDFS_LABEL
        } else {
            ext::SKOS_ALT_LABEL
        };
        add(iri, pred, l.into());
    }
    if !p.ministry.is_empty() {
        add(iri, term::MINISTRY_NAME, ja(&p.ministry));
        let key: String = p.ministry.chars().filter(|c| !c.is_whitespace()).collect();
        if let Some(code) = ministries.get(&key) {
            add(
                iri,
                term::MINISTRY,
                NamedNode::new_unchecked(crate::vocab::id("org", code)).into(),
            );
        }
    }
    let texts = [
        (term::BUREAU_NAME, &p.bureau),
        (term::PURPOSE, &p.purpose),
        (term::OVERVIEW, &p.overview),
        (term::REMARKS, &p.remarks),
    ];
    for (pred, text) in texts {
        if !text.is_empty() {
            add(iri, pred, ja(text));
        }
    }
    if let Some(why) = p.aggregate_evidence() {
        add(iri, ext::RDF_TYPE, term::AGGREGATE_LINE.into_owned().into());
        add(
            iri,
            term::AGGREGATE_EVIDENCE,
            Literal::new_language_tagged_literal_unchecked(why, "en").into(),
        );
    }
}

/// The program's payments added up by (review year, 法人番号, name, own row if anonymised).
fn payment_sums(p: &RsProject) -> BTreeMap<(i32, String, String, usize), i64> {
    // Payments: one node per (review year, recipient), amounts of a recipient added —
    // but every row of an anonymised recipient (個人A, その他…) stays a payment of its
    // own: two 個人A are not known to be one person.
    let mut paid: BTreeMap<(i32, String, String, usize), i64> = BTreeMap::new();
    for (row, pay) in p.payments.iter().enumerate() {
        let key = (
            pay.review_year.unwrap_or(0),
            pay.corporate_number.clone().unwrap_or_default(),
            pay.name.clone(),
            if anonymised(&pay.name) { row + 1 } else { 0 },
        );
        // Within MAX_SUM_YEN: take_row bounds each program's payments in absolute value.
        let sum = paid.entry(key).or_default();
        *sum = sum.saturating_add(pay.amount.unwrap_or(0));
    }
    paid
}

/// The program's payment nodes (`<program>-rs<year>-pay<n>`) and their payees.
fn add_payments(
    add: &mut impl FnMut(&NamedNode, NamedNodeRef<'_>, Term),
    iri: &NamedNode,
    p: &RsProject,
    payees: &mut Payees,
) {
    for (n, ((ry, corp, name, row), amount)) in payment_sums(p).iter().enumerate() {
        let pay = NamedNode::new_unchecked(format!("{}-rs{ry}-pay{}", iri.as_str(), n + 1));
        add(&pay, ext::RDF_TYPE, term::PAYMENT.into_owned().into());
        add(&pay, term::PAYMENT_OF, iri.clone().into());
        if *ry > 0 {
            add(&pay, term::REVIEW_YEAR, year_literal(*ry).into());
            // An edition reports the spending of the year before its review year.
            add(&pay, term::PAYMENT_YEAR, year_literal(ry - 1).into());
        }
        if *row > 0 {
            add(&pay, term::ANONYMISED, Literal::from(true).into());
        }
        add(&pay, term::PAYEE_NAME, ja(name));
        add(&pay, term::AMOUNT, yen(*amount).into());
        if !corp.is_empty() {
            let org = corporate_iri(corp);
            add(&pay, term::PAYEE, org.clone().into());
            let (described, named) = payees.note(corp, name);
            if !described {
                add(
                    &org,
                    ext::RDF_TYPE,
                    ext::ORG_ORGANIZATION.into_owned().into(),
                );
                add(
                    &org,
                    term::CORPORATE_NUMBER,
                    Literal::new_simple_literal(corp).into(),
                );
            }
            if !named {
                add(&org, ext::RDFS_LABEL, ja(name));
            }
        }
    }
}

/// The program's overview URL, start year and source files.
fn add_links(
    add: &mut impl FnMut(&NamedNode, NamedNodeRef<'_>, Term),
    iri: &NamedNode,
    p: &RsProject,
) {
    if !p.url.is_empty() {
        let o: Term = match NamedNode::new(p.url.clone()) {
            Ok(n) if p.url.starts_with("http") => n.into(),
            _ => Literal::new_simple_literal(&p.url).into(),
        };
        add(iri, term::OVERVIEW_URL, o);
    }
    if let Some(y) = p.start_year {
        add(iri, term::START_YEAR, year_literal(y).into());
    }
    for s in &p.sources {
        add(
            iri,
            ext::DCTERMS_SOURCE,
            Literal::new_simple_literal(s).into(),
        );
    }
}

/// The budget record `<program>-fy<fy>`: its amounts, execution rate and flags.
fn add_budget_record(
    add: &mut impl FnMut(&NamedNode, NamedNodeRef<'_>, Term),
    iri: &NamedNode,
    p: &RsProject,
    fy: i32,
    b: &RsBudget,
) {
    let r = NamedNode::new_unchecked(format!("{}-fy{fy}", iri.as_str()));
    add(&r, ext::RDF_TYPE, term::BUDGET_RECORD.into_owned().into());
    add(&r, term::RECORD_OF, iri.clone().into());
    add(&r, term::BUDGET_YEAR, year_literal(fy).into());
    if let Some(y) = b.review_year {
        add(&r, term::REVIEW_YEAR, year_literal(y).into());
    }
    let amounts = [
        (term::INITIAL_BUDGET, b.initial),
        (term::SUPPLEMENTARY_BUDGET, b.supplementary),
        (term::CARRYOVER_FROM_PREVIOUS, b.carryover),
        (term::RESERVE_FUND, b.reserve),
        (term::EXECUTED_AMOUNT, b.executed),
        (term::NEXT_YEAR_REQUEST, b.next_request),
        (term::DEMAND_AMOUNT, b.demand),
    ];
    for (pred, v) in amounts {
        if let Some(v) = v {
            add(&r, pred, yen(v).into());
        }
    }
    if let Some(rate) = b.execution_rate {
        let lit = Literal::new_typed_literal(format!("{rate}"), ext::XSD_DECIMAL);
        add(&r, term::EXECUTION_RATE, lit.into());
    }
    let flags = [
        (term::SUSPECTED_UNIT_SLIP, b.unit_slip()),
        (term::EXECUTION_OVER_BUDGET, b.over_budget()),
        (
            term::REPEATS_PREVIOUS_EDITION,
            p.budgets.get(&(fy - 1)).and_then(|prev| b.repeats(prev)),
        ),
    ];
    for (pred, note) in flags {
        if let Some(note) = note {
            add(&r, pred, Literal::new_simple_literal(note).into());
        }
    }
}

/// The data set of an edition's observations (RDF Data Cube): `id/dataset/{edition}` for
/// the source `id/source/{edition}`, noted in `datasets` to be described once. None for a
/// record no edition cites yet.
fn review_dataset(
    sources: &[oxigraph::model::TermRef<'_>],
    graph: GraphNameRef<'_>,
    datasets: &mut FxHashMap<(GraphName, NamedNode), Term>,
) -> Option<NamedNode> {
    let oxigraph::model::TermRef::NamedNode(source) = sources.first()? else {
        return None;
    };
    let slug = source.as_str().rsplit('/').next()?;
    let dataset = NamedNode::new_unchecked(format!("{ID}dataset/{slug}"));
    datasets
        .entry((graph.into_owned(), dataset.clone()))
        .or_insert_with(|| source.into_owned().into());
    Some(dataset)
}

/// A review edition's data set: a `qb:DataSet` of the review structure, from its source.
pub fn dataset_description(dataset: &NamedNode, source: &Term, graph: &GraphName) -> Vec<Quad> {
    use crate::vocab::medrd;
    let q = |p: NamedNodeRef<'_>, o: Term| Quad::new(dataset.clone(), p, o, graph.clone());
    vec![
        q(ext::RDF_TYPE, ext::QB_DATASET.into_owned().into()),
        q(
            ext::QB_STRUCTURE,
            medrd::REVIEW_AMOUNT_STRUCTURE.into_owned().into(),
        ),
        q(ext::DCTERMS_SOURCE, source.clone()),
    ]
}

/// The flags a budget record can carry, passed on to its observations.
const FLAGS: [NamedNodeRef<'static>; 3] = [
    term::SUSPECTED_UNIT_SLIP,
    term::EXECUTION_OVER_BUDGET,
    term::REPEATS_PREVIOUS_EDITION,
];

/// The RS budget records of `quads` as Data Cube observations of a budget stage
/// (`medrd:BudgetAmount`, the same kind as the documents' figures): 当初予算 → InitialBudget,
/// 補正予算 → SupplementaryBudget, 執行額 → Execution of the budget year; 翌年度要求額 →
/// Request and 要望額 → Demand of the next fiscal year. Amount in yen (`schema:value`) and
/// 億円 (`medrd:okuYen`, exact decimal), the RS program (one IRI per 予算事業ID across
/// editions) as `medrd:amountFor`, the record as `prov:wasDerivedFrom`, the record's
/// `dcterms:source` (its edition) as the observation's; each in the graph of its record. IRIs:
/// `<record>-<stage>`, e.g. `id/rs/6843-fy2023-initial`, `id/rs/6843-fy2023-request` (the
/// FY2024 request of the FY2023 record), so one figure has one IRI whichever edition it is
/// read from. Written at import rather than by a SPARQL rule at every load: the rule cost
/// more than the rest of the RS import together.
pub fn observations(quads: &QuadList) -> QuadList {
    let mut observations = Observations::default();
    let mut out = observations.of(quads);
    for q in observations.descriptions().iter() {
        out.push(q);
    }
    out
}

/// [`observations`] made a part of the records at a time: the observations of each part's
/// records ([`Observations::of`]; a record's quads are all in one part), then once the data
/// sets they are in ([`Observations::descriptions`]).
#[derive(Default)]
pub struct Observations {
    /// Each edition's data set, in its graph, with the edition it is from.
    datasets: FxHashMap<(GraphName, NamedNode), Term>,
}

impl Observations {
    /// The observations of the budget records of `quads`.
    pub fn of(&mut self, quads: &QuadList) -> QuadList {
        observations_of(quads, &mut self.datasets)
    }

    /// The data sets the observations so far are in, each described once, in order.
    pub fn descriptions(self) -> QuadList {
        let mut datasets: Vec<_> = self.datasets.into_iter().collect();
        datasets.sort_by_cached_key(|((g, d), _)| (g.to_string(), d.to_string()));
        let mut out = QuadList::new();
        for ((g, dataset), source) in datasets {
            out.extend(dataset_description(&dataset, &source, &g));
        }
        out
    }
}

fn observations_of(
    quads: &QuadList,
    datasets: &mut FxHashMap<(GraphName, NamedNode), Term>,
) -> QuadList {
    use crate::vocab::medrd;
    use oxigraph::model::{NamedOrBlankNodeRef, TermRef};
    #[derive(Default)]
    struct Record<'a> {
        is_record: bool,
        line: Option<TermRef<'a>>,
        budget_year: Option<i32>,
        sources: Vec<TermRef<'a>>,
        /// The record's flags (rs:suspectedUnitSlip, …) and their notes.
        flags: Vec<(NamedNodeRef<'static>, TermRef<'a>)>,
        amounts: Vec<(NamedNodeRef<'static>, &'static str, i32, TermRef<'a>)>,
    }
    let stages = [
        (term::INITIAL_BUDGET, medrd::INITIAL_BUDGET, "initial", 0),
        (
            term::SUPPLEMENTARY_BUDGET,
            medrd::SUPPLEMENTARY_BUDGET,
            "supplementary",
            0,
        ),
        (term::EXECUTED_AMOUNT, medrd::EXECUTION, "execution", 0),
        // RS 翌年度要求額 includes the 要望 (demand): the document's 概算要求・要望額, its
        // RequestTotal, not its request alone (2958: 571.6 against 厚 435 + 145 = 579).
        (term::NEXT_YEAR_REQUEST, medrd::REQUEST_TOTAL, "request", 1),
        (term::DEMAND_AMOUNT, medrd::DEMAND, "demand", 1),
    ];
    let mut index: FxHashMap<(GraphNameRef<'_>, NamedNodeRef<'_>), usize> = FxHashMap::default();
    let mut records: Vec<((GraphNameRef<'_>, NamedNodeRef<'_>), Record)> = Vec::new();
    let budget_record = TermRef::from(term::BUDGET_RECORD);
    for q in quads.iter() {
        let NamedOrBlankNodeRef::NamedNode(subject) = q.subject else {
            continue;
        };
        let p = q.predicate;
        let stage = stages.iter().find(|s| s.0 == p);
        let relevant = stage.is_some()
            || p == term::RECORD_OF
            || p == term::BUDGET_YEAR
            || p == ext::DCTERMS_SOURCE
            || FLAGS.contains(&p)
            || (p == ext::RDF_TYPE && q.object == budget_record);
        if !relevant {
            continue;
        }
        let i = *index.entry((q.graph_name, subject)).or_insert_with(|| {
            records.push(((q.graph_name, subject), Record::default()));
            records.len() - 1
        });
        let r = &mut records[i].1;
        if let Some((_, kind, name, next)) = stage {
            r.amounts.push((*kind, name, *next, q.object));
        } else if p == term::RECORD_OF {
            r.line = Some(q.object);
        } else if p == term::BUDGET_YEAR {
            if let TermRef::Literal(l) = q.object {
                r.budget_year = l.value().parse().ok();
            }
        } else if p == ext::DCTERMS_SOURCE {
            r.sources.push(q.object);
        } else if let Some(flag) = FLAGS.iter().find(|f| **f == p) {
            r.flags.push((*flag, q.object));
        } else {
            r.is_record = true;
        }
    }
    let hundred_million = oxsdatatypes::Decimal::from(100_000_000);
    let mut out = QuadList::new();
    for ((g, record), r) in records {
        let (true, Some(line), Some(by)) = (r.is_record, r.line, r.budget_year) else {
            continue;
        };
        for (kind, stage, next, yen) in r.amounts {
            let TermRef::Literal(value) = yen else {
                continue;
            };
            let Some(oku) = value
                .value()
                .parse::<oxsdatatypes::Decimal>()
                .ok()
                .and_then(|d| d.checked_div(hundred_million))
            else {
                continue;
            };
            let obs = NamedNode::new_unchecked(format!("{}-{stage}", record.as_str()));
            let mut add = |p: NamedNodeRef<'_>, o: TermRef<'_>| {
                out.push(QuadRef::new(&obs, p, o, g));
            };
            add(ext::RDF_TYPE, medrd::BUDGET_AMOUNT.into());
            if let Some(dataset) = review_dataset(&r.sources, g, datasets) {
                add(ext::QB_DATASET_PROP, dataset.as_ref().into());
            }
            add(medrd::AMOUNT_FOR, line);
            add(medrd::AMOUNT_KIND, kind.into());
            add(medrd::FISCAL_YEAR, year_literal(by + next).as_ref().into());
            add(ext::SCHEMA_VALUE, yen);
            add(
                ext::SCHEMA_CURRENCY,
                LiteralRef::new_simple_literal("JPY").into(),
            );
            let oku = oku.to_string();
            add(
                medrd::OKU_YEN,
                LiteralRef::new_typed_literal(&oku, ext::XSD_DECIMAL).into(),
            );
            add(ext::PROV_WAS_DERIVED_FROM, record.into());
            for s in &r.sources {
                add(ext::DCTERMS_SOURCE, *s);
            }
            // The observations of a flagged record carry the flag: a unit slip or an
            // execution over budget its execution (timeline sums leave a unit slip out and
            // say so), a repeat of the previous edition every stage.
            for (flag, note) in &r.flags {
                if *flag == term::REPEATS_PREVIOUS_EDITION || stage == "execution" {
                    add(*flag, *note);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_years_units() {
        assert_eq!(parse_amount("１，２３４", 1000), Ok(Some(1_234_000)));
        assert_eq!(parse_amount("▲500", 1), Ok(Some(-500)));
        assert_eq!(parse_amount("-", 1), Ok(None));
        assert_eq!(parse_number("85.3%"), Ok(Some(85.3)));
        assert_eq!(year("令和6年度"), Some(2024));
        assert_eq!(year("令和元年度"), Some(2019));
        assert_eq!(year("平成元年度"), Some(1989));
        assert_eq!(year("2023"), Some(2023));
        assert_eq!(unit_of("（単位：千円）"), Some(1000));
        assert_eq!(unit_of("当初予算（合計）"), None);
    }

    /// RS 2025 line 719 (総務省), FY2024 as printed: the one execution the import flags.
    #[test]
    fn a_unit_slip_is_an_execution_over_100_times_its_budget() {
        let line_719 = RsBudget {
            budget_year: 2024,
            initial: Some(500_000_000),
            executed: Some(429_298_327_000),
            execution_rate: Some(85859.7),
            ..Default::default()
        };
        let why = line_719.unit_slip().expect("line 719 is flagged");
        assert!(
            why.starts_with("執行額 429,298,327,000 yen is 858.6 times the budget")
                && why.contains("(500,000,000 yen:")
                && why.contains("執行率 85859.7%"),
            "{why}"
        );
        // the bound: 100 times is not flagged, one yen more is
        let at = |executed, carryover| RsBudget {
            initial: Some(400),
            carryover,
            executed: Some(executed),
            ..Default::default()
        };
        assert_eq!(at(40_000, None).unit_slip(), None);
        assert!(at(40_001, None).unit_slip().is_some());
        // every source of the money counts: with a carry-over of 100 the same is not a slip
        assert_eq!(at(40_001, Some(100)).unit_slip(), None);
        // no budget to compare with, or no execution: nothing to say
        assert_eq!(at(5, Some(-400)).unit_slip(), None);
        assert_eq!(RsBudget::default().unit_slip(), None);
    }

    /// RS 3163 FY2023 (RS 2024) as printed: executed 105.1% of its budget, flagged; half a
    /// percent over (6846's 5 yen) is rounding, not flagged; a unit slip is flagged as that.
    #[test]
    fn an_execution_over_its_budget_is_flagged_beyond_rounding() {
        let line_3163 = RsBudget {
            budget_year: 2023,
            initial: Some(3_730_000_000),
            supplementary: Some(0),
            carryover: Some(0),
            reserve: Some(0),
            executed: Some(3_919_810_000),
            ..Default::default()
        };
        let why = line_3163.over_budget().expect("3163 is flagged");
        assert!(
            why.starts_with("執行額 3,919,810,000 yen is 105.1% of the budget"),
            "{why}"
        );
        let at = |executed| RsBudget {
            initial: Some(1000),
            executed: Some(executed),
            ..Default::default()
        };
        assert_eq!(at(1005).over_budget(), None);
        assert!(at(1006).over_budget().is_some());
        assert_eq!(
            at(100_001).over_budget(),
            None,
            "a unit slip, flagged as such"
        );
        assert_eq!(RsBudget::default().over_budget(), None);
    }

    /// RS 6480: RS 2025 prints for FY2024 the initial budget and next-year request RS 2024
    /// printed for FY2023, though FY2023 had asked for more than it got; a flat line (141's
    /// 175億 asked and given every year) is not flagged.
    #[test]
    fn a_record_repeating_the_previous_edition_is_flagged_a_flat_line_is_not() {
        let fy = |budget_year, review_year, initial, next_request| RsBudget {
            budget_year,
            review_year: Some(review_year),
            initial: Some(initial),
            next_request: Some(next_request),
            ..Default::default()
        };
        let (fy2023, fy2024) = (
            fy(2023, 2024, 947_235_000, 1_118_133_000),
            fy(2024, 2025, 947_235_000, 1_118_133_000),
        );
        let why = fy2024.repeats(&fy2023).expect("6480 is flagged");
        assert!(why.contains("947,235,000") && why.contains("budget year 2023 (review year 2024)"));
        let flat = fy(2023, 2024, 17_500_000_000, 17_500_000_000);
        assert_eq!(
            fy(2024, 2025, 17_500_000_000, 17_500_000_000).repeats(&flat),
            None
        );
        assert_eq!(
            fy(2024, 2025, 947_235_000, 1_118_133_001).repeats(&fy2023),
            None
        );
        assert_eq!(fy(2024, 2025, 0, 0).repeats(&fy(2023, 2024, 0, 5)), None);
    }

    /// Names the RS 5-1 files and the review sheets use for people and unknown recipients,
    /// against names of recipients.
    #[test]
    fn anonymised_recipients_are_told_from_named_ones() {
        for n in [
            "その他",
            "個人",
            "個人A",
            "研究者Ｊ",
            "職員B",
            "委員 C",
            "確認中",
            "－",
        ] {
            assert!(anonymised(n), "{n}");
        }
        for n in [
            "国立研究開発法人日本医療研究開発機構",
            "九州農政局",
            "経済協力開発機構",
            "個人情報保護委員会",
            "研究者ABC",
        ] {
            assert!(!anonymised(n), "{n}");
        }
    }

    #[test]
    fn observations_of_a_record() {
        let mut p = RsProject {
            id: "6843".into(),
            ..Default::default()
        };
        p.budgets.insert(
            2023,
            RsBudget {
                budget_year: 2023,
                initial: Some(1_023_500_000),
                next_request: Some(1_216_000_000),
                carryover: Some(5),
                ..Default::default()
            },
        );
        let mut data = RsData::default();
        data.projects.insert(p.id.clone(), p);
        let obs = observations(&to_quads(&data, &BTreeMap::new()));
        let value = |iri: &str, pred: NamedNodeRef<'_>| -> Vec<String> {
            obs.iter()
                .filter(|q| q.subject.to_string() == format!("<{ID}rs/6843-fy2023-{iri}>"))
                .filter(|q| q.predicate == pred)
                .map(|q| q.object.to_string())
                .collect()
        };
        // Two stages (the carry-over is not one), eight quads each, in no data set: no
        // edition is cited before `sources::rs_quads_into` gives the record its dcterms:source.
        assert_eq!(obs.len(), 16);
        assert!(value("initial", crate::vocab::ext::QB_DATASET_PROP).is_empty());
        let oku = |s: &str| format!("\"{s}\"^^<http://www.w3.org/2001/XMLSchema#decimal>");
        let gyear = |s: &str| format!("\"{s}\"^^<http://www.w3.org/2001/XMLSchema#gYear>");
        assert_eq!(
            value("initial", crate::vocab::medrd::OKU_YEN),
            [oku("10.235")]
        );
        assert_eq!(
            value("initial", crate::vocab::medrd::FISCAL_YEAR),
            [gyear("2023")]
        );
        assert_eq!(
            value("request", crate::vocab::medrd::OKU_YEN),
            [oku("12.16")]
        );
        // The 翌年度要求額 of budget year 2023 is the FY2024 request.
        assert_eq!(
            value("request", crate::vocab::medrd::FISCAL_YEAR),
            [gyear("2024")]
        );
        assert_eq!(
            value("request", crate::vocab::ext::PROV_WAS_DERIVED_FROM),
            [format!("<{ID}rs/6843-fy2023>")]
        );
        // Cited by an edition, each observation is in that edition's data set, described
        // once: a qb:DataSet of the review structure, from the edition.
        let mut cited = to_quads(&data, &BTreeMap::new());
        let edition = NamedNode::new_unchecked(format!("{ID}source/rs-2024"));
        let record = NamedNode::new_unchecked(format!("{ID}rs/6843-fy2023"));
        let graph = cited.iter().next().unwrap().graph_name.into_owned();
        cited.push(&Quad::new(
            record,
            ext::DCTERMS_SOURCE,
            edition.clone(),
            graph,
        ));
        let obs = observations(&cited);
        let dataset = format!("<{ID}dataset/rs-2024>");
        for stage in ["initial", "request"] {
            let of = |p: NamedNodeRef<'_>, s: &str| {
                obs.iter()
                    .filter(|q| q.subject.to_string() == s && q.predicate == p)
                    .map(|q| q.object.to_string())
                    .collect::<Vec<_>>()
            };
            let o = format!("<{ID}rs/6843-fy2023-{stage}>");
            assert_eq!(of(ext::QB_DATASET_PROP, &o), std::slice::from_ref(&dataset));
            assert_eq!(of(ext::DCTERMS_SOURCE, &o), [edition.to_string()]);
            assert_eq!(
                of(ext::QB_STRUCTURE, &dataset),
                [crate::vocab::medrd::REVIEW_AMOUNT_STRUCTURE.to_string()]
            );
        }
    }

    #[test]
    fn cp932_bom_and_rows_before_the_header() {
        let read = |bytes: &[u8]| {
            RsData::read_scanned(Path::new("t.csv"), |scan| {
                scan.csv(Path::new("t.csv"), "t.csv".into(), bytes)
            })
        };
        let (sjis, _, _) = encoding_rs::SHIFT_JIS
            .encode("（単位：千円）\n予算事業ID,事業名,府省庁\n7,事業,内閣府\n");
        let d = read(&sjis).unwrap();
        assert_eq!(d.files[0].encoding, "Shift_JIS (CP932)");
        assert_eq!(d.projects["7"].names, ["事業"]);
        let d = read("\u{feff}予算事業ID,事業名,府省庁\n7,事業,内閣府\n".as_bytes()).unwrap();
        assert_eq!(d.files[0].encoding, "UTF-8 (BOM)");
        let e = read("7,事業,内閣府\n予算事業ID,事業名,府省庁\n".as_bytes()).unwrap_err();
        assert!(
            e.to_string()
                .contains("t.csv:1: a row of 3 cells before any header"),
            "{e}"
        );
    }
}
