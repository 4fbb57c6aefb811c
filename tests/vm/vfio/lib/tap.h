/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP output for the VFIO test programs: one "ok N - ..." or "not ok N - ..."
 * line per assertion group, "# ..." diagnostics, the plan printed last.
 */
#ifndef NVKM_VGPU_TEST_TAP_H
#define NVKM_VGPU_TEST_TAP_H

#include <stdbool.h>

#include "util.h"

void tap_init(const char *name, unsigned int timeout_s);
bool tap_check(bool cond, const char *fmt, ...) __printf(2, 3);
bool tap_errno(int got, int want, const char *fmt, ...) __printf(3, 4);
void tap_skip(const char *reason, const char *fmt, ...) __printf(2, 3);
void tap_diag(const char *fmt, ...) __printf(1, 2);
__noreturn void tap_bail(const char *fmt, ...) __printf(1, 2);
unsigned int tap_count_arg(const char *opt, const char *arg, unsigned long max);
int tap_done(void);
unsigned int tap_failures(void);

const char *errno_name(int err);
u64 now_us(void);
u64 median_u64(u64 *v, unsigned int n);
void sort_u64(u64 *v, unsigned int n);
u64 percentile_u64(const u64 *sorted, unsigned int n, unsigned int pct);

#endif /* NVKM_VGPU_TEST_TAP_H */
