//! Reading JUDGIT! review sheets (`EDITION/府省庁/STEM.json`) into [`Sheet`]s, with every oddity
//! of the real data handled where it is met (REPORT §1 of the data study): money in 百万円 as
//! JSON floats turned into yen by exact decimal arithmetic, blank and 0 as one value, the
//! subtotal rows of 支出先 and their details, ditto marks (〃, 同上), anonymised recipients,
//! corrupt target years. A file that is too large, not JSON, or holds a field of the wrong
//! shape stops the import with its path and the field.

use super::records::{
    BudgetRow, MinistryCode, Outcome, Output, PaymentRow, Role, Sheet, YearResult,
    NUMBERED_BY_YEAR_FROM,
};
use crate::error::{Error, Result};
use crate::ingest::rs::valid_corporate_number;
use serde_json::{Map, Number, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use unicode_normalization::UnicodeNormalization;

/// A sheet file larger than this is refused (the largest of the 47,597 real sheets is
/// 289,392 bytes: `medrd link judgit` over all editions measures it).
pub const MAX_SHEET_BYTES: u64 = 4 << 20;
/// How deep a folder given as PATH is searched for sheets (data/ → EDITION → 府省庁).
const MAX_DEPTH: usize = 4;
/// A figure of 1,000 兆円 or more (10^9 百万円) is absurd: the largest real one is 214 兆円.
const MAX_OKU_MILLIONS: i128 = 1_000_000_000;

/// The 府省庁 table: name → slug and 略称.
pub type Ministries = BTreeMap<String, MinistryCode>;

pub(crate) fn err(path: &Path, message: impl Into<String>) -> Error {
    Error::Import {
        path: path.to_owned(),
        message: message.into(),
    }
}

/// Every sheet file under `paths`: a `.json` file as given, a folder searched for `.json`
/// files (a JUDGIT `data/` folder, an edition or a 府省庁 folder), in path order.
pub fn sheet_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) -> Result<()> {
        for e in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
            let p = e.map_err(|e| Error::io(dir, e))?.path();
            if p.is_dir() {
                if depth < MAX_DEPTH {
                    walk(&p, depth + 1, out)?;
                }
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, 1, &mut files)?;
        } else {
            // Not a folder: a sheet file, refused when read if it is none (missing, a FIFO…).
            files.push(p.clone());
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

/// Reads every file (on all cores), in path order; two files whose IRIs would be one stop
/// the import with both paths.
pub fn read_sheets(files: &[PathBuf], ministries: &Ministries) -> Result<Vec<Sheet>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = files.len().div_ceil(threads).max(1);
    let results: Vec<Result<Vec<Sheet>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || part.iter().map(|f| read_sheet(f, ministries)).collect())
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(err(Path::new("<reader>"), "a reader thread panicked")))
            })
            .collect()
    });
    let mut sheets = Vec::with_capacity(files.len());
    for r in results {
        sheets.extend(r?);
    }
    let mut seen: HashMap<(i32, String, String), &Path> = HashMap::new();
    for s in &sheets {
        let key = (s.edition, s.ministry_slug.clone(), s.slug.clone());
        if let Some(other) = seen.insert(key, &s.path) {
            return Err(err(
                &s.path,
                format!(
                    "has the same IRI as {} ({}/{}/{})",
                    other.display(),
                    s.edition,
                    s.ministry_slug,
                    s.slug
                ),
            ));
        }
    }
    Ok(sheets)
}

