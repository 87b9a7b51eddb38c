#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# demo-render.sh: turns serial-log lines of the Bochs run (stdin) into the
# transcript `make demo` shows: narration, the commands typed in the guest,
# their output, and the driver's kernel messages.
while IFS= read -r line; do
	case $line in
	*"FLANK-E2E: say: "*) printf '\n== %s\n' "${line#*FLANK-E2E: say: }" ;;
	*"FLANK-E2E: cmd."*)
		l=${line#*FLANK-E2E: cmd.}
		printf 'guest# %s\n' "${l#*: }"
		;;
	*"FLANK-E2E: out."*)
		l=${line#*FLANK-E2E: out.}
		printf '    %s\n' "${l#*: }"
		;;
	*"FLANK-E2E: begin "*) printf '\n== Linux is up (%s)\n' "${line#*FLANK-E2E: begin }" ;;
	*"FLANK-E2E: end"*) printf '\n== The guest scenario is over; the guest powers off\n' ;;
	*"FLANK-E2E: "*=*)
		l=${line#*FLANK-E2E: }
		v=${l#*=}
		case $v in
		0) ;;
		[0-9] | [0-9][0-9] | [0-9][0-9][0-9]) printf '    (exit status %s)\n' "$v" ;;
		*) printf '    %s\n' "$l" ;;
		esac
		;;
	*"] flank: "*) printf '    kernel: %s\n' "${line#*] }" ;;
	*"Kernel panic"* | *"invalid opcode"* | *"BUG:"* | *"Oops"*) printf '    KERNEL: %s\n' "${line#*] }" ;;
	esac
done
