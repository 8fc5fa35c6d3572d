#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prints the installed kernels a VM can boot and fz.ko can build against:
# a /boot/vmlinuz image and a /lib/modules/KVER/build tree. Oldest first.
for d in /lib/modules/*/; do
	k=$(basename "$d")
	[ -e "/boot/vmlinuz-$k" ] && [ -e "$d/build/Makefile" ] && echo "$k"
done | sort -V
