#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bochs-lockdown.sh WORK_DIR FLANK_KO FLANKCTL VMM_ELF EXAMPLE_ELF CHECK_ELF PROBE SIGNED_DIR
#
# The lockdown scenario (e2e-bochs-lockdown, docs/signing.md): the Bochs
# run of bochs-e2e.sh with the stage tests/e2e/guest/lockdown.sh and its
# files in the initramfs: the signed copies `make image` wrote to
# SIGNED_DIR (build/signed, signed with the key whose certificate FLANK_KO
# was built with) and a tampered one: the signed vmm.elf with one byte of
# its ELF part changed, so that its signature no longer matches.
set -eu
work=${1:?usage: bochs-lockdown.sh WORK_DIR FLANK_KO FLANKCTL VMM_ELF EXAMPLE_ELF CHECK_ELF PROBE SIGNED_DIR}
signed=${8:?usage: bochs-lockdown.sh WORK_DIR FLANK_KO FLANKCTL VMM_ELF EXAMPLE_ELF CHECK_ELF PROBE SIGNED_DIR}
here=$(cd "$(dirname "$0")" && pwd)
for f in vmm.elf vmcs_check.elf; do
	[ -r "$signed/$f" ] || {
		echo "e2e-bochs-lockdown: no $signed/$f: \`make image\` signs the images (needs openssl)" >&2
		exit 2
	}
done
extra="$work.root"
rm -rf "$extra"
mkdir -p "$extra/signed" "$extra/tampered"
cp "$here/guest/lockdown.sh" "$extra/lockdown.sh"
cp "$signed/vmm.elf" "$signed/vmcs_check.elf" "$extra/signed/"
# One byte at 8 KiB (inside the image's text) complemented.
t="$extra/tampered/vmm.elf"
cp "$signed/vmm.elf" "$t"
byte=$(od -An -tu1 -j 8192 -N 1 "$t" | tr -d ' ')
printf "$(printf '\\%03o' $((255 - byte)))" |
	dd of="$t" bs=1 seek=8192 conv=notrunc status=none
cmp -s "$t" "$signed/vmm.elf" && {
	echo "e2e-bochs-lockdown: could not change $t" >&2
	exit 2
}
FLANK_E2E_EXTRA_ROOT=$extra exec "$here/bochs-e2e.sh" lockdown "$work" \
	"$2" "$3" "$4" "$5" "$6" "$7"
