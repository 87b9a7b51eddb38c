#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check-links.sh [FILE.md...]
#
# Checks every relative link of the given Markdown files (default: README.md
# and docs/*.md of the repository): the file or directory it names exists,
# and a #anchor names a heading of the target page (GitHub's anchor rules:
# lower case, punctuation dropped, spaces to hyphens, -1, -2 ... for
# repeats). Links to http(s), mailto and other schemes are not followed,
# and links inside code (fenced blocks, `spans`) are not links. Prints every
# broken link as FILE:LINE: and exits 1 if there is any.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
if [ "$#" -eq 0 ]; then
	set -- "$root/README.md" "$root"/docs/*.md
fi

exec python3 - "$@" <<'EOF'
import os
import re
import sys

INLINE = re.compile(r'!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)')
REFDEF = re.compile(r'^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$')
HEADING = re.compile(r'^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$')
FENCE = re.compile(r'^\s{0,3}(```|~~~)')
SCHEME = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*:')


def lines_outside_code(path):
    """(line number, text) of every line outside fenced code blocks."""
    fence = None
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            m = FENCE.match(line)
            if m:
                if fence is None:
                    fence = m.group(1)
                elif m.group(1) == fence:
                    fence = None
                continue
            if fence is None:
                yield n, line.rstrip('\n')


def slug(text):
    """GitHub's anchor for a heading."""
    text = re.sub(r'`([^`]*)`', r'\1', text)
    text = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', text)
    text = text.strip().lower()
    text = ''.join(c for c in text if c.isalnum() or c in ' -_')
    return text.replace(' ', '-')


anchors_cache = {}


def anchors(path):
    if path not in anchors_cache:
        seen = {}
        result = set()
        for _, line in lines_outside_code(path):
            m = HEADING.match(line)
            if not m:
                continue
            s = slug(m.group(2))
            if s in seen:
                seen[s] += 1
                result.add('%s-%d' % (s, seen[s]))
            else:
                seen[s] = 0
                result.add(s)
        # Explicit anchors: <a name="x"> or <a id="x">.
        with open(path, encoding='utf-8') as f:
            for m in re.finditer(r'<a\s+(?:name|id)="([^"]+)"', f.read()):
                result.add(m.group(1))
        anchors_cache[path] = result
    return anchors_cache[path]


def check(md):
    broken = []
    here = os.path.dirname(os.path.abspath(md))
    for n, line in lines_outside_code(md):
        text = re.sub(r'(`+)(?:(?!\1).)*?\1', '', line)
        targets = [m.group(1) for m in INLINE.finditer(text)]
        m = REFDEF.match(text)
        if m:
            targets.append(m.group(1))
        for target in targets:
            if not target or SCHEME.match(target) or target.startswith('//'):
                continue
            path, _, anchor = target.partition('#')
            dest = os.path.normpath(os.path.join(here, path)) if path else os.path.abspath(md)
            if not os.path.exists(dest):
                broken.append((n, target, 'no such file or directory'))
                continue
            if anchor:
                if not dest.endswith('.md') or os.path.isdir(dest):
                    broken.append((n, target, 'anchor into a file that is not Markdown'))
                elif anchor not in anchors(dest):
                    broken.append((n, target, 'no heading with anchor #%s' % anchor))
    return broken


files = sys.argv[1:]
total = 0
for md in files:
    for n, target, why in check(md):
        print('%s:%d: broken link %s: %s' % (md, n, target, why))
        total += 1
print('check-links: %d file(s), %d broken link(s)' % (len(files), total))
sys.exit(1 if total else 0)
EOF
