# SPDX-License-Identifier: GPL-2.0-or-later
#
# The verdict of the lockdown scenario (tests/e2e/guest/lockdown.sh),
# sourced by bochs-check.sh after its common checks (no kernel problem,
# 2 CPUs), with its helpers: signed images verified by flank.ko, under a
# lockdown raised at run time (docs/signing.md).

# The guest kernel has the lockdown LSM (Debian: CONFIG_LSM lists it) and
# starts unlocked (CONFIG_LOCK_DOWN_KERNEL_FORCE_NONE, no Secure Boot).
expect lockdown_before 0
expect_out lockdown_before "[none] integrity confidentiality"
expect insmod 0
expect_out sig_policy "warn"

# Unlocked, sig_policy=warn: unsigned files load, named, with a warning.
expect warn_load 0
expect_out warn_load "vmm.elf: no signature"
expect_out warn_load "vmcs_check.elf: no signature"
expect_out warn_load "loaded /vmm.elf: 2 modules"
grep -qF "flank: vmm.elf: no signature (no signature appended): loading it anyway (sig_policy=warn) and tainting the kernel" "$log" ||
	fail "warn_load: no taint warning in the kernel log"
expect warn_unload 0

# Lockdown raised at run time.
expect lockdown 0
expect_out lockdown_after "none [integrity] confidentiality"

# Unsigned: refused, saying why and how to sign.
expect locked_unsigned 1
expect_out locked_unsigned "vmm.elf: no signature (no signature appended); refused: the kernel is locked down. Sign it with sign-file"
grep -qF "flank: load failed: vmm.elf: no signature" "$log" ||
	fail "locked_unsigned: the kernel log does not name the refusal"

# Tampered after signing: refused as a bad signature (the key is trusted,
# the bytes are not what it signed: -EKEYREJECTED).
expect locked_tampered 1
expect_out locked_tampered "vmm.elf: bad signature (signature does not match the file's bytes): signed (sha256) by 'Flank test image signing key (build tree only)'"
expect_out locked_tampered "vmm.elf: bad signature (signature does not match the file's bytes, error -129); refused: the kernel is locked down"
expect_out locked_status "driver: empty"

# Signed with the key compiled into flank.ko: verified, loads, runs.
expect locked_signed 0
expect_out locked_signed "vmm.elf: signature verified: signed (sha256) by 'Flank test image signing key (build tree only)'"
expect_out locked_signed "vmcs_check.elf: signature verified"
expect_out locked_signed "loaded /signed/vmm.elf: 2 modules"
grep -qF "flank: vmm.elf: signature verified (verified by a trusted key)" "$log" ||
	fail "locked_signed: the kernel log does not say the signature was verified"
expect locked_start 0
for c in $ids; do expect_probe locked_cpuid.$c cpu=$c running_on=$c flank=1 vmx=0; done
expect_probe locked_workload workload=ok
expect locked_stop 0
expect locked_unload 0
expect locked_rmmod 0
expect locked_module_after 0

echo "$tag: PASS in $(cat "$work/seconds") s (guest log: $log)"
echo "$tag: $(out locked_unsigned | head -n 1)"
echo "$tag: $(out locked_tampered | tail -n 1)"
echo "$tag: $(out locked_signed | head -n 1)"
