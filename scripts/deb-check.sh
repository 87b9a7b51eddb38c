#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# deb-check.sh DEB_DIR
#
# CI check of the Debian packages that `make deb` left in DEB_DIR (`make
# deb-check` builds them first). As root, on this machine:
#  1. removes any earlier install (the packages, or a DKMS tree added by
#     hand as docs/installing.md once described), so that it can run again;
#  2. installs flank-dkms and flank-tools with apt-get;
#  3. checks that DKMS built and installed flank.ko for every installed
#     kernel that has headers (/lib/modules/KVER/build), that modinfo finds
#     it there with the packaged version and vermagic, signed when DKMS has
#     a signing key, that the kernel hook DKMS installs rebuilds it for a
#     kernel installed later, that flankctl --version names the packaged version,
#     flank-elf accepts the installed image and modules, and that
#     flankctl check explains whether this CPU has VT-x even without the
#     module loaded;
#  4. purges both packages and checks that no file they installed (dpkg -L)
#     and nothing DKMS made (/var/lib/dkms/flank, the modules under
#     /lib/modules) is left behind.
set -eu
dir=${1:?usage: deb-check.sh DEB_DIR}
# apt-get takes a local package only as a path with a slash in front.
dir=$(cd "$dir" && pwd)
[ "$(id -u)" -eq 0 ] || {
	echo "deb-check: must run as root (it installs packages)" >&2
	exit 1
}
step() { echo "=== deb-check: $*"; }
fail() {
	echo "deb-check: FAIL: $*" >&2
	exit 1
}
dkms_deb=$(ls "$dir"/flank-dkms_*_all.deb)
tools_deb=$(ls "$dir"/flank-tools_*_amd64.deb)
version=$(dpkg-deb -f "$dkms_deb" Version)
[ "$(dpkg-deb -f "$tools_deb" Version)" = "$version" ] ||
	fail "flank-dkms and flank-tools have different versions"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export DEBIAN_FRONTEND=noninteractive

