# SPDX-License-Identifier: GPL-2.0
#
# nvkm-vgpu: out-of-tree build and the project's commands.
#   make            build the modules against the running kernel
#   make KDIR=...   build against another kernel tree or headers
#   make check      every test layer on every kernel (see README.md)
#   make demo       simulated GPU, two vGPU types, two nested guests, a table
#   make bench      latencies and copy throughput of a vGPU on stock 6.12
#                   under TCG, a table in build/bench/results.md (REPS=
#                   COPY_REPS= SIZES=4,16,64 TYPE=h100-10c; scripts/bench.sh)
#   make fuzz       the seeded VFIO fuzzer, a long pass on the debug kernel
#                   (SEED= OPS= THREADS= MINUTES= KERNEL=; scripts/fuzz.sh)
#   make coverage   gcov line coverage of vgpu_mgr/ and nvkm_glue/sim/ under
#                   the KUnit suites and the VFIO programs, per file
#                   (TESTS="lifecycle bar0 ..."; scripts/coverage.sh)
#   make dkms-install  copy the sources to /usr/src/nvkm-vgpu-VERSION, then
#                   dkms add, build and install them for the running kernel
#                   (and, by AUTOINSTALL, each kernel installed later)
#   make dkms-remove   dkms remove, for every kernel, and delete the copy
#   make nouveau    nouveau with the vGPU hook (nouveau/patches/), built out
#                   of tree from linux-source-6.12 for KDIR's kernel, cached
#                   in /var/cache/nvkm-vgpu, installed in /lib/modules/<release>/
#                   updates/nvkm-vgpu with depmod (DESTDIR=; scripts/nouveau.sh);
#                   on a kernel other than 6.12, or the debug kernel (its
#                   own nouveau has the hook), one line says why not
#   make nouveau-uninstall  remove what make nouveau installed, then depmod
#   make nouveau-dkms  the patched nouveau as a DKMS package instead (an
#                   alternative to make nouveau, whose installs it removes):
#                   nouveau/dkms.conf and the patches copied to /usr/src/
#                   nvkm-vgpu-nouveau-VERSION, dkms add and install for
#                   KDIR's kernel; each later kernel of linux-source-6.12's
#                   version gets it rebuilt (AUTOINSTALL)
#   make nouveau-dkms-remove  dkms remove it for every kernel, delete the copy
#   make nouveau-backend  the nouveau backend, nvkm_vgpu_nouveau.ko, with the
#                   manager, against KDIR and the patched nouveau (the DKMS
#                   package's build if there is one, else built if needed),
#                   W=1 and sparse, in build/nouveau-backend/<release>
#   make help       this list

KDIR ?= /lib/modules/$(shell uname -r)/build
PWD := $(shell pwd)

.PHONY: all modules clean check demo bench fuzz coverage dkms-src \
	dkms-install dkms-remove help

all: modules

modules:
	@if [ ! -d "$(KDIR)" ]; then \
		echo "nvkm-vgpu: no kernel tree at $(KDIR); install its headers or pass KDIR=" >&2; \
		exit 1; \
	fi
	$(MAKE) -C $(KDIR) M=$(PWD) modules

clean:
	@if [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(PWD) clean; fi
	rm -rf build

check:
	scripts/check.sh

demo:
	scripts/demo.sh

BENCH_ARGS = $(strip $(if $(REPS),--reps $(REPS)) \
	$(if $(COPY_REPS),--copy-reps $(COPY_REPS)) \
	$(if $(SIZES),--sizes $(SIZES)) $(if $(TYPE),--type $(TYPE)))

bench:
	scripts/bench.sh $(BENCH_ARGS)

FUZZ_ARGS = $(strip $(if $(SEED),--seed $(SEED)) $(if $(OPS),--ops $(OPS)) \
	$(if $(THREADS),--threads $(THREADS)) $(if $(MINUTES),--minutes $(MINUTES)) \
	$(if $(KERNEL),--kernel $(KERNEL)))

fuzz:
	scripts/fuzz.sh $(FUZZ_ARGS)

coverage:
	scripts/coverage.sh $(TESTS)

# DKMS (dkms.conf): the package's version is the one in VERSION.
VERSION := $(shell cat VERSION)
DKMS_SRC ?= /usr/src/nvkm-vgpu-$(VERSION)

# dkms-src: what a DKMS build needs, copied to DKMS_SRC (no objects).
dkms-src:
	@if dkms status nvkm-vgpu/$(VERSION) 2>/dev/null | grep -q .; then \
		echo "nvkm-vgpu $(VERSION) is in DKMS already; make dkms-remove first" >&2; \
		exit 1; \
	fi
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp --parents dkms.conf VERSION Kbuild Makefile \
		$$(find include vgpu_mgr nvkm_glue tests/kunit -name '*.[ch]') $(DKMS_SRC)/

dkms-install: dkms-src
	dkms add nvkm-vgpu/$(VERSION)
	dkms build nvkm-vgpu/$(VERSION)
	dkms install nvkm-vgpu/$(VERSION)

dkms-remove:
	dkms remove nvkm-vgpu/$(VERSION) --all
	rm -rf $(DKMS_SRC)

# nouveau with the vGPU manager's hook: Documentation/nouveau.rst.
.PHONY: nouveau nouveau-uninstall nouveau-backend nouveau-dkms \
	nouveau-dkms-remove

nouveau:
	scripts/nouveau.sh install "$(KDIR)"

nouveau-uninstall:
	scripts/nouveau.sh uninstall "$(KDIR)"

nouveau-backend:
	scripts/nouveau.sh backend "$(KDIR)"

nouveau-dkms:
	scripts/nouveau.sh dkms-install "$(KDIR)"

nouveau-dkms-remove:
	scripts/nouveau.sh dkms-remove

help:
	@sed -n 's/^#   //p' Makefile
