# SPDX-License-Identifier: GPL-2.0
#
# nvkm-vgpu: out-of-tree build and the project's commands.
#   make            build the modules against the running kernel
#   make KDIR=...   build against another kernel tree or headers
#   make check      every test layer on every kernel (see README.md)
#   make demo       simulated GPU, two vGPU types, two nested guests, a table
#   make fuzz       the seeded VFIO fuzzer, a long pass on the debug kernel
#                   (SEED= OPS= THREADS= MINUTES= KERNEL=; scripts/fuzz.sh)
#   make coverage   gcov line coverage of vgpu_mgr/ and nvkm_glue/sim/ under
#                   the KUnit suites and the VFIO programs, per file
#                   (TESTS="lifecycle bar0 ..."; scripts/coverage.sh)
#   make help       this list

KDIR ?= /lib/modules/$(shell uname -r)/build
PWD := $(shell pwd)

.PHONY: all modules clean check demo fuzz coverage help

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

FUZZ_ARGS = $(strip $(if $(SEED),--seed $(SEED)) $(if $(OPS),--ops $(OPS)) \
	$(if $(THREADS),--threads $(THREADS)) $(if $(MINUTES),--minutes $(MINUTES)) \
	$(if $(KERNEL),--kernel $(KERNEL)))

fuzz:
	scripts/fuzz.sh $(FUZZ_ARGS)

coverage:
	scripts/coverage.sh $(TESTS)

help:
	@sed -n 's/^#   //p' Makefile
