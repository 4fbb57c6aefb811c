// SPDX-License-Identifier: GPL-2.0
/*
 * request: removing a vGPU a user holds open.
 *
 * A holder process opens the vGPU with a REQ eventfd and closes the device
 * when it fires; the test writes 1 to the mdev's remove file, which must
 * ask the holder (the request IRQ), wait for it to let go and complete in
 * bounded time, after which the mdev is gone. Until the holder lets go the
 * vGPU still works: asked, it still reads BAR0 and BAR1 (unlike a vGPU
 * whose GPU goes away, see hotplug.c). Variants: the holder also has BAR1
 * mapped (the mapping too still works when asked; it unmaps on request);
 * the holder has no REQ eventfd and lets go on its own after a delay,
 * which remove must wait for.
 *
 * Usage: request
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "holder.h"
#include "sysfs.h"
#include "tap.h"
#include "vdev.h"

/* Bound on a remove whose user answers the request at once. */
#define REMOVE_MAX_US 10000000ull

static void remove_held(const struct vgpu_parent *p, const char *type,
			enum holder_mode mode, int delay_ms, bool map,
			const char *what)
{
	char uuid[UUID_LEN + 1];
	struct holder h;
	u64 t0, us;
	int ret, status;

	uuid_new(uuid);
	ret = mdev_create(p, type, uuid);
	if (!tap_errno(ret, 0, "%s: create a %s", what, type))
		return;
	ret = holder_start(&h, uuid, mode, delay_ms, map);
	if (!tap_errno(ret, 0, "%s: the holder opened it", what)) {
		mdev_remove(uuid);
		return;
	}
	t0 = now_us();
	ret = mdev_remove(uuid);
	us = now_us() - t0;
	status = holder_wait(&h, 30000);
	tap_errno(ret, 0, "%s: echo 1 > remove succeeds", what);
	if (mode == HOLDER_RELEASE_ON_REQ) {
		tap_check(us < REMOVE_MAX_US,
			  "%s: remove completed in %llu ms (bound %llu)", what,
			  (unsigned long long)us / 1000,
			  REMOVE_MAX_US / 1000);
		tap_check(holder_saw(&h, 'Q') && holder_saw(&h, 'C') &&
			  status == 0,
			  "%s: the holder got the request and closed (events \"%s\", exit %d)",
			  what, h.log, status);
		tap_check(holder_saw(&h, 'A'),
			  "%s: when asked, the vGPU still answered the holder (BAR0, BAR1%s)",
			  what, map ? ", the mapping" : "");
	} else {
		tap_check(us >= (u64)delay_ms * 900 &&
			  us < (u64)delay_ms * 1000 + REMOVE_MAX_US,
			  "%s: remove waited for the holder to let go after %d ms (%llu ms)",
			  what, delay_ms, (unsigned long long)us / 1000);
		tap_check(holder_saw(&h, 'C') && status == 0,
			  "%s: the holder closed on its own (events \"%s\", exit %d)",
			  what, h.log, status);
	}
	tap_check(!mdev_exists(uuid), "%s: the mdev is gone", what);
	tap_check(parent_ull(p, "vgpus") == 0 &&
		  parent_ull(p, "fb_free_mib") == parent_ull(p, "fb_total_mib"),
		  "%s: the GPU has its resources back", what);
}

int main(void)
{
	struct vgpu_parent p;
	char type[48];

	tap_init("request", 300);
	if (parent_find("tiny", &p) || parent_ready(&p))
		tap_bail("no idle tiny GPU");
	snprintf(type, sizeof(type), "%s-1c", p.board);

	remove_held(&p, type, HOLDER_RELEASE_ON_REQ, 0, false, "REQ holder");
	remove_held(&p, type, HOLDER_RELEASE_ON_REQ, 0, true,
		    "REQ holder with BAR1 mapped");
	remove_held(&p, type, HOLDER_RELEASE_AFTER, 2000, false,
		    "holder without REQ");
	return tap_done();
}
