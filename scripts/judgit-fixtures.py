#!/usr/bin/env python3
# Copies the committed JUDGIT! review sheets (tests/fixtures/judgit-real/commit-list.txt) from a
# checkout of https://github.com/judgit/data (CC BY 4.0) into data/judgit/sheets, unchanged, so
# that `medrd` loads them by default. Standard library only.
#
# Usage: scripts/judgit-fixtures.py --src PATH_TO_judgit/data \
#            [--list tests/fixtures/judgit-real/commit-list.txt] [--out data/judgit/sheets]
# Each line of the list is `EDITION/府省庁/STEM.json<TAB>bytes<TAB>why` (# lines are comments);
# a file whose size differs from the list stops the copy (the list was made from another
# version of the data: look at the difference before committing it).
import argparse
import os
import shutil
import sys


def entries(path):
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line or line.startswith('#'):
                continue
            parts = line.split('\t')
            if len(parts) < 2 or not parts[1].isdigit():
                sys.exit(f'{path}:{n}: expected PATH<TAB>BYTES<TAB>WHY')
            yield n, parts[0], int(parts[1])


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--src', required=True, help="the judgit/data repository's data/ folder")
    ap.add_argument('--list', default=os.path.join(root, 'tests/fixtures/judgit-real/commit-list.txt'))
    ap.add_argument('--out', default=os.path.join(root, 'data/judgit/sheets'))
    a = ap.parse_args()
    total = count = 0
    for n, rel, size in entries(a.list):
        if rel.startswith('/') or '..' in rel.split('/') or rel.count('/') != 2:
            sys.exit(f'{a.list}:{n}: {rel}: not EDITION/府省庁/STEM.json')
        src = os.path.join(a.src, rel)
        if not os.path.isfile(src):
            sys.exit(f'{a.list}:{n}: {src}: no such file')
        if os.path.getsize(src) != size:
            sys.exit(f'{a.list}:{n}: {src}: {os.path.getsize(src)} bytes, the list says {size}')
        dst = os.path.join(a.out, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copyfile(src, dst)
        total += size
        count += 1
    print(f'{count} sheets, {total:,} bytes → {a.out}', file=sys.stderr)


if __name__ == '__main__':
    main()