/// Reads one sheet file.
pub fn read_sheet(path: &Path, ministries: &Ministries) -> Result<Sheet> {
    let (edition, ministry, stem) = location(path)?;
    let code = ministries.get(&ministry).ok_or_else(|| {
        err(path, format!("府省庁 folder {ministry:?} is not in the table of data/judgit/source.toml [ministries]"))
    })?;
    let value = parse_file(path)?;
    let root = Obj::root(path, &value)?;
    let printed = root.int("公開年度")?;
    if printed != Some(i64::from(edition)) {
        return Err(root.bad(
            "公開年度",
            format!("{printed:?}, but the file is in the folder of edition {edition}"),
        ));
    }
    if root.req_str("府省庁")? != ministry {
        return Err(root.bad("府省庁", format!("is not the folder's {ministry:?}")));
    }
    let (slug, serial) = ascii_stem(path, edition, &stem, code, ministries)?;
    let mut sheet = Sheet {
        edition,
        ministry_slug: code.slug.clone(),
        name: root.req_str("事業名")?.trim().to_owned(),
        number: root.str("事業番号")?.unwrap_or(&stem).to_owned(),
        start_year: root.int("開始年度")?.and_then(plausible_year),
        end_year: root.int("終了年度")?.and_then(plausible_year),
        bureau: root
            .str("担当部局庁")?
            .unwrap_or_default()
            .trim()
            .to_owned(),
        division: root.str("担当課室")?.unwrap_or_default().trim().to_owned(),
        purpose: root.str("事業目的")?.unwrap_or_default().trim().to_owned(),
        overview: root.str("事業概要")?.unwrap_or_default().trim().to_owned(),
        url: root.str("url")?.map(str::to_owned),
        ministry,
        stem,
        slug,
        serial,
        path: path.to_owned(),
        ..Sheet::default()
    };
    sheet.budgets = budgets(&root)?;
    sheet.payments = payments(&root)?;
    sheet.outcomes = outcomes(&root, edition)?;
    sheet.outputs = outputs(&root)?;
    Ok(sheet)
}

/// Edition, 府省庁 and stem from `…/EDITION/府省庁/STEM.json`.
fn location(path: &Path) -> Result<(i32, String, String)> {
    let name = |p: Option<&Path>| {
        p.and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .map(str::to_owned)
    };
    let parent = path.parent();
    let stem = path.file_stem().and_then(|s| s.to_str()).map(str::to_owned);
    let (Some(stem), Some(ministry), Some(edition)) =
        (stem, name(parent), name(parent.and_then(Path::parent)))
    else {
        return Err(err(path, "a sheet is EDITION/府省庁/STEM.json"));
    };
    let edition: i32 = edition
        .parse()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| err(path, format!("the folder {edition:?} is not an edition (a year): a sheet is EDITION/府省庁/STEM.json")))?;
    Ok((edition, ministry, stem))
}

/// Reads and parses a regular file of at most [`MAX_SHEET_BYTES`] (through
/// [`crate::inputs::read`]: a FIFO or a device named `*.json` is refused, never waited on).
fn parse_file(path: &Path) -> Result<Value> {
    let bytes = crate::inputs::read(path, MAX_SHEET_BYTES)?;
    serde_json::from_slice(&bytes).map_err(|e| err(path, format!("not JSON: {e}")))
}

