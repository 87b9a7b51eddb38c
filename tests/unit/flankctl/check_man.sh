#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check_man.sh FLANKCTL FLANK_ELF MAN_DIR
#
# The man pages generated from docs/flankctl.8.md and docs/flank-elf.1.md:
# - render without a single warning (groff -ww -z -man, and man --warnings
#   -l where man-db is installed); a page with an undefined request proves
#   first that a warning is caught;
# - their SYNOPSIS, as rendered, is what --help prints after "Usage:", and
#   each command's line is what COMMAND --help and 'help COMMAND' print.
set -u
ctl=$1
elf=$2
dir=$3
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}

# Warnings of groff (and man) on $1, on stdout; empty if none.
warnings() {
	groff -ww -z -man "$1" 2>&1
	if command -v man >/dev/null 2>&1; then
		MANROFFSEQ='' MANWIDTH=80 man --warnings -l "$1" 2>&1 >/dev/null
	fi
}

printf '.TH X 1\n.SH NAME\nx \\- y\n.nosuchrequest\n' >"$tmp/bad.1"
[ -n "$(warnings "$tmp/bad.1")" ] ||
	fail "groff -ww is silent on an undefined request: the check proves nothing"

# The SYNOPSIS lines of page $1 as rendered, one per line, unindented.
synopsis() {
	groff -man -Tascii -P-c -P-b -P-u -rLL=200n "$1" 2>/dev/null |
		awk '/^SYNOPSIS/ { on = 1; next }
		     /^[A-Z]/ { on = 0 }
		     on && NF { sub(/^ +/, ""); print }'
}

# The synopsis --help prints ("Usage: " lines up to the first blank line).
help_synopsis() {
	"$@" --help | awk '!NF { exit } { sub(/^(Usage:)? +/, ""); print }'
}

for page in "$dir/flankctl.8" "$dir/flank-elf.1"; do
	[ -s "$page" ] || { fail "$page missing"; continue; }
	w=$(warnings "$page")
	[ -z "$w" ] || fail "$page renders with warnings: $w"
done

for tool in "$ctl" "$elf"; do
	name=$(basename "$tool")
	page=$(ls "$dir/$name".[18] 2>/dev/null)
	[ -n "$page" ] || continue
	synopsis "$page" >"$tmp/man.txt"
	help_synopsis "$tool" >"$tmp/help.txt"
	[ -s "$tmp/man.txt" ] || fail "$page: no SYNOPSIS rendered"
	if ! cmp -s "$tmp/man.txt" "$tmp/help.txt"; then
		fail "$name --help and $page differ in the synopsis:"
		diff "$tmp/man.txt" "$tmp/help.txt"
	fi
	# Each command's line: COMMAND --help's first line.
	grep -v -- " --help" "$tmp/man.txt" | while read -r prog cmd rest; do
		want="Usage: $prog $cmd${rest:+ $rest}"
		got=$("$tool" "$cmd" --help | head -n 1)
		[ "$got" = "$want" ] ||
			echo "FAIL: $prog $cmd --help prints '$got', the page '$want'"
		if [ "$name" = flankctl ]; then
			got=$("$tool" help "$cmd" | head -n 1)
			[ "$got" = "$want" ] ||
				echo "FAIL: $prog help $cmd prints '$got', the page '$want'"
		fi
	done >"$tmp/cmds.txt"
	if [ -s "$tmp/cmds.txt" ]; then
		cat "$tmp/cmds.txt"
		failed=$((failed + $(wc -l <"$tmp/cmds.txt")))
	fi
	echo "$name: $(wc -l <"$tmp/man.txt") synopsis lines compared with --help"
done

echo "check_man: $failed failure(s)"
[ "$failed" -eq 0 ]
