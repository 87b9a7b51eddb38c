#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=dash
# The guest's init for the differential campaign (bochs-diff.sh): load
# flank_diff.ko with the run's parameters, which prints every outcome to
# the kernel log (console: the serial port), then power off.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo 8 >/proc/sys/kernel/printk
echo "FD-RUN: begin $(cat /params)" >/dev/kmsg
# shellcheck disable=SC2046 # the parameters are words on purpose
insmod /flank_diff.ko $(cat /params)
rmmod flank_diff
echo "FD-RUN: done" >/dev/kmsg
sleep 1
poweroff -f
