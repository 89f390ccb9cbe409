#!/usr/bin/env python3
# Writes real administrative project review (行政事業レビュー, RS system) rows in the official CSV
# layouts (1-2 基本情報_事業概要等, 2-1 予算・執行_サマリ, 5-1 支出先_支出情報; UTF-8 with BOM, zipped
# under the official file names) from the derived copies of igomuni/marumie-rssystem (MIT,
# public/data/: rs20XX-project-details.json.gz, sankey-svg-20XX-graph.json.gz), for RS 2024 and
# RS 2025: the full national files (--full DIR, for measurement, not committed) and the committed
# test subset (--subset DIR, tests/fixtures/rs-real/). Standard library only.
#
# Column names and order are those of igomuni/rssystem_db schema.yaml (tbl_1_2, tbl_2_1, tbl_5_1).
# The derived copies do not hold every official column; these are LEFT EMPTY:
#   all files: シート種別, 府省庁の建制順, 政策所管府省庁, 部, 課, 室, 班, 係
#   1-2: 整理表表示順 (実施方法ー* are written "TRUE" for the methods the copy lists, else empty)
#   2-1: 主な増減理由, その他特記事項, 第2〜5次補正予算, 予備費等1〜4, 要望額, 備考
#   5-1: 支出先ブロック番号, 支出先ブロック名, 支出先の数, 事業を行う上での役割, ブロックの合計支出額,
#        所在地, 法人種別, その他支出先, 支出先の合計支出額, 契約概要, 契約方式等 … その他の契約
# How the derived figures map back (marumie scripts/generate-sankey-svg-data.ts):
#   - the copy keeps one 予算年度 per edition (RS 2024: 2023; RS 2025: 2024), summing every account
#     row of the 2-1 file; we write one 2-1 row per account (会計区分, 会計, 勘定) of the 2-2 items
#     in budgetBreakdown, whose figures add up to the program's budgetSummary (any rounding gap
#     goes to the first row, so the rows always sum to the copy's totals); 執行額 is per 会計区分
#     (accountSummaries). A program without budgetSummary (no row of that 予算年度) gets no 2-1 row.
#   - 5-1: one row per direct payment edge project-spending-N → recipient (amount in yen); the copy
#     merges recipients by name, so 法人番号 is the recipient's representativeCorporateNumber (the
#     valid number with the largest amount), empty when it has none.
# Amounts are written in yen, as the copy holds them.
#
# Usage: scripts/rs-fixtures.py [--src DIR] [--full DIR] [--subset DIR] [--candidates CSV]
#   --src defaults to /work/rsraw, else public/data of a marumie-rssystem clone given as --src.
import argparse
import csv
import gzip
import io
import json
import os
import sys
import zipfile

COLS_1_2 = ['シート種別', '事業年度', '予算事業ID', '事業名', '府省庁の建制順', '政策所管府省庁', '府省庁', '局・庁', '部', '課', '室', '班', '係', '事業の目的', '現状・課題', '事業の概要', '事業概要URL', '事業区分', '事業開始年度', '開始年度不明', '事業終了（予定）年度', '終了予定なし', '主要経費', '備考', '実施方法ー直接実施', '実施方法ー補助', '実施方法ー負担', '実施方法ー交付', '実施方法ー分担金・拠出金', '実施方法ーその他', '旧事業番号', '整理表表示順']
COLS_2_1 = ['シート種別', '事業年度', '予算事業ID', '事業名', '府省庁の建制順', '政策所管府省庁', '府省庁', '局・庁', '部', '課', '室', '班', '係', '予算年度', '当初予算（合計）', '補正予算（合計）', '前年度からの繰越し（合計）', '予備費等（合計）', '計（歳出予算現額合計）', '執行額（合計）', '執行率', '翌年度への繰越し(合計）', '翌年度要求額（合計）', '主な増減理由', 'その他特記事項', '会計区分', '会計', '勘定', '当初予算', '第1次補正予算', '第2次補正予算', '第3次補正予算', '第4次補正予算', '第5次補正予算', '前年度から繰越し', '予備費等1', '予備費等2', '予備費等3', '予備費等4', '歳出予算現額', '執行額', '翌年度要求額', '要望額', '備考']
COLS_5_1 = ['シート種別', '事業年度', '予算事業ID', '事業名', '府省庁の建制順', '政策所管府省庁', '府省庁', '局・庁', '部', '課', '室', '班', '係', '支出先ブロック番号', '支出先ブロック名', '支出先の数', '事業を行う上での役割', 'ブロックの合計支出額', '支出先名', '法人番号', '所在地', '法人種別', 'その他支出先', '支出先の合計支出額', '契約概要', '金額', '契約方式等', '具体的な契約方式等', '入札者数', '落札率', '一者応札・一者応募又は競争性のない随意契約となった理由及び改善策（支出額10億円以上）', 'その他の契約']
NAMES = {
    '1-2': '1-2_RS_{y}_基本情報_事業概要等',
    '2-1': '2-1_RS_{y}_予算・執行_サマリ',
    '5-1': '5-1_RS_{y}_支出先_支出情報',
}
METHODS = ['直接実施', '補助', '負担', '交付', '分担金・拠出金', 'その他']
# The per-project sibling sheets of the MHLW aggregate line and the look-alikes of NOTES.md §6,
# kept in the subset whether or not candidates.csv lists them.
ALWAYS = {2867, 2959, 2960, 2961, 2962, 2963, 21215, 5306, 3742, 5754, 2089, 716, 6584, 6798,
          2070, 5531, 2259, 2957, 7733, 6973, 2075, 2122, 2138, 2804, 141, 1691, 2091, 2092}
