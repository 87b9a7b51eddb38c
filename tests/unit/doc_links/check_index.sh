#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check_index.sh DOCS_DIR: the index DOCS_DIR/README.md links every other
# page of DOCS_DIR, so that a new page cannot be left out of it.
set -u
docs=$1
missing=0
for page in "$docs"/*.md; do
	name=$(basename "$page")
	[ "$name" = README.md ] && continue
	if ! grep -qF "]($name)" "$docs/README.md"; then
		echo "$docs/README.md does not link $name"
		missing=$((missing + 1))
	fi
done
echo "check_index: $missing page(s) missing from the index"
[ "$missing" -eq 0 ]