/// The ASCII stem of a sheet's IRI and its serial (REPORT §1.3): 2015–2020 `新27-0008` →
/// `new27-0008` (full-width digits NFKC); 2021+ `2021-厚労-20-1010` → `20-1010`, with the
/// other ministry's slug where the 略称 is not the folder's (`2023-国交-22-0621` under
/// 厚生労働省 → `mlit-22-0621`).
fn ascii_stem(
    path: &Path,
    edition: i32,
    stem: &str,
    code: &MinistryCode,
    ministries: &Ministries,
) -> Result<(String, String)> {
    let t: String = stem.nfkc().collect::<String>().replace('新', "new");
    let rest = if edition >= NUMBERED_BY_YEAR_FROM {
        let mut parts = t.splitn(3, '-');
        let (year, short, rest) = (parts.next(), parts.next(), parts.next());
        let (Some(_), Some(short), Some(rest)) = (year, short, rest) else {
            return Err(err(
                path,
                format!(
                    "file name {stem:?}: a sheet of {NUMBERED_BY_YEAR_FROM} or later is \
                     YYYY-略称-NUMBER"
                ),
            ));
        };
        if short == code.short {
            rest.to_owned()
        } else {
            let other = ministries
                .values()
                .find(|m| m.short == short)
                .ok_or_else(|| {
                    err(
                        path,
                        format!("file name {stem:?}: 略称 {short:?} is in no row of [ministries]"),
                    )
                })?;
            format!("{}-{rest}", other.slug)
        }
    } else {
        t
    };
    let ok = !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !ok {
        return Err(err(
            path,
            format!("file name {stem:?} gives no ASCII stem ({rest:?})"),
        ));
    }
    let segments: Vec<&str> = rest.split('-').collect();
    let first = segments
        .iter()
        .position(|s| s.len() >= 3 && s.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or(0);
    Ok((rest.clone(), segments[first..].join("-")))
}

fn plausible_year(y: i64) -> Option<i32> {
    (1868..=2100).contains(&y).then_some(y as i32)
}

/// A JSON object with the path of the file and of the object in it, for errors.
pub(crate) struct Obj<'a> {
    path: &'a Path,
    at: String,
    map: &'a Map<String, Value>,
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

impl<'a> Obj<'a> {
    fn root(path: &'a Path, v: &'a Value) -> Result<Self> {
        match v {
            Value::Object(map) => Ok(Obj {
                path,
                at: String::new(),
                map,
            }),
            other => Err(err(
                path,
                format!("the sheet is {}, not an object", kind(other)),
            )),
        }
    }

    fn field(&self, key: &str) -> String {
        if self.at.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.at)
        }
    }

    fn bad(&self, key: &str, what: impl std::fmt::Display) -> Error {
        err(self.path, format!("field {}: {what}", self.field(key)))
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn str(&self, key: &str) -> Result<Option<&'a str>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(v) => Err(self.bad(key, format!("expected text, found {}", kind(v)))),
        }
    }

    fn req_str(&self, key: &str) -> Result<&'a str> {
        self.str(key)?.ok_or_else(|| self.bad(key, "missing"))
    }

    fn int(&self, key: &str) -> Result<Option<i64>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => match n.as_i64() {
                Some(i) => Ok(Some(i)),
                None => Err(self.bad(key, format!("expected a whole number, found {n}"))),
            },
            Some(v) => Err(self.bad(key, format!("expected a whole number, found {}", kind(v)))),
        }
    }

    fn number(&self, key: &str) -> Result<Option<&'a Number>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(Some(n)),
            Some(v) => Err(self.bad(key, format!("expected a number, found {}", kind(v)))),
        }
    }

    /// An amount in 百万円 as yen; `None` for 0 (blank and 0 are one value in this data).
    fn yen(&self, key: &str) -> Result<Option<i64>> {
        let Some(n) = self.number(key)? else {
            return Ok(None);
        };
        let y = million_yen_to_yen(n).map_err(|m| self.bad(key, m))?;
        Ok((y != 0).then_some(y))
    }

    /// A decimal value as text (`0.25`, `-3`), for xsd:decimal.
    fn decimal(&self, key: &str) -> Result<Option<String>> {
        let Some(n) = self.number(key)? else {
            return Ok(None);
        };
        decimal_text(n).map(Some).map_err(|m| self.bad(key, m))
    }

    /// The objects of a list field (a missing or null list is empty).
    fn list(&self, key: &str) -> Result<Vec<Obj<'a>>> {
        let items = match self.get(key) {
            None => return Ok(Vec::new()),
            Some(Value::Array(items)) => items,
            Some(v) => return Err(self.bad(key, format!("expected a list, found {}", kind(v)))),
        };
        items
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::Object(map) => Ok(Obj {
                    path: self.path,
                    at: format!("{}[{i}]", self.field(key)),
                    map,
                }),
                other => Err(self.bad(
                    &format!("{key}[{i}]"),
                    format!("expected an object, found {}", kind(other)),
                )),
            })
            .collect()
    }
}

/// The digits of a JSON number: sign, integer digits with the decimals, and the power of ten
/// they are to be multiplied by (`-1.5e3` → (true, 15, 2)).
fn decimal_parts(n: &Number) -> std::result::Result<(bool, i128, i32), String> {
    let text = n.to_string();
    let (mantissa, exp) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (
            m,
            e.parse::<i32>()
                .map_err(|_| format!("{text} is not a number"))?,
        ),
        None => (text.as_str(), 0),
    };
    let (neg, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{int}{frac}");
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 30 {
        return Err(format!("{text} is not a finite decimal number"));
    }
    let value: i128 = digits
        .parse()
        .map_err(|_| format!("{text} is out of range"))?;
    Ok((neg, value, exp - frac.len() as i32))
}

