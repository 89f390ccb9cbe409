//! The review sheets of JUDGIT! as the importer keeps them: one [`Sheet`] per file, its money
//! already in yen, its payments with their subtotal roles decided, its outcomes and outputs —
//! so that turning them into quads ([`super::quads`]) and linking them ([`super::lineage`],
//! [`super::link`]) need not know the JSON (REPORT §1 of the data study: the shapes).

use std::path::PathBuf;

/// The two shapes of the editions, each named once (REPORT §1 of the data study): from this
/// edition on, a sheet number is `YYYY-略称-NUMBER` (`2021-厚労-20-1010`; before, `新27-0008`
/// or a bare serial) …
pub const NUMBERED_BY_YEAR_FROM: i32 = 2021;
/// … and up to this one, the JUDGIT import lost every negative value of the budget's
/// components (REPORT §1.4; [`super::quads::COMPONENTS_NOTE`]).
pub const NEGATIVES_LOST_UNTIL: i32 = 2016;

/// One review sheet (`EDITION/府省庁/STEM.json`).
#[derive(Clone, Debug, Default)]
pub struct Sheet {
    /// 公開年度 (= the edition folder).
    pub edition: i32,
    /// The 府省庁 of the folder (also the sheet's 府省庁, which the reader checks).
    pub ministry: String,
    /// The ASCII slug of the 府省庁 (`mhlw`).
    pub ministry_slug: String,
    /// The file stem as published (`2023-厚労-22-0964-4`, `新27-0008`).
    pub stem: String,
    /// The ASCII stem of the IRI (`22-0964-4`, `new27-0008`).
    pub slug: String,
    /// The serial with its sub-sheet number, without the year parts (`0964-4`, `0008`).
    pub serial: String,
    /// The file it was read from.
    pub path: PathBuf,
    /// 事業名.
    pub name: String,
    /// 事業番号 as printed (the stem when the sheet prints none).
    pub number: String,
    pub start_year: Option<i32>,
    pub end_year: Option<i32>,
    /// 担当部局庁.
    pub bureau: String,
    /// 担当課室.
    pub division: String,
    /// 事業目的.
    pub purpose: String,
    /// 事業概要.
    pub overview: String,
    /// The ministry's own file of the sheet, when given.
    pub url: Option<String>,
    /// One row per printed fiscal year, N−3 … N+1 (always five in the real data).
    pub budgets: Vec<BudgetRow>,
    pub payments: Vec<PaymentRow>,
    pub outcomes: Vec<Outcome>,
    pub outputs: Vec<Output>,
}

impl Sheet {
    /// `EDITION/府省庁/STEM`, the sheet's name in reports and truth tables.
    pub fn key(&self) -> String {
        format!("{}/{}/{}", self.edition, self.ministry, self.stem)
    }

    /// The budget row of fiscal year `fy`, if printed.
    pub fn budget(&self, fy: i32) -> Option<&BudgetRow> {
        self.budgets.iter().find(|b| b.year == fy)
    }

    /// 当初予算 of fiscal year `fy` in yen (0 when blank: the data cannot tell them apart).
    pub fn initial(&self, fy: i32) -> i64 {
        self.budget(fy).and_then(|b| b.initial).unwrap_or(0)
    }

    /// 要求額 for fiscal year N+1 in yen (0 when blank).
    pub fn request(&self) -> i64 {
        self.budget(self.edition + 1)
            .and_then(|b| b.request)
            .unwrap_or(0)
    }

    /// The sub-sheet number (`0899-1` → `1`), if any.
    pub fn sub_number(&self) -> Option<&str> {
        self.serial.split_once('-').map(|(_, s)| s)
    }

    /// The four-digit serial (`0899`).
    pub fn serial_number(&self) -> Option<u32> {
        self.serial.split('-').next()?.parse().ok()
    }
}

/// One printed fiscal year of a sheet: every figure in yen, `None` where the sheet shows
/// blank or 0 (one value in this data: the JUDGIT import wrote 0.0 for blank cells).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BudgetRow {
    pub year: i32,
    /// 当初予算.
    pub initial: Option<i64>,
    /// 補正予算.
    pub supplementary: Option<i64>,
    /// 前年度から繰越し.
    pub carry_in: Option<i64>,
    /// 翌年度へ繰越し (negative from the 2017 edition on).
    pub carry_out: Option<i64>,
    /// 予備費等.
    pub reserve: Option<i64>,
    /// 予算計.
    pub total: Option<i64>,
    /// 執行額 (N−3 … N−1).
    pub executed: Option<i64>,
    /// 要求額 (the N+1 row only).
    pub request: Option<i64>,
}

/// What a 支出先 row is, by the subtotal rule (REPORT §1.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// An ordinary payment.
    Plain,
    /// A recipient's subtotal, followed by its details.
    Subtotal,
    /// A detail of the subtotal at this index of [`Sheet::payments`] (never summed with it).
    Detail(usize),
}

/// One 支出先 row, after ditto marks are resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct PaymentRow {
    /// 年度 (N−1: the payments of the last closed year).
    pub year: i32,
    /// グループ (block of the money-flow chart).
    pub block: String,
    /// 番号 within the block.
    pub number: u32,
    /// 支出先名, with 〃/同上 replaced by the name above.
    pub name: String,
    /// A valid 13-digit 法人番号 (check digit verified), with 〃 resolved.
    pub corporate_number: Option<String>,
    /// 業務概要 as printed (blank and dashes dropped).
    pub description: String,
    /// 支出額 in yen (rows of 0 are dropped by the reader).
    pub amount: i64,
    /// The name stands in for a person or an unknown recipient (個人A, 研究者Ａ, その他…).
    pub anonymised: bool,
    /// What the reader resolved (ditto marks), for a note.
    pub note: Option<String>,
    pub role: Role,
}

/// One アウトカム row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    /// 成果目標.
    pub goal: String,
    /// 成果指標.
    pub indicator: Option<String>,
    /// 単位.
    pub unit: Option<String>,
    /// 目標値 as printed (text).
    pub target_text: Option<String>,
    /// 目標最終年度 when within [N−10, N+40].
    pub target_year: Option<i32>,
    /// 目標最終年度 as printed when outside that range (corrupt in the source).
    pub bad_target_year: Option<i64>,
    pub results: Vec<YearResult>,
}

/// One アウトプット row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Output {
    /// 活動指標.
    pub indicator: String,
    /// 単位.
    pub unit: Option<String>,
    pub results: Vec<YearResult>,
}

/// One fiscal year of an outcome (成果実績, 目標値) or output (活動実績, 当初見込み), as
/// decimal text; years with neither are dropped.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct YearResult {
    pub year: i32,
    pub actual: Option<String>,
    pub target: Option<String>,
}

/// A 府省庁 of the sheets: its ASCII slug and the 略称 of its 2021+ sheet numbers.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinistryCode {
    pub slug: String,
    pub short: String,
}
