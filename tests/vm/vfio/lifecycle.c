// SPDX-License-Identifier: GPL-2.0
/*
 * lifecycle: creating and removing vGPUs through the mdev sysfs files.
 *
 * For every type of the "tiny" GPU and for the smallest type of the
 * "h100" GPU: create until the kernel refuses with ENOSPC, checking at every
 * step that available_instances is exact and each vGPU's sysfs files (type,
 * placement, weight, FB, engines) are right; check equal placement keeps other
 * types out and the placement cannot change while vGPUs exist; remove all
 * and check every counter is restored. Then the parent knobs' input
 * checking, duplicate and malformed UUIDs, and mixed placement.
 *
 * Usage: lifecycle
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sysfs.h"
#include "tap.h"

#define FILL_MAX 256

static bool counters_idle(const struct vgpu_parent *p)
{
	return parent_ull(p, "vgpus") == 0 &&
	       parent_ull(p, "fb_free_mib") == parent_ull(p, "fb_total_mib") &&
	       parent_ull(p, "chids_free") == parent_ull(p, "chids_total");
}

static void snapshot(const struct vgpu_parent *p, long long *avail)
{
	unsigned int i;

	for (i = 0; i < p->nr_types; i++)
		avail[i] = type_available(p, p->types[i]);
}

static bool same_snapshot(const struct vgpu_parent *p, const long long *a,
			  const long long *b)
{
	unsigned int i;
	bool same = true;

	for (i = 0; i < p->nr_types; i++) {
		if (a[i] == b[i])
			continue;
		tap_diag("  %s: available_instances %lld, was %lld",
			 p->types[i], b[i], a[i]);
		same = false;
	}
	return same;
}

/* The per-vGPU sysfs files of @n vGPUs of @type. */
static bool vgpu_attrs_ok(const char *type, char (*uuids)[UUID_LEN + 1],
			  unsigned int n)
{
	bool seen[FILL_MAX] = { false }, ok = true;
	unsigned long long fb0 = 0;
	char buf[128];
	unsigned int i;

	for (i = 0; i < n; i++) {
		const char *u = uuids[i];
		long long place = mdev_ull(u, "placement");
		long long fb = mdev_ull(u, "fb_size");

		if (mdev_attr(u, "type", buf, sizeof(buf)) || strcmp(buf, type)) {
			tap_diag("  %s: type \"%s\"", u, buf);
			ok = false;
		}
		if (mdev_ull(u, "weight") != type_gib(type) ||
		    mdev_ull(u, "interrupts") != 0 || mdev_ull(u, "fb_offset") < 0) {
			tap_diag("  %s: weight %lld, interrupts %lld", u,
				 mdev_ull(u, "weight"), mdev_ull(u, "interrupts"));
			ok = false;
		}
		/* n vGPUs of a type with n slots: placements 0..n-1, once each. */
		if (place < 0 || place >= n || seen[place]) {
			tap_diag("  %s: placement %lld", u, place);
			ok = false;
		} else {
			seen[place] = true;
		}
		if (i == 0)
			fb0 = fb;
		if (fb <= 0 || (unsigned long long)fb != fb0 || fb % (2 << 20)) {
			tap_diag("  %s: fb_size %lld", u, fb);
			ok = false;
		}
		if (mdev_attr(u, "engines", buf, sizeof(buf)) ||
		    strncmp(buf, "GR", 2)) {
			tap_diag("  %s: engines \"%s\"", u, buf);
			ok = false;
		}
	}
	return ok;
}

