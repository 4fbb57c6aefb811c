/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The framebuffer pattern a nested guest writes into its vGPU's BAR1 and
 * the host checks afterwards through VFIO (vgpu-guest.c, vgpu-peek.c).
 *
 * The pattern covers two ranges of the slice: its first PATTERN_HEAD_BYTES
 * (or the whole slice when smaller) and its last PATTERN_TAIL_BYTES. Each
 * 64-bit little-endian word at byte offset @off holds pattern_word(seed,
 * off): a different seed gives a different word everywhere, so a slice
 * holding one guest's bytes cannot pass for another's, and a scrubbed
 * (zero) slice passes for none.
 */
#ifndef NVKM_VGPU_GUEST_PATTERN_H
#define NVKM_VGPU_GUEST_PATTERN_H

#include "util.h"

#define PATTERN_HEAD_BYTES	(4ULL << 20)
#define PATTERN_TAIL_BYTES	4096ULL
/* No offset: what a search for a wrong word returns when all are right. */
#define PATTERN_NONE		(~0ULL)

/* splitmix64's finaliser: a bijection, so distinct inputs never collide. */
static inline u64 pattern_mix(u64 x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

/* The word at byte offset @off (a multiple of 8) of the slice. */
static inline u64 pattern_word(u64 seed, u64 off)
{
	return pattern_mix((seed << 40) ^ (off >> 3) ^ 0x4e56475655ull);
}

/* Bytes of the head range for a slice of @fb bytes. */
static inline u64 pattern_head(u64 fb)
{
	return fb < PATTERN_HEAD_BYTES ? fb : PATTERN_HEAD_BYTES;
}

/* Offset of the tail range (the slice's last page); @fb is page aligned. */
static inline u64 pattern_tail(u64 fb)
{
	return fb - PATTERN_TAIL_BYTES;
}

#endif /* NVKM_VGPU_GUEST_PATTERN_H */
