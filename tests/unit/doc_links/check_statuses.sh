#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check_statuses.sh HEADER PREFIX PAGE: every enumerator PREFIX* that HEADER
# declares appears, in backquotes, in PAGE, so that a new error cannot be
# left out of the page that documents every error (docs/loader.md).
set -u
header=$1
prefix=$2
page=$3
missing=0
for name in $(grep -oE "^[[:space:]]*${prefix}[A-Z0-9_]+" "$header" | sed 's/^[[:space:]]*//' | sort -u); do
	if ! grep -qF "\`$name\`" "$page"; then
		echo "$page does not document $name"
		missing=$((missing + 1))
	fi
done
count=$(grep -cE "^[[:space:]]*${prefix}[A-Z0-9_]+" "$header")
if [ "$count" -eq 0 ]; then
	echo "check_statuses: no ${prefix}* enumerator in $header"
	exit 1
fi
echo "check_statuses: $missing of $count ${prefix}* value(s) missing from $page"
[ "$missing" -eq 0 ]
