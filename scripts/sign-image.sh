#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# sign-image.sh KEY CERT IN [OUT]
#   Appends a signature to an image or module file in the format of signed
#   kernel modules (PKCS#7, struct module_signature, "~Module signature
#   appended~"), which flank.ko verifies at load (docs/signing.md). Writes
#   OUT (default: IN in place). KEY is a PEM private key (or a PKCS#11 URI
#   with sign-file), CERT its X.509 certificate (PEM or DER). Uses the
#   kernel's own sign-file when it finds one ($SIGN_FILE, else
#   /usr/lib/linux-kbuild-*/scripts/sign-file from linux-headers), else
#   openssl cms with the options sign-file uses (SIGN_FILE=openssl forces
#   that). The digest is sha256
#   ($SIGN_HASH to change it). A file that is already signed is refused.
#
# sign-image.sh --test-key DIR
#   Generates a throw-away signing key and certificate in DIR (test-key.pem,
#   test-cert.pem), for test builds: the build compiles the certificate
#   into flank.ko. Never use it for anything else.
set -eu

die() {
	echo "sign-image.sh: $*" >&2
	exit 1
}

if [ "${1:-}" = --test-key ]; then
	dir=${2:?usage: sign-image.sh --test-key DIR}
	mkdir -p "$dir"
	umask 077
	openssl req -new -x509 -newkey rsa:2048 -sha256 -nodes -days 36500 \
		-subj "/CN=Flank test image signing key (build tree only)/" \
		-addext "basicConstraints=critical,CA:FALSE" \
		-addext "keyUsage=digitalSignature" \
		-addext "extendedKeyUsage=codeSigning" \
		-keyout "$dir/test-key.pem.tmp" -out "$dir/test-cert.pem.tmp" \
		>/dev/null 2>&1 || die "openssl could not generate a test key in $dir"
	mv "$dir/test-key.pem.tmp" "$dir/test-key.pem"
	mv "$dir/test-cert.pem.tmp" "$dir/test-cert.pem"
	exit 0
fi

key=${1:?usage: sign-image.sh KEY CERT IN [OUT]}
cert=${2:?usage: sign-image.sh KEY CERT IN [OUT]}
in=${3:?usage: sign-image.sh KEY CERT IN [OUT]}
out=${4:-$in}
hash=${SIGN_HASH:-sha256}
magic='~Module signature appended~'

[ -r "$in" ] || die "cannot read $in"
if [ "$(tail -c 28 "$in" | head -c 27)" = "$magic" ]; then
	die "$in is signed already (strip the old signature first: build it again)"
fi

sign_file=${SIGN_FILE:-}
if [ -z "$sign_file" ]; then
	for f in /usr/lib/linux-kbuild-*/scripts/sign-file; do
		[ -x "$f" ] && sign_file=$f
	done
fi

tmp="$out.sign.$$"
trap 'rm -f "$tmp" "$tmp.p7s"' EXIT
cp "$in" "$tmp"
if [ -n "$sign_file" ] && [ "$sign_file" != openssl ]; then
	"$sign_file" "$hash" "$key" "$cert" "$tmp" ||
		die "$sign_file failed for $in"
else
	# What sign-file does: detached, binary, no signed attributes, no
	# certificates, no S/MIME capabilities, signer by issuer and serial.
	openssl cms -sign -binary -noattr -nocerts -nosmimecap -md "$hash" \
		-in "$in" -signer "$cert" -inkey "$key" -outform DER \
		-out "$tmp.p7s" || die "openssl cms failed for $in"
	n=$(wc -c <"$tmp.p7s")
	cat "$tmp.p7s" >>"$tmp"
	# struct module_signature: algo, hash, id_type = 2 (PKCS#7),
	# signer_len, key_id_len, pad[3], then sig_len big-endian.
	printf '\000\000\002\000\000\000\000\000' >>"$tmp"
	printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $((n >> 24 & 255)) \
		$((n >> 16 & 255)) $((n >> 8 & 255)) $((n & 255)))" >>"$tmp"
	printf '%s\n' "$magic" >>"$tmp"
fi
mv "$tmp" "$out"