/* Fill @p with @type until ENOSPC, check, and empty it again. */
static void fill_type(const struct vgpu_parent *p, const char *type)
{
	static char uuids[FILL_MAX + 1][UUID_LEN + 1];
	long long before[PARENT_TYPES_MAX], after[PARENT_TYPES_MAX];
	long long max, avail, vgpus;
	unsigned int n = 0, i, removed = 0;
	const char *other = NULL;
	bool exact = true, others_zero = true;
	char placement[32];
	int ret = 0;

	snapshot(p, before);
	max = type_available(p, type);
	if (!tap_check(max > 0 && max <= FILL_MAX,
		       "%s: %lld instances available on the empty GPU", type,
		       max))
		return;

	for (i = 0; i <= (unsigned int)max; i++) {
		uuid_new(uuids[n]);
		ret = mdev_create(p, type, uuids[n]);
		if (ret)
			break;
		n++;
		avail = type_available(p, type);
		if (avail != max - n) {
			tap_diag("  after create %u: available_instances %lld, expected %lld",
				 n, avail, max - n);
			exact = false;
		}
	}
	tap_check(n == max && exact,
		  "%s: %u creates succeed, each taking available_instances down by one",
		  type, n);
	if (n != max)
		tap_diag("  %u of %lld creates succeeded", n, max);
	tap_errno(ret, ENOSPC, "%s: create number %lld fails with ENOSPC", type,
		  max + 1);
	tap_check(!mdev_exists(uuids[n]),
		  "%s: the refused create left no mdev behind", type);
	avail = type_available(p, type);
	tap_check(avail == 0, "%s: available_instances is 0 when full (%lld)",
		  type, avail);
	vgpus = parent_ull(p, "vgpus");
	tap_check(vgpus == n, "%s: parent knob vgpus is %u (%lld)", type, n,
		  vgpus);
	tap_check(vgpu_attrs_ok(type, uuids, n),
		  "%s: per-vGPU sysfs: type, weight %u, distinct placements 0-%u, equal fb_size, engines",
		  type, type_gib(type), n - 1);

	/* Equal placement: every other type is out while @type lives. */
	for (i = 0; i < p->nr_types; i++) {
		if (!strcmp(p->types[i], type))
			continue;
		if (!other)
			other = p->types[i];
		avail = type_available(p, p->types[i]);
		if (avail) {
			tap_diag("  %s: available_instances %lld", p->types[i],
				 avail);
			others_zero = false;
		}
	}
	tap_check(others_zero,
		  "%s: every other type shows 0 available (equal placement)",
		  type);
	if (other) {
		char u[UUID_LEN + 1];

		uuid_new(u);
		ret = mdev_create(p, other, u);
		tap_errno(ret, ENOSPC,
			  "%s: creating a %s fails with ENOSPC (equal placement)",
			  type, other);
		if (!ret)
			mdev_remove(u);
	}
	ret = parent_set(p, "placement", "mixed");
	parent_knob(p, "placement", placement, sizeof(placement));
	tap_check(ret == -EBUSY && !strcmp(placement, "equal"),
		  "%s: switching to mixed placement fails with EBUSY while vGPUs exist",
		  type);
	if (ret != -EBUSY)
		tap_diag("  got %s, placement now %s", errno_name(-ret),
			 placement);
	if (!ret)
		parent_set(p, "placement", "equal");

	exact = true;
	for (i = n; i-- > 0;) {
		ret = mdev_remove(uuids[i]);
		if (ret) {
			tap_diag("  remove %s: %s", uuids[i], errno_name(-ret));
			continue;
		}
		removed++;
		avail = type_available(p, type);
		if (avail != max - i) {
			tap_diag("  after %u removes: available_instances %lld, expected %lld",
				 removed, avail, max - i);
			exact = false;
		}
	}
	tap_check(removed == n && exact,
		  "%s: %u removes succeed, each giving one instance back", type,
		  removed);
	snapshot(p, after);
	tap_check(same_snapshot(p, before, after),
		  "%s: every type's available_instances is restored", type);
	tap_check(counters_idle(p),
		  "%s: vgpus 0, fb_free_mib and chids_free back to the totals",
		  type);
}

struct knob_case {
	const char *knob;
	const char *value;
	int err;		/* expected errno; 0: accepted */
	const char *readback;	/* when accepted */
};

