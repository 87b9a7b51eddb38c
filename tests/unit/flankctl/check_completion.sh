#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check_completion.sh COMPLETION_FILE FLANKCTL FLANK_ELF
#
# Sources the bash completion and calls its function as bash would, with
# COMP_WORDS and COMP_CWORD set, and checks COMPREPLY: commands, options
# per command, image files for load/inspect/verify, commands after help.
set -u
file=$1
bin=$(mktemp -d)
ln -s "$2" "$bin/flankctl"
ln -s "$3" "$bin/flank-elf"
PATH=$bin:$PATH
dir=$(mktemp -d)
trap 'rm -rf "$dir" "$bin"' EXIT
mkdir "$dir/images"
touch "$dir/vmm.elf" "$dir/vmcs_check.elf" "$dir/notes.txt"
failed=0

# shellcheck source=/dev/null
. "$file"

# expect WANT WORD...: completing the last WORD gives WANT (sorted, spaces).
expect()
{
	local want=$1 got
	shift
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_flank_complete
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
	got=${got% }
	if [[ $got != "$want" ]]; then
		echo "FAIL: '$*': got '$got', expected '$want'"
		failed=$((failed + 1))
	else
		echo "ok: '$*' -> '$got'"
	fi
}

expect "check dump help load start stats status stop top unload" flankctl ""
expect "start stats status stop" flankctl st
expect "top" flankctl t
expect "--help --version" flankctl --
expect "--help --json" flankctl stats --
expect "--count --help --interval --once" flankctl top --
expect "--interval" flankctl top --int
expect "" flankctl top --interval ""
expect "--help --no-vmcs-check" flankctl load --
expect "--help" flankctl start --
expect "$dir/images $dir/vmcs_check.elf $dir/vmm.elf" flankctl load "$dir/"
expect "$dir/vmcs_check.elf $dir/vmm.elf" flankctl load --no-vmcs-check "$dir/vm"
expect "$dir/images $dir/vmcs_check.elf $dir/vmm.elf" flankctl load "$dir/vmm.elf" "$dir/"
expect "start stats status" flankctl help sta
expect "" flankctl status ""
expect "inspect verify" flank-elf ""
expect "$dir/vmm.elf" flank-elf inspect "$dir/vmm"
expect "$dir/images $dir/vmcs_check.elf $dir/vmm.elf" flank-elf verify "$dir/vmm.elf" "$dir/"
# The completion is registered for both names.
[[ $(complete -p flankctl) == *_flank_complete* ]] ||
	{ echo "FAIL: no completion for flankctl"; failed=$((failed + 1)); }
[[ $(complete -p flank-elf) == *_flank_complete* ]] ||
	{ echo "FAIL: no completion for flank-elf"; failed=$((failed + 1)); }

echo "check_completion: $failed failure(s)"
[[ $failed -eq 0 ]]
