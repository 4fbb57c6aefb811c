/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Leave nothing behind: what a test program holds (holder children, open
 * VFIO devices, created mdevs) is registered with its owner's pid, and
 * vgpu_cleanup() releases the caller's own, in that order (with the
 * program's hooks before the mdevs), at exit or on a fatal signal. Forked
 * children inherit the lists but touch only entries they own.
 */
#ifndef NVKM_VGPU_TEST_CLEANUP_H
#define NVKM_VGPU_TEST_CLEANUP_H

#include <signal.h>

void vgpu_cleanup(void);

/*
 * Hold off the signals that trigger the cleanup while a resource is being
 * made and registered, so that the cleanup never misses one: a signal that
 * arrives meanwhile is delivered by cleanup_release().
 */
void cleanup_hold(sigset_t *old);
void cleanup_release(const sigset_t *old);

/* A program's own undo step, run after devices close, before mdevs go. */
void cleanup_hook(void (*fn)(void));

/* Implemented by each object; called by vgpu_cleanup(). */
void holder_cleanup(void);
void vdev_cleanup(void);
void mdev_cleanup(void);

#endif /* NVKM_VGPU_TEST_CLEANUP_H */
