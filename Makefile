# SPDX-License-Identifier: GPL-2.0
#
# fz: a zero-trust access gateway with its data path in the kernel.
#
#   make               build fz.ko (against KDIR), fzagent and fzportal
#   make check         install test dependencies, run every test
#   make check-debug   every guest test on a KASAN/lockdep/kmemleak 6.12
#                      kernel built from linux-source-6.12 (cached in
#                      /var/cache/fz); TESTS="selftests/tests/01-..." for some
#                      (one boot, two vCPUs; LANES=1: two boots, one each)
#   make bench-portal  the portal's benchmark on this host (10,000 clients,
#                      10 gateways; BENCH_ARGS="-n 1000" for others)
#   make demo          install dependencies, boot a VM, show fz at work
#   make dkms-install  install the module sources with DKMS and build them
#                      for every installed kernel that has headers
#   make install       install fzagent and fzportal to $(PREFIX)/sbin, and
#                      their systemd units (UNITDIR, /etc/systemd/system)
#   make deb           Debian packages fz-dkms, fzagent, fzportal in build/deb
#   make check-packages  make deb, then install, run and purge them in a VM
#                      booting systemd (selftests/packages.sh)
#   make clean
#
# KDIR is the kernel build tree: by default the running kernel's, else the
# newest /lib/modules/*/build (this machine may run a kernel it cannot
# build for).

VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
PREFIX ?= /usr/local
DKMS_SRC := /usr/src/fz-$(VERSION)

ifeq ($(origin KDIR), undefined)
KDIR := $(wildcard /lib/modules/$(shell uname -r)/build)
ifeq ($(KDIR),)
KDIR := $(shell ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -1)
endif
endif

.PHONY: all module agent portal probes check check-debug check-packages demo bench bench-portal deps dkms-install dkms-uninstall \
	install deb clean

all: module agent portal

module:
	@test -n "$(KDIR)" || { echo "fz: no kernel build tree: install linux-headers-$$(uname -r) or set KDIR" >&2; exit 1; }
	@echo "fz: building fz.ko against KDIR=$(KDIR)"
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

agent:
	$(MAKE) -C agent

portal:
	$(MAKE) -C portal

build/selftests/fz-nlprobe: selftests/fz-nlprobe.c uapi/linux/fz.h
	@mkdir -p build/selftests
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -Iuapi -o $@ $<

probes: build/selftests/fz-nlprobe

deps:
	@bash .ci/install-deps.sh

check: deps
	@bash selftests/run.sh

bench: deps
	@bash selftests/bench.sh

bench-portal:
	$(MAKE) -C portal bench BENCH_ARGS="$(BENCH_ARGS)"

# Not in make check yet: its VM (DKMS building fz.ko and depmod under
# TCG) takes about 13 minutes (782 s), more than CI's 90 have left.
check-packages: deps
	@bash selftests/packages.sh $$(bash selftests/lib/kernels.sh)

check-debug: deps
	@bash .ci/install-deps.sh --debug-kernel
	@bash selftests/check-debug.sh $(addprefix -t ,$(TESTS)) $(if $(LANES),-L)

demo: deps
	@bash selftests/demo.sh

dkms-install:
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp -r Kbuild dkms.conf kmod uapi $(DKMS_SRC)/
	dkms add fz/$(VERSION) || true
	@for k in $$(ls -d /lib/modules/*/build 2>/dev/null | cut -d/ -f4); do \
		echo "fz: dkms install -k $$k"; \
		dkms install --force fz/$(VERSION) -k $$k || exit 1; \
	done

dkms-uninstall:
	-dkms remove fz/$(VERSION) --all
	rm -rf $(DKMS_SRC)

# The systemd units name the programs where this install puts them. The
# Debian packages (make deb) install under /usr and /lib instead.
UNITDIR ?= /etc/systemd/system
MODLOADDIR ?= /etc/modules-load.d
SYSUSERSDIR ?= /etc/sysusers.d
UNITS := agent/dist/fzagent-gateway@.service agent/dist/fzagent-client@.service \
	portal/dist/fzportal.service

install: agent portal
	install -D -m 0755 agent/fzagent $(DESTDIR)$(PREFIX)/sbin/fzagent
	install -D -m 0755 portal/fzportal $(DESTDIR)$(PREFIX)/sbin/fzportal
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(MODLOADDIR) \
		$(DESTDIR)$(SYSUSERSDIR)
	for u in $(UNITS); do \
		sed 's|/usr/local/sbin/|$(PREFIX)/sbin/|' $$u \
			>$(DESTDIR)$(UNITDIR)/$$(basename $$u) && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$(basename $$u) || exit 1; \
	done
	install -m 0644 agent/dist/fz.modules-load $(DESTDIR)$(MODLOADDIR)/fz.conf
	install -m 0644 portal/dist/fzportal.sysusers $(DESTDIR)$(SYSUSERSDIR)/fzportal.conf

# Debian packages (fz-dkms, fzagent, fzportal) from this tree as it is,
# committed or not: its files (git ls-files) are copied to build/deb/src
# and built there with dpkg-buildpackage, so this tree's own build is
# left alone. The .deb files land in build/deb.
deb:
	@bash debian/make-deb.sh build/deb

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	$(MAKE) -C agent clean
	$(MAKE) -C portal clean
	rm -rf build