/// 百万円 → yen, exactly from the decimal text, rounded half away from zero to the yen.
pub fn million_yen_to_yen(n: &Number) -> std::result::Result<i64, String> {
    let (neg, digits, exp) = decimal_parts(n)?;
    let exp = exp + 6;
    let yen = if exp >= 0 {
        10i128
            .checked_pow(exp as u32)
            .and_then(|p| digits.checked_mul(p))
            .ok_or_else(|| format!("{n} 百万円 is absurd"))?
    } else {
        let div = 10i128.checked_pow((-exp) as u32).unwrap_or(i128::MAX);
        (digits + div / 2) / div
    };
    if yen >= MAX_OKU_MILLIONS * 1_000_000 {
        return Err(format!("{n} 百万円 is absurd (1,000 兆円 or more)"));
    }
    let yen = yen as i64;
    Ok(if neg { -yen } else { yen })
}

/// A JSON number as xsd:decimal text (no exponent).
fn decimal_text(n: &Number) -> std::result::Result<String, String> {
    let (neg, digits, exp) = decimal_parts(n)?;
    if exp.abs() > 30 {
        return Err(format!("{n} is out of range"));
    }
    let mut s = digits.to_string();
    if exp >= 0 {
        s.push_str(&"0".repeat(exp as usize));
    } else {
        let places = (-exp) as usize;
        if s.len() <= places {
            s = format!("{}{s}", "0".repeat(places + 1 - s.len()));
        }
        s.insert(s.len() - places, '.');
        s = s.trim_end_matches('0').trim_end_matches('.').to_owned();
    }
    Ok(if neg && s.bytes().any(|b| b != b'0' && b != b'.') {
        format!("-{s}")
    } else {
        s
    })
}

/// The 予算 rows.
fn budgets(root: &Obj<'_>) -> Result<Vec<BudgetRow>> {
    let mut rows = Vec::new();
    for r in root.list("予算")? {
        let year = r
            .int("年度")?
            .and_then(plausible_year)
            .ok_or_else(|| r.bad("年度", "missing or not a year"))?;
        rows.push(BudgetRow {
            year,
            initial: r.yen("当初予算")?,
            supplementary: r.yen("補正予算")?,
            carry_in: r.yen("前年度から繰越し")?,
            carry_out: r.yen("翌年度へ繰越し")?,
            reserve: r.yen("予備費等")?,
            total: r.yen("予算計")?,
            executed: r.yen("執行額")?,
            request: r.yen("要求額")?,
        });
    }
    Ok(rows)
}

pub(crate) use crate::ingest::link::normalize::squeeze;

/// Blank or one dash (`-`, `－`, `ー`, `―`, `‐`, `ｰ`), spaces and U+3000 aside.
fn is_blank(s: &str) -> bool {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    t.is_empty() || matches!(t.as_str(), "-" | "－" | "ー" | "―" | "‐" | "ｰ" | "−" | "—")
}

/// A name standing in for a person or an unknown recipient (REPORT §1.5): 個人, 個人A,
/// 個人(1名), 研究者Ａ, 研究者個人A, その他, 確認中, 未定, 非公表, a dash or blank.
pub fn is_anonymised(name: &str) -> bool {
    let t = squeeze(name);
    let company = ["法人", "会社", "委員会", "協会", "組合", "事務所"];
    (t.starts_with("個人") || t.starts_with("研究者")) && !company.iter().any(|c| t.contains(c))
        || ["その他", "確認中", "未定", "非公表", "匿名"]
            .iter()
            .any(|p| t.starts_with(p))
        || is_blank(&t)
        || t == "0"
}

/// A ditto mark: 〃 or 同上 (also ″, 々 as printed by some ministries).
fn is_ditto(s: &str) -> bool {
    matches!(squeeze(s).as_str(), "〃" | "同上" | "″" | "\"")
}

