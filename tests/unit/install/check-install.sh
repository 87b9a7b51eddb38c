#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check-install.sh SRC_DIR BUILD_DIR VERSION
#
# `make install` and `make uninstall` into a temporary DESTDIR with a
# PREFIX other than the default, on an already built tree: every file lands
# under DESTDIR/PREFIX where docs/installing.md says, the installed
# flankctl runs and names VERSION, the DKMS component holds what
# driver_linux/Kbuild needs; uninstall then leaves no file behind.
# The build's own manifests (from a real `make install`) are put back
# afterwards, so that a later `make uninstall` still finds them.
set -eu
src=${1:?usage: check-install.sh SRC_DIR BUILD_DIR VERSION}
build=${2:?usage: check-install.sh SRC_DIR BUILD_DIR VERSION}
version=${3:?usage: check-install.sh SRC_DIR BUILD_DIR VERSION}

tmp=$(mktemp -d)
dest=$tmp/dest
saved=$tmp/saved
mkdir -p "$dest" "$saved"
for m in install_manifest.txt install_manifest_dkms.txt; do
	[ -f "$build/$m" ] && mv "$build/$m" "$saved/$m"
done
cleanup() {
	for m in install_manifest.txt install_manifest_dkms.txt; do
		rm -f "$build/$m"
		[ -f "$saved/$m" ] && mv "$saved/$m" "$build/$m"
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
	echo "check-install: $*" >&2
	exit 1
}
mk() {
	make -s -C "$src" --no-print-directory BUILD="$build" DESTDIR="$dest" \
		PREFIX=/opt/flank "$@"
}

mk install-only >"$tmp/install.log" 2>&1 || {
	cat "$tmp/install.log" >&2
	fail "make install-only failed"
}
mk install-dkms >"$tmp/install-dkms.log" 2>&1 || {
	cat "$tmp/install-dkms.log" >&2
	fail "make install-dkms failed"
}

p=$dest/opt/flank
for f in sbin/flankctl bin/flank-elf; do
	[ -x "$p/$f" ] || fail "$f is not installed as an executable"
done
for f in share/man/man8/flankctl.8 share/man/man1/flank-elf.1 \
	share/bash-completion/completions/flankctl \
	share/bash-completion/completions/flank-elf; do
	[ -f "$p/$f" ] || fail "$f is not installed"
done
[ -n "$(find "$p/share/doc/flank/schema" -name '*.json' 2>/dev/null)" ] ||
	fail "share/doc/flank/schema holds no JSON schema"
for f in vmm.elf vmcs_check.elf example.elf textguard.elf; do
	[ -f "$p/lib/flank/$f" ] || fail "lib/flank/$f is not installed"
	[ ! -x "$p/lib/flank/$f" ] || fail "lib/flank/$f is executable: it is not a host program"
done
got=$("$p/sbin/flankctl" --version)
[ "$got" = "flankctl $version (ioctl ABI 1)" ] ||
	fail "installed flankctl --version says '$got', not version $version"
"$p/bin/flank-elf" verify "$p/lib/flank/vmm.elf" "$p/lib/flank/vmcs_check.elf" \
	"$p/lib/flank/example.elf" "$p/lib/flank/textguard.elf" >"$tmp/elf.log" 2>&1 || {
	cat "$tmp/elf.log" >&2
	fail "the installed flank-elf rejects the installed image and modules"
}
d=$p/src/flank-$version
for f in dkms.conf driver_linux/Kbuild driver_linux/Makefile driver_linux/main.c \
	driver_linux/core/core.c loader/sources.cmake abi/include/flank/flank_ioctl.h \
	driver_linux/ksig.c driver_linux/certs-to-c.sh driver_linux/core/sig.c \
	driver_linux/core/sigtrailer.c driver_linux/core/flank_sigtrailer.h; do
	[ -f "$d/$f" ] || fail "DKMS sources: src/flank-$version/$f is missing"
done
[ -z "$(find "$d" -name CMakeLists.txt)" ] || fail "DKMS sources hold CMakeLists.txt"
grep -q "^PACKAGE_VERSION=\"$version\"\$" "$d/dkms.conf" ||
	fail "the installed dkms.conf does not name version $version"
# Nothing outside PREFIX: every manifest line (without DESTDIR) is under
# it, and is there under DESTDIR.
outside=$(awk 1 "$build/install_manifest.txt" "$build/install_manifest_dkms.txt" |
	grep -v "^/opt/flank/" || true)
[ -z "$outside" ] || fail "installed outside PREFIX: $outside"
while read -r f; do
	[ -f "$dest$f" ] || fail "the manifest lists $f, which is not under DESTDIR"
done <<LIST
$(awk 1 "$build/install_manifest.txt" "$build/install_manifest_dkms.txt")
LIST
n=$(find "$dest" -type f | wc -l)
echo "check-install: $n files installed under DESTDIR/opt/flank"

mk uninstall >"$tmp/uninstall.log" 2>&1 || {
	cat "$tmp/uninstall.log" >&2
	fail "make uninstall failed"
}
left=$(find "$dest" -type f -o -type l)
[ -z "$left" ] || fail "make uninstall left files behind: $left"
for dir in "$p/lib/flank" "$d" "$p/share/doc/flank"; do
	[ ! -e "$dir" ] || fail "make uninstall left ${dir#"$dest"} behind"
done
echo "check-install: make uninstall removed all $n"