static void check_knobs(const struct vgpu_parent *p)
{
	static const struct knob_case cases[] = {
		{ "placement", "bogus", EINVAL, NULL },
		{ "placement", "\n", EINVAL, NULL },
		{ "placement", "equalmixed", EINVAL, NULL },
		{ "placement", "mixed\n", 0, "mixed" },
		{ "placement", "equal", 0, "equal" },
		{ "scheduler", "fifo", EINVAL, NULL },
		{ "scheduler", "best_effort ", EINVAL, NULL },
		{ "scheduler", "equal_share", 0, "equal_share" },
		{ "scheduler", "fixed_share\n", 0, "fixed_share" },
		{ "timeslice_ms", "31", EINVAL, NULL },
		{ "timeslice_ms", "-1", EINVAL, NULL },
		{ "timeslice_ms", "abc", EINVAL, NULL },
		{ "timeslice_ms", "5x", EINVAL, NULL },
		{ "timeslice_ms", "4294967297", EINVAL, NULL },
		{ "timeslice_ms", "30", 0, "30" },
		{ "timeslice_ms", "1\n", 0, "1" },
		{ "fb_total_mib", "1", EACCES, NULL },
		{ "vgpus", "0", EACCES, NULL },
		{ "chids_free", "0", EACCES, NULL },
	};
	char sched[32], slice[32], buf[64], path[512];
	unsigned int i;
	int ret;

	parent_knob(p, "scheduler", sched, sizeof(sched));
	parent_knob(p, "timeslice_ms", slice, sizeof(slice));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct knob_case *c = &cases[i];
		char shown[40];
		size_t j, k = 0;

		/* Show the value with its newline escaped. */
		for (j = 0; c->value[j] && k < sizeof(shown) - 3; j++) {
			if (c->value[j] == '\n') {
				shown[k++] = '\\';
				shown[k++] = 'n';
			} else {
				shown[k++] = c->value[j];
			}
		}
		shown[k] = '\0';
		snprintf(path, sizeof(path), "%s/nvkm_vgpu/%s", p->path,
			 c->knob);
		ret = sysfs_write(path, c->value);
		if (c->err) {
			tap_errno(ret, c->err, "knob %s: \"%s\" refused with %s",
				  c->knob, shown, errno_name(c->err));
			continue;
		}
		buf[0] = '\0';
		parent_knob(p, c->knob, buf, sizeof(buf));
		tap_check(!ret && !strcmp(buf, c->readback),
			  "knob %s: \"%s\" accepted, reads back %s", c->knob,
			  shown, c->readback);
		if (ret || strcmp(buf, c->readback))
			tap_diag("  write: %s, reads \"%s\"", errno_name(-ret),
				 buf);
	}
	ret = parent_set(p, "scheduler", sched);
	ret = ret ?: parent_set(p, "timeslice_ms", slice);
	tap_errno(ret, 0, "knobs restored (scheduler %s, timeslice_ms %s)",
		  sched, slice);
}

static void uuids(const struct vgpu_parent *p, const struct vgpu_parent *h100)
{
	char u[UUID_LEN + 1], upper[UUID_LEN + 1];
	const char *type = p->types[0];
	long long avail;
	unsigned int i;
	int ret;

	avail = type_available(p, type);
	uuid_new(u);
	ret = mdev_create(p, type, u);
	if (!tap_errno(ret, 0, "create %s %s", type, u))
		return;
	tap_errno(mdev_create(p, type, u), EEXIST,
		  "the same UUID again on the same type fails with EEXIST");
	tap_errno(mdev_create(p, p->types[1], u), EEXIST,
		  "the same UUID on another type fails with EEXIST");
	for (i = 0; i <= UUID_LEN; i++)
		upper[i] = toupper((unsigned char)u[i]);
	tap_errno(mdev_create(p, type, upper), EEXIST,
		  "the same UUID in upper case fails with EEXIST");
	if (h100)
		tap_errno(mdev_create(h100, h100->types[0], u), EEXIST,
			  "the same UUID on another GPU fails with EEXIST");
	tap_check(mdev_exists(u) && type_available(p, type) == avail - 1 &&
		  parent_ull(p, "vgpus") == 1,
		  "the first vGPU survives, counted once");

	tap_errno(mdev_remove(u), 0, "remove %s", u);
	tap_check(!mdev_exists(u), "the removed mdev is gone from sysfs");
	tap_errno(mdev_remove(u), ENOENT,
		  "removing it again fails with ENOENT (no remove file)");

	tap_errno(mdev_create(p, type, "not-a-uuid"), EINVAL,
		  "create with a malformed UUID fails with EINVAL");
	tap_errno(mdev_create(p, type, "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz"),
		  EINVAL, "create with a 36-character non-UUID fails with EINVAL");
	tap_check(counters_idle(p) && mdev_count() == 0,
		  "malformed creates leave nothing behind");
}

