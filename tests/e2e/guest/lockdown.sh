# SPDX-License-Identifier: GPL-2.0-or-later
#
# The lockdown stage of the Bochs runs (scenario "lockdown"), sourced by
# bochs-init.sh (its r/say/run/probe helpers): signed images, verified by
# flank.ko, under a lockdown raised at run time (docs/signing.md).
# flank.ko was built with the build tree's test certificate (FLANK_CERTS);
# bochs-lockdown.sh put next to this file:
#   /vmm.elf, /vmcs_check.elf          unsigned, as built
#   /signed/vmm.elf, vmcs_check.elf    signed with the build's test key
#   /tampered/vmm.elf                  signed, then one byte of text changed
# Results (bochs-check.sh, lockdown part: tests/e2e/lockdown-check.sh):
# warn_* before lockdown, locked_* after it.
mount -t securityfs securityfs /sys/kernel/security
run lockdown_before cat /sys/kernel/security/lockdown
say "Signed images: flank.ko verifies every file it loads against the kernel's keys and its own built-in ones"
run insmod insmod /flank.ko
run sig_policy cat /sys/module/flank/parameters/sig_policy
say "Not locked down, sig_policy=warn: an unsigned image loads, with a warning and a taint"
run warn_load flankctl load /vmm.elf
run warn_unload flankctl unload
say "Raising lockdown at run time: echo integrity >/sys/kernel/security/lockdown"
run lockdown sh -c 'echo integrity >/sys/kernel/security/lockdown'
run lockdown_after cat /sys/kernel/security/lockdown
say "Locked down: an unsigned image is refused"
run locked_unsigned flankctl load /vmm.elf
say "Locked down: a signed image changed after signing is refused"
run locked_tampered flankctl load --no-vmcs-check /tampered/vmm.elf
run locked_status flankctl status
say "Locked down: the image and checker signed with the built-in test key load and run"
run locked_signed flankctl load /signed/vmm.elf
run locked_start flankctl start
for c in $cpus; do probe locked_cpuid.$c cpuid $c; done
probe locked_workload workload 20
run locked_stop flankctl stop
run locked_unload flankctl unload
run locked_rmmod rmmod flank
r "locked_module_after=$(grep -c '^flank ' /proc/modules)"