# Every installed kernel with a build tree; DKMS's postinst builds for all
# of them on a first install when the running kernel is not one of them
# (a container), else for the running and the newest one.
kernels=
for b in /lib/modules/*/build; do
	[ -f "$b/Makefile" ] || continue
	k=${b%/build}
	kernels="$kernels ${k#/lib/modules/}"
done
[ -n "$kernels" ] || fail "no kernel headers installed (scripts/deps.sh kernel)"
running=$(uname -r)
expect=$kernels
if [ -f "/lib/modules/$running/build/Makefile" ]; then
	newest=$(echo "$kernels" | tr ' ' '\n' | sed '/^$/d' | sort -V | tail -n 1)
	expect=$(printf '%s\n%s\n' "$running" "$newest" | sort -u | tr '\n' ' ')
fi

step "removing earlier installs"
for p in flank-tools flank-dkms; do
	if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'installed\|config-files'; then
		apt-get purge -y -q "$p" >"$tmp/purge-old.log" 2>&1 ||
			{ cat "$tmp/purge-old.log" >&2; fail "apt-get purge $p failed"; }
	fi
done
if dkms status -m flank 2>/dev/null | grep -q .; then
	echo "deb-check: a DKMS tree of flank not from the package: dkms remove --all"
	for v in $(dkms status -m flank | sed -n 's|^flank/\([^,]*\),.*|\1|p' | sort -u); do
		dkms remove -m flank -v "$v" --all >/dev/null || true
	done
	rm -rf /var/lib/dkms/flank
fi
for d in /usr/src/flank-*; do
	[ -e "$d" ] || continue
	dpkg -S "$d" >/dev/null 2>&1 || { echo "deb-check: removing unpackaged $d"; rm -rf "$d"; }
done

step "installing $dkms_deb $tools_deb (DKMS builds flank.ko for:$expect)"
start=$(date +%s)
apt-get install -y -q --no-install-recommends "$dkms_deb" "$tools_deb" >"$tmp/install.log" 2>&1 ||
	{ cat "$tmp/install.log" >&2; fail "apt-get install failed"; }
grep -E "Building for|Building initial|Installing to|Signing|Error|error" "$tmp/install.log" || true
echo "deb-check: installed in $(($(date +%s) - start)) s"

step "dkms status"
dkms status -m flank | tee "$tmp/dkms-status"
for k in $expect; do
	grep -q "^flank/$version, $k, x86_64: installed" "$tmp/dkms-status" ||
		fail "dkms status does not show flank/$version installed for $k"
	step "modinfo -k $k flank"
	f=$(modinfo -k "$k" -F filename flank) || fail "modinfo -k $k finds no flank module"
	echo "filename: $f"
	case $f in /lib/modules/"$k"/updates/dkms/flank.ko*) ;;
	*) fail "flank for $k is $f, not DKMS's (/lib/modules/$k/updates/dkms)" ;;
	esac
	v=$(modinfo -k "$k" -F version flank)
	[ "$v" = "$version" ] || fail "flank.ko for $k says version '$v', the package $version"
	vm=$(modinfo -k "$k" -F vermagic flank)
	case $vm in "$k "*) ;; *) fail "flank.ko for $k has vermagic '$vm'" ;; esac
	echo "version: $v; vermagic: $vm"
	if [ -f /var/lib/dkms/mok.pub ]; then
		signer=$(modinfo -k "$k" -F signer flank)
		[ -n "$signer" ] || fail "DKMS has a signing key but flank.ko for $k is not signed"
		echo "signer: $signer (DKMS's MOK, /var/lib/dkms/mok.pub)"
	fi
done

# A kernel installed or upgraded later: Debian's kernel packages run
# /etc/kernel/postinst.d/dkms, which builds every AUTOINSTALL module for
# it. Simulated on the oldest kernel: take its module away, run the hook.
k=$(echo "$expect" | tr ' ' '\n' | sed '/^$/d' | sort -V | head -n 1)
step "kernel upgrade: /etc/kernel/postinst.d/dkms $k rebuilds flank"
dkms remove -m flank -v "$version" -k "$k" >/dev/null
dkms status -m flank -k "$k" | grep -q ': installed' && fail "dkms remove -k $k did not remove it"
/etc/kernel/postinst.d/dkms "$k" >"$tmp/hook.log" 2>&1 ||
	{ cat "$tmp/hook.log" >&2; fail "/etc/kernel/postinst.d/dkms $k failed"; }
dkms status -m flank -k "$k" | tee "$tmp/hook-status"
grep -q "^flank/$version, $k, x86_64: installed" "$tmp/hook-status" ||
	fail "the kernel hook did not rebuild flank for $k"
modinfo -k "$k" -F filename flank | grep -q "^/lib/modules/$k/updates/dkms/flank.ko" ||
	fail "after the kernel hook modinfo -k $k finds no DKMS flank.ko"

step "flankctl --version; flank-elf verify"
got=$(flankctl --version)
echo "$got"
[ "$got" = "flankctl $version (ioctl ABI 1)" ] || fail "flankctl --version is '$got'"
flank-elf verify /usr/lib/flank/vmm.elf /usr/lib/flank/vmcs_check.elf \
	/usr/lib/flank/example.elf /usr/lib/flank/textguard.elf || fail "flank-elf rejects the installed image and modules"

step "flankctl check"
if [ -c /dev/flank ]; then
	# The module is loaded (a machine that runs one of the kernels above):
	# check answers; exit 0 (usable) or 1 (not usable, with the reason).
	rc=0
	flankctl check || rc=$?
	[ "$rc" -le 1 ] || fail "flankctl check exited $rc with /dev/flank present"
else
	# Not loaded (here: the running kernel $running is not one DKMS built
	# for, or a container cannot load modules): check says so on stderr
	# and still answers the one question that needs no driver, VT-x in
	# CPUID: without it exit 1, "Flank can NOT be used"; with it exit 3
	# and what to do. /proc/cpuinfo's vmx flag says which to expect.
	rc=0
	flankctl check >"$tmp/check.out" 2>"$tmp/check.err" || rc=$?
	cat "$tmp/check.err" "$tmp/check.out"
	grep -q "is flank.ko loaded? try 'modprobe flank'" "$tmp/check.err" ||
		fail "flankctl check without /dev/flank does not say to load flank.ko"
	if grep -qw vmx /proc/cpuinfo; then
		[ "$rc" -eq 3 ] || fail "flankctl check on a VT-x CPU without /dev/flank exited $rc, not 3"
		grep -q "^INFO: CPUID reports VT-x" "$tmp/check.out" ||
			fail "flankctl check does not say that this CPU has VT-x"
	else
		[ "$rc" -eq 1 ] || fail "flankctl check on a CPU without VT-x exited $rc, not 1"
		if ! grep -q "no Intel VT-x" "$tmp/check.out" ||
			! grep -q "^Flank can NOT be used on this machine" "$tmp/check.out"; then
			fail "flankctl check does not explain that this CPU has no VT-x"
		fi
	fi
fi

step "purging; nothing may be left"
dpkg -L flank-dkms flank-tools | sort -u >"$tmp/files"
apt-get purge -y -q flank-tools flank-dkms >"$tmp/purge.log" 2>&1 ||
	{ cat "$tmp/purge.log" >&2; fail "apt-get purge failed"; }
left=
while read -r f; do
	# Directories shared with the system (/usr, /usr/src, ...) stay.
	if [ -e "$f" ] && ! [ -d "$f" ]; then
		left="$left $f"
	fi
done <"$tmp/files"
for d in /usr/src/flank-"$version" /usr/lib/flank /usr/share/doc/flank-dkms \
	/usr/share/doc/flank-tools /var/lib/dkms/flank; do
	[ ! -e "$d" ] || left="$left $d"
done
for k in $kernels; do
	for f in /lib/modules/"$k"/updates/dkms/flank.ko*; do
		[ ! -e "$f" ] || left="$left $f"
	done
done
if dkms status -m flank | grep -q .; then
	left="$left (dkms status: $(dkms status -m flank))"
fi
[ -z "$left" ] || fail "left behind after purge:$left"
n=$(wc -l <"$tmp/files")
echo "deb-check: ok: flank/$version built for$expect; purge left none of the $n paths behind"