/* Mixed placement on the tiny GPU: a 2 GiB and a 1 GiB vGPU side by side. */
static void check_mixed(const struct vgpu_parent *p)
{
	char a[UUID_LEN + 1], b[UUID_LEN + 1], c[UUID_LEN + 1];
	char t1[48], t2[48], t4[48];
	long long fb_total;
	int ret;

	snprintf(t1, sizeof(t1), "%s-1c", p->board);
	snprintf(t2, sizeof(t2), "%s-2c", p->board);
	snprintf(t4, sizeof(t4), "%s-4c", p->board);
	if (!parent_has_type(p, t1) || !parent_has_type(p, t2) ||
	    !parent_has_type(p, t4)) {
		tap_skip("board has no 1c/2c/4c types", "mixed placement");
		return;
	}
	if (!tap_errno(parent_set(p, "placement", "mixed"), 0,
		       "placement mixed accepted on an empty GPU"))
		return;
	uuid_new(a);
	uuid_new(b);
	uuid_new(c);
	ret = mdev_create(p, t2, a);
	ret = ret ?: mdev_create(p, t1, b);
	tap_errno(ret, 0, "mixed: a %s and a %s are created side by side", t2,
		  t1);
	fb_total = parent_ull(p, "fb_total_mib");
	tap_check(parent_ull(p, "fb_free_mib") == fb_total - 3 * fb_total / 4,
		  "mixed: fb_free_mib is a quarter of fb_total_mib (%lld of %lld)",
		  parent_ull(p, "fb_free_mib"), fb_total);
	tap_check(type_available(p, t1) == 1 && type_available(p, t2) == 0 &&
		  type_available(p, t4) == 0,
		  "mixed: available %s 1, %s 0, %s 0 (got %lld, %lld, %lld)",
		  t1, t2, t4, type_available(p, t1), type_available(p, t2),
		  type_available(p, t4));
	tap_errno(mdev_create(p, t2, c), ENOSPC,
		  "mixed: a second %s does not fit: ENOSPC", t2);
	tap_errno(parent_set(p, "placement", "equal"), EBUSY,
		  "mixed: switching back to equal fails with EBUSY while vGPUs exist");
	ret = mdev_remove(b);
	ret = ret ?: mdev_remove(a);
	tap_errno(ret, 0, "mixed: both removed");
	tap_errno(parent_set(p, "placement", "equal"), 0,
		  "placement equal accepted again on the empty GPU");
	tap_check(counters_idle(p), "mixed: counters back to idle");
}

int main(void)
{
	struct vgpu_parent tiny, h100;
	bool have_h100;
	char type[64];
	unsigned int i;

	tap_init("lifecycle", 600);
	if (parent_find("tiny", &tiny))
		tap_bail("no tiny GPU under " MDEV_BUS_DIR);
	have_h100 = !parent_find("h100", &h100);
	if (parent_ready(&tiny) || (have_h100 && parent_ready(&h100)))
		tap_bail("GPUs not idle at start");
	if (tiny.nr_types < 2)
		tap_bail("tiny GPU has %u types", tiny.nr_types);
	tap_diag("tiny GPU %s: %u types", tiny.name, tiny.nr_types);

	for (i = 0; i < tiny.nr_types; i++)
		fill_type(&tiny, tiny.types[i]);
	snprintf(type, sizeof(type), "h100-1c");
	if (have_h100 && parent_has_type(&h100, type))
		fill_type(&h100, type);
	else
		tap_check(false, "h100 GPU with type %s present", type);

	check_knobs(&tiny);
	uuids(&tiny, have_h100 ? &h100 : NULL);
	check_mixed(&tiny);
	return tap_done();
}