struct RawPayment {
    year: i32,
    block: String,
    number: u32,
    name: String,
    corporate: Option<String>,
    description: String,
    amount: i64,
    note: Option<String>,
}

/// The 支出先 rows, ditto marks resolved, subtotal rows and their details marked, rows of 0
/// left out.
fn payments(root: &Obj<'_>) -> Result<Vec<PaymentRow>> {
    let mut raw: Vec<RawPayment> = Vec::new();
    for r in root.list("支出先")? {
        let mut name = r.str("支出先名")?.unwrap_or_default().trim().to_owned();
        let mut corporate = r.str("法人番号")?.map(str::to_owned);
        let mut notes = Vec::new();
        let above = raw.last();
        if is_ditto(&name) {
            if let Some(a) = above {
                notes.push(format!(
                    "支出先名 printed {name:?} (ditto): the name of the row above, {:?}",
                    a.name
                ));
                name = a.name.clone();
                if corporate.is_none() {
                    corporate = a.corporate.clone();
                }
            }
        }
        if corporate.as_deref().is_some_and(is_ditto) {
            notes.push("法人番号 printed 〃 (ditto): the number of the row above".into());
            corporate = above.and_then(|a| a.corporate.clone());
        }
        let number = r.int("番号")?.unwrap_or(0);
        raw.push(RawPayment {
            year: r
                .int("年度")?
                .and_then(plausible_year)
                .ok_or_else(|| r.bad("年度", "missing or not a year"))?,
            block: r.str("グループ")?.unwrap_or_default().trim().to_owned(),
            number: u32::try_from(number)
                .map_err(|_| r.bad("番号", format!("{number} is not a row number")))?,
            name,
            corporate,
            description: r.str("業務概要")?.unwrap_or_default().trim().to_owned(),
            amount: r.yen("支出額")?.unwrap_or(0),
            note: (!notes.is_empty()).then(|| notes.join("; ")),
        });
    }
    let roles = subtotal_roles(&raw);
    let mut out: Vec<PaymentRow> = Vec::new();
    let mut index: HashMap<usize, usize> = HashMap::new();
    for (i, (p, role)) in raw.into_iter().zip(roles).enumerate() {
        if p.amount == 0 {
            continue;
        }
        let role = match role {
            Role::Detail(h) => index.get(&h).map_or(Role::Plain, |&h| Role::Detail(h)),
            r => r,
        };
        if role == Role::Subtotal {
            index.insert(i, out.len());
        }
        out.push(PaymentRow {
            anonymised: is_anonymised(&p.name),
            corporate_number: p.corporate.as_deref().and_then(valid_corporate_number),
            description: if is_blank(&p.description) {
                String::new()
            } else {
                p.description
            },
            year: p.year,
            block: p.block,
            number: p.number,
            name: p.name,
            amount: p.amount,
            note: p.note,
            role,
        });
    }
    Ok(out)
}

/// The subtotal rule (REPORT §1.5, `payees2.py: classify`), per block in file order: a row
/// whose 業務概要 is blank or a dash, followed by rows of the same 支出先名 with a 業務概要,
/// is the recipient's subtotal when its amount is at least 0.95 × their sum − 0.5 百万円;
/// those rows are its details (a subset of it: never added to it). `2017/国土交通省/0283`
/// block A has the opposite pattern (the total first, with a description): it is not
/// recognised, and its rows are counted as printed (one double count in the whole data).
fn subtotal_roles(rows: &[RawPayment]) -> Vec<Role> {
    let mut roles = vec![Role::Plain; rows.len()];
    let same =
        |a: &RawPayment, b: &RawPayment| a.block == b.block && squeeze(&a.name) == squeeze(&b.name);
    let mut i = 0;
    while i < rows.len() {
        let r = &rows[i];
        let mut j = i + 1;
        while j < rows.len() && same(r, &rows[j]) && !is_blank(&rows[j].description) {
            j += 1;
        }
        let details: i64 = rows[i + 1..j].iter().map(|d| d.amount).sum();
        // 0.95 × sum − 0.5 百万円, in yen, compared without rounding: 20 × r ≥ 19 × sum − 10^7.
        let guard = 20 * i128::from(r.amount) >= 19 * i128::from(details) - 10_000_000;
        if is_blank(&r.description) && j > i + 1 && guard && r.amount != 0 {
            roles[i] = Role::Subtotal;
            for role in &mut roles[i + 1..j] {
                *role = Role::Detail(i);
            }
            i = j;
        } else {
            i += 1;
        }
    }
    roles
}

