# SPDX-License-Identifier: GPL-2.0-or-later
#
# A thin front end: configures CMake into $(BUILD) and forwards targets.
# `make help` lists them; docs/building.md explains each.

BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
TEST_LABELS ?= ^(unit|fault|meta)$$
# `make install`: where to (docs/installing.md, "Without packages").
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all help configure build test run-tests fault memcheck coverage image \
	driver e2e demo docs format format-check tidy bench fuzz deps clean diff-campaign \
	install install-only install-dkms uninstall deb deb-check

all: build

help:
	@echo "make test          build everything and run the unit, fault and meta tests"
	@echo "make fault         run the fault scenarios only"
	@echo "make memcheck      run every test binary under Valgrind"
	@echo "make coverage      instrumented build, tests, HTML report, coverage gate"
	@echo "make image         build vmm.elf (freestanding VMM image) and check it"
	@echo "make driver        build flank.ko against the installed kernel headers"
	@echo "make e2e           whole-system tests (QEMU and Bochs)"
	@echo "make demo          boot Linux in Bochs and run Flank, with a transcript"
	@echo "make diff-campaign differential campaign of the emulated VT-x against Bochs (slow)"
	@echo "make docs          API reference (Doxygen)"
	@echo "make format-check  clang-format check;  make format  fixes"
	@echo "make tidy          clang-tidy"
	@echo "make deps          install the Debian packages (scripts/deps.sh)"
	@echo "make deb           the Debian packages flank-dkms and flank-tools, lintian-clean,"
	@echo "                   into $(BUILD)/deb (scripts/build-deb.sh)"
	@echo "make deb-check     make deb, then install, check and purge them (root)"
	@echo "make install       build, then install the tools, vmm.elf and modules"
	@echo "                   (PREFIX=/usr/local, DESTDIR=; make uninstall removes them)"
	@echo "make install-dkms  install the DKMS sources of flank.ko (PREFIX=/usr for dkms)"

configure:
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j$(JOBS)

test: build
	@$(MAKE) --no-print-directory run-tests

run-tests:
	@ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS) -L '$(TEST_LABELS)'

fault: build
	@ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS) -L '^fault$$'

memcheck: build
	@ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS) -L '^memcheck$$'

coverage:
	@scripts/coverage.sh $(BUILD)-coverage

image driver e2e docs format format-check tidy bench fuzz diff-campaign: configure
	@cmake --build $(BUILD) -j$(JOBS) --target $@

deps:
	@scripts/deps.sh

# install-only: what `install` does after the build (tests/unit/install
# runs it on an already built tree). The manifests list every file written,
# without DESTDIR; uninstall removes exactly those, under the same DESTDIR.
install: build
	@$(MAKE) --no-print-directory install-only

install-only:
	@DESTDIR='$(DESTDIR)' cmake --install $(BUILD) --prefix '$(PREFIX)'

install-dkms: configure
	@DESTDIR='$(DESTDIR)' cmake --install $(BUILD) --prefix '$(PREFIX)' --component dkms

uninstall:
	@found=; for m in $(BUILD)/install_manifest.txt $(BUILD)/install_manifest_dkms.txt; do \
		[ -f "$$m" ] || continue; found=1; \
		DESTDIR='$(DESTDIR)' cmake -DMANIFEST="$$m" -P $(CURDIR)/cmake/FlankUninstall.cmake || exit 1; \
	done; [ -n "$$found" ] || { echo "uninstall: nothing was installed from $(BUILD)" >&2; exit 1; }

deb:
	@scripts/build-deb.sh $(BUILD)/deb

deb-check: deb
	@scripts/deb-check.sh $(BUILD)/deb

clean:
	rm -rf $(BUILD) $(BUILD)-coverage

demo:
	@scripts/demo.sh $(BUILD)
