// SPDX-License-Identifier: GPL-2.0
/*
 * nvkm_vgpu_kunit.ko: the KUnit suites of the vGPU manager. Each suite lives
 * in its own file next to the fixtures it shares; loading the module runs
 * them all.
 */
#include <linux/module.h>

MODULE_DESCRIPTION("KUnit tests for the nvkm-vgpu manager");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