/// The アウトカム rows with their yearly results.
fn outcomes(root: &Obj<'_>, edition: i32) -> Result<Vec<Outcome>> {
    let mut out = Vec::new();
    for r in root.list("アウトカム")? {
        let year = r.int("目標最終年度")?;
        let in_range = |y: i64| (i64::from(edition) - 10..=i64::from(edition) + 40).contains(&y);
        out.push(Outcome {
            goal: r.str("成果目標")?.unwrap_or_default().trim().to_owned(),
            indicator: text(r.str("成果指標")?),
            unit: text(r.str("単位")?),
            target_text: text(r.str("目標値")?),
            target_year: year.filter(|&y| in_range(y)).map(|y| y as i32),
            bad_target_year: year.filter(|&y| !in_range(y)),
            results: results(&r, "成果実績", "成果実績", "目標値")?,
        });
    }
    Ok(out)
}

/// The アウトプット rows with their yearly results (editions 2015–2020).
fn outputs(root: &Obj<'_>) -> Result<Vec<Output>> {
    let mut out = Vec::new();
    for r in root.list("アウトプット")? {
        out.push(Output {
            indicator: r.str("活動指標")?.unwrap_or_default().trim().to_owned(),
            unit: text(r.str("単位")?),
            results: results(&r, "活動実績", "活動実績", "当初見込み")?,
        });
    }
    Ok(out)
}

fn text(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|s| !is_blank(s)).map(str::to_owned)
}

/// The yearly rows of list `key`: actual and target as decimal text; years with neither left out.
fn results(r: &Obj<'_>, key: &str, actual: &str, target: &str) -> Result<Vec<YearResult>> {
    let mut out = Vec::new();
    for y in r.list(key)? {
        let year = y
            .int("年度")?
            .and_then(plausible_year)
            .ok_or_else(|| y.bad("年度", "missing or not a year"))?;
        let (actual, target) = (y.decimal(actual)?, y.decimal(target)?);
        if actual.is_some() || target.is_some() {
            out.push(YearResult {
                year,
                actual,
                target,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> Number {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn million_yen_are_converted_exactly() {
        assert_eq!(million_yen_to_yen(&num("2982.37036")), Ok(2_982_370_360));
        assert_eq!(million_yen_to_yen(&num("1596.775")), Ok(1_596_775_000));
        assert_eq!(million_yen_to_yen(&num("-0.16786")), Ok(-167_860));
        assert_eq!(million_yen_to_yen(&num("0.0000005")), Ok(1));
        assert_eq!(
            million_yen_to_yen(&num("214086088.0")),
            Ok(214_086_088_000_000)
        );
        assert_eq!(million_yen_to_yen(&num("1e3")), Ok(1_000_000_000));
        assert!(million_yen_to_yen(&num("1e9")).is_err());
        assert!(million_yen_to_yen(&num("1e300")).is_err());
        assert_eq!(decimal_text(&num("0.25")).as_deref(), Ok("0.25"));
        assert_eq!(decimal_text(&num("3.0")).as_deref(), Ok("3"));
        assert_eq!(decimal_text(&num("1e-7")).as_deref(), Ok("0.0000001"));
    }

    #[test]
    fn anonymised_names() {
        for n in [
            "個人A",
            "個人（Ａ）",
            "個人",
            "研究者Ａ",
            "研究者個人B",
            "その他",
            "確認中",
            "未定",
            "-",
            "　",
        ] {
            assert!(is_anonymised(n), "{n}");
        }
        for n in [
            "個人情報保護委員会",
            "国立研究開発法人日本医療研究開発機構",
            "厚生労働省",
        ] {
            assert!(!is_anonymised(n), "{n}");
        }
    }
}