# Distractors: every program whose ID is DISTRACTOR_REM modulo DISTRACTOR_MOD (all ministries).
DISTRACTOR_MOD, DISTRACTOR_REM = 20, 7


def load(src, year):
    def find(name):
        for d in (src, os.path.join(src, 'public', 'data')):
            p = os.path.join(d, name)
            if os.path.exists(p):
                return p
        sys.exit(f'rs-fixtures: {name} not found under {src}')
    with gzip.open(find(f'rs{year}-project-details.json.gz')) as f:
        details = json.load(f)
    with gzip.open(find(f'sankey-svg-{year}-graph.json.gz')) as f:
        graph = json.load(f)
    return details, graph


def cell(v):
    if v is None:
        return ''
    if isinstance(v, bool):
        return 'TRUE' if v else 'FALSE'
    return str(v)


def common(year, pid, d):
    return {'事業年度': year, '予算事業ID': pid, '事業名': d.get('projectName', ''),
            '府省庁': d.get('ministry', ''), '局・庁': d.get('bureau', '')}


def rows_1_2(year, details):
    for pid in sorted(details, key=int):
        d = details[pid]
        r = common(year, pid, d)
        methods = d.get('implementationMethods') or []
        r.update({'事業の目的': d.get('purpose'), '現状・課題': d.get('currentIssues'),
                  '事業の概要': d.get('overview'), '事業概要URL': d.get('url'),
                  '事業区分': d.get('category'), '事業開始年度': d.get('startYear'),
                  '開始年度不明': d.get('startYearUnknown'), '事業終了（予定）年度': d.get('endYear'),
                  '終了予定なし': d.get('noEndDate'), '主要経費': d.get('majorExpense'),
                  '備考': d.get('remarks'), '旧事業番号': d.get('oldProjectNumber')})
        for m in METHODS:
            if m in methods:
                r['実施方法ー' + m] = 'TRUE'
        yield int(pid), r


def rows_2_1(year, details, graph):
    for n in graph['nodes']:
        if n['type'] != 'project-budget' or not n.get('budgetSummary'):
            continue
        pid = n['projectId']
        s = n['budgetSummary']
        d = details.get(str(pid), {'projectName': n['name'], 'ministry': n.get('ministry', '')})
        groups = {}
        for b in n.get('budgetBreakdown') or []:
            if b.get('fiscalYear') != s['fiscalYear']:
                continue
            key = (b.get('accountCategory', ''), b.get('account', ''), b.get('subAccount', ''))
            g = groups.setdefault(key, dict(initial=0, supp=0, carry=0, reserve=0, request=0))
            t, a = b.get('budgetType', ''), b.get('amount') or 0
            if t == '当初予算':
                g['initial'] += a
            elif '補正' in t:
                g['supp'] += a
            elif '繰越' in t:
                g['carry'] += a
            else:
                g['reserve'] += a
            g['request'] += b.get('nextYearRequestAmount') or 0
        if not groups:
            groups[('一般会計', '一般会計', '')] = dict(initial=0, supp=0, carry=0, reserve=0, request=0)
        keys = list(groups)
        executed = {k: 0 for k in keys}
        for a in s.get('accountSummaries') or []:
            k = next((k for k in keys if k[0] == a.get('accountCategory')), keys[0])
            executed[k] += a.get('executedAmount') or 0
        first = groups[keys[0]]
        for f, total in (('initial', s['initialBudget']), ('supp', s['supplementaryBudget']),
                         ('carry', s['carryoverBudget']), ('reserve', s['reserveFund']),
                         ('request', s['nextYearRequest'])):
            first[f] += total - sum(g[f] for g in groups.values())
        executed[keys[0]] += s['executedAmount'] - sum(executed.values())
        for i, k in enumerate(keys):
            g = groups[k]
            total = g['initial'] + g['supp'] + g['carry'] + g['reserve']
            rate = f'{executed[k] / total * 100:.1f}' if total else ''
            r = common(year, pid, d)
            r.update({'予算年度': s['fiscalYear'], '当初予算（合計）': g['initial'],
                      '補正予算（合計）': g['supp'], '前年度からの繰越し（合計）': g['carry'],
                      '予備費等（合計）': g['reserve'], '計（歳出予算現額合計）': total,
                      '執行額（合計）': executed[k], '執行率': rate,
                      '翌年度への繰越し(合計）': s.get('carryoverToNext', 0) if i == 0 else 0,
                      '翌年度要求額（合計）': g['request'], '会計区分': k[0], '会計': k[1], '勘定': k[2],
                      '当初予算': g['initial'], '第1次補正予算': g['supp'], '前年度から繰越し': g['carry'],
                      '歳出予算現額': total, '執行額': executed[k], '翌年度要求額': g['request']})
            yield pid, r


def rows_5_1(year, details, graph):
    recipients = {n['id']: n for n in graph['nodes'] if n['type'] == 'recipient'}
    for e in graph['edges']:
        if not e['source'].startswith('project-spending-') or e['target'] == 'r-no-spending':
            continue
        pid = int(e['source'][len('project-spending-'):])
        rec = recipients.get(e['target'])
        if rec is None:
            continue
        d = details.get(str(pid), {})
        r = common(year, pid, d)
        r.update({'支出先名': rec['name'], '法人番号': rec.get('representativeCorporateNumber', ''),
                  '金額': e['value']})
        yield pid, r


def csv_bytes(cols, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator='\r\n')
    w.writerow(cols)
    for r in rows:
        w.writerow([cell(r.get(c)) for c in cols])
    return '\ufeff'.encode() + buf.getvalue().encode('utf-8')


def write_zip(path, inner, data):
    tmp = path + '.part'
    with zipfile.ZipFile(tmp, 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        info = zipfile.ZipInfo(inner, date_time=(2025, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, data)
    os.replace(tmp, path)


def candidate_ids(path):
    ids = set()
    with open(path, encoding='utf-8') as f:
        for line in f:
            if line.startswith('#') or line.startswith('id,'):
                continue
            head = line.split(',', 1)[0].strip()
            if head.isdigit():
                ids.add(int(head))
    return ids


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--src', default='/work/rsraw')
    ap.add_argument('--full', help='write the full national files here (not committed)')
    ap.add_argument('--subset', help='write the committed test subset here')
    ap.add_argument('--candidates', default=os.path.join(
        os.path.dirname(__file__), '..', 'tests', 'fixtures', 'rs-real', 'candidates.csv'))
    a = ap.parse_args()
    if not a.full and not a.subset:
        ap.error('give --full DIR and/or --subset DIR')
    keep = candidate_ids(a.candidates) | ALWAYS if a.subset else set()
    for year in (2024, 2025):
        details, graph = load(a.src, year)
        tables = {'1-2': (COLS_1_2, list(rows_1_2(year, details))),
                  '2-1': (COLS_2_1, list(rows_2_1(year, details, graph))),
                  '5-1': (COLS_5_1, list(rows_5_1(year, details, graph)))}
        for kind, (cols, rows) in tables.items():
            name = NAMES[kind].format(y=year)
            if a.full:
                os.makedirs(a.full, exist_ok=True)
                write_zip(os.path.join(a.full, name + '.zip'), name + '.csv',
                          csv_bytes(cols, (r for _, r in rows)))
            if a.subset:
                out = os.path.join(a.subset, str(year))
                os.makedirs(out, exist_ok=True)
                sub = [r for pid, r in rows
                       if pid in keep or pid % DISTRACTOR_MOD == DISTRACTOR_REM]
                write_zip(os.path.join(out, name + '.zip'), name + '.csv', csv_bytes(cols, sub))
            print(f'RS {year} {kind}: {len(rows)} rows', file=sys.stderr)


if __name__ == '__main__':
    main()
