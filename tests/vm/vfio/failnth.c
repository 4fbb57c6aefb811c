// SPDX-License-Identifier: GPL-2.0
/*
 * failnth: every allocation of every management path fails once, in turn.
 *
 * Paths: an mdev created, each step of a VFIO open (container, group,
 * SET_CONTAINER, SET_IOMMU, GET_DEVICE_FD), one page of BAR1 mapped and
 * first touched, BAR1 written where no page is yet, VFIO_DEVICE_RESET,
 * SET_IRQS with an eventfd (INTx, MSI, REQ, INTx unmask), the last close
 * of the device, an mdev removed, a simulated GPU with a closed vGPU
 * unregistered (del_device), a simulated GPU registered (new_device).
 *
 * Each runs with /proc/thread-self/fail-nth = 1, 2, 3, ... until it runs
 * with no fault injected (the file reads back non-zero). fail-nth counts
 * down at every fault point the task reaches, syscall or page fault, and
 * fails the Nth. It overrides the fault attributes' probability, interval,
 * times and task-filter, not the per-capability filters, so those are set
 * for every allocation to count: failslab and fail_page_alloc
 * ignore-gfp-wait=N, fail_page_alloc ignore-gfp-highmem=N and min-order=0;
 * and verbose=0, as a stack dump per injection reads as a splat. They are
 * put back at exit.
 *
 * The op is one syscall on a file opened beforehand; the BAR1 touch is a
 * page fault, and fail-nth counts its fault points too, so mmap() and the
 * touch share one window. After an injected failure the op must have
 * failed with ENOMEM, ENOSPC, ENODEV or EINVAL (SIGBUS for the touch) and
 * left the state as it was: available_instances of every type of every
 * mdev parent, each GPU's vgpus, fb_free_mib, chids_free and placement, the
 * mdevs and their sysfs entries, the simulated GPUs and their VRAM in use,
 * the VFIO groups and devices, this process's fds and mappings. Then a
 * clean run must succeed and give the state of the path's reference run,
 * and be undone. An op that succeeds although a fault was injected (remove
 * and unregister cannot fail) must give that state too. A state put right
 * only later, by a release that came after the op, fails the path as well.
 * IOMMU groups and the numbers in VFIO names are left out of the state,
 * as CONFIG_DEBUG_KOBJECT_RELEASE delays their release by seconds; every
 * IOMMU group a path made must be gone 20 s after it. The /dev nodes the
 * driver core fails to make or remove when devtmpfs cannot allocate (it
 * ignores that error) are put right and counted, not failed: later opens
 * by path depend on them, and they are not this driver's state. So is a
 * new parent the mdev core leaves out of /sys/class/mdev_bus when it
 * cannot make the link there, which it logs and takes for success.
 *
 * Kernel log lines that look like a splat fail the path and are quoted
 * with their N; leaks are left to the harness's kmemleak scan at the end
 * of the VM run. Prints "# <path>: N injection points" per path and a
 * total. Skips on a kernel without fault injection.
 *
 * Usage: failnth [PATH...]   (a path's name, or vfio-open or set-irqs)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "cleanup.h"
#include "sysfs.h"
#include "tap.h"
#include "vdev.h"

#define FAIL_NTH	"/proc/thread-self/fail-nth"
#define DEBUGFS		"/sys/kernel/debug"
#define SIM_NEW		SIM_BUS_DIR "/new_device"
#define SIM_DEL		SIM_BUS_DIR "/del_device"
#define SIM_DEVS	SIM_BUS_DIR "/devices"
#define SKIP_REASON	"no fault injection in this kernel"

/* Safety net: no path of this driver comes near it. */
#define FI_MAX		4000
/* Problems reported per path before the path stops. */
#define FI_PROBLEMS_MAX	20
/* An op's result besides 0 and -errno: the touch raised SIGBUS. */
#define FI_SIGBUS	1
#define SIM_MAX		64
#define BAR1		VFIO_PCI_BAR1_REGION_INDEX

/* ---- fail-nth and the fault attributes ---- */

static int fi_fd = -1;

struct fi_knob {
	const char *path;
	const char *want;
	char saved[32];
	bool changed;
};

static struct fi_knob fi_knobs[] = {
	{ .path = DEBUGFS "/failslab/ignore-gfp-wait", .want = "N" },
	{ .path = DEBUGFS "/failslab/cache-filter", .want = "N" },
	{ .path = DEBUGFS "/failslab/verbose", .want = "0" },
	{ .path = DEBUGFS "/failslab/probability", .want = "0" },
	{ .path = DEBUGFS "/fail_page_alloc/ignore-gfp-wait", .want = "N" },
	{ .path = DEBUGFS "/fail_page_alloc/ignore-gfp-highmem", .want = "N" },
	{ .path = DEBUGFS "/fail_page_alloc/min-order", .want = "0" },
	{ .path = DEBUGFS "/fail_page_alloc/verbose", .want = "0" },
	{ .path = DEBUGFS "/fail_page_alloc/probability", .want = "0" },
};

static void fi_knobs_restore(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fi_knobs); i++) {
		if (!fi_knobs[i].changed)
			continue;
		sysfs_write(fi_knobs[i].path, fi_knobs[i].saved);
		fi_knobs[i].changed = false;
	}
}

static void fi_off(void)
{
	if (fi_fd >= 0)
		pwrite(fi_fd, "0", 1, 0);
}

/* Runs from the cleanup, also on a signal: injection off, knobs back. */
static void fi_cleanup(void)
{
	fi_off();
	fi_knobs_restore();
}

static int fi_knobs_set(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(fi_knobs); i++) {
		struct fi_knob *k = &fi_knobs[i];

		ret = sysfs_read(k->path, k->saved, sizeof(k->saved));
		if (ret) {
			tap_diag("%s: %s", k->path, errno_name(-ret));
			return ret;
		}
		if (!strcmp(k->saved, k->want))
			continue;
		ret = sysfs_write(k->path, k->want);
		if (ret) {
			tap_diag("%s = %s: %s", k->path, k->want, errno_name(-ret));
			return ret;
		}
		k->changed = true;
	}
	return 0;
}

/* Makes the @n-th fault point the task reaches from now on fail. */
static void fi_arm(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	pwrite(fi_fd, buf, len, 0);
}

/*
 * Reads fail-nth back and turns injection off. Return: 0 when the fault
 * was injected, else how many of the armed points were left unreached.
 */
static unsigned int fi_disarm(void)
{
	char buf[16] = "";
	ssize_t n = pread(fi_fd, buf, sizeof(buf) - 1, 0);

	pwrite(fi_fd, "0", 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtoul(buf, NULL, 10);
}

/* ---- the kernel log ---- */

/* Read from where the program started; marks are written apart. */
static int kmsg_fd = -1, kmsg_wfd = -1;

static const char * const splat_words[] = {
	"BUG:", "WARNING:", "KASAN:", "UBSAN:", "Oops", "general protection",
	"Kernel panic", "kernel BUG at", "possible circular locking",
	"possible recursive locking", "inconsistent lock state",
	"suspicious RCU usage", "INFO: ", "Call Trace:", "unreferenced object",
	"kmemleak", "Unable to handle kernel",
};

static void kmsg_open(void)
{
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);
	kmsg_wfd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
}

static void kmsg_mark(const char *fmt, ...) __printf(1, 2);
static void kmsg_mark(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int len;

	if (kmsg_wfd < 0)
		return;
	len = snprintf(buf, sizeof(buf), "<6>nvkm-failnth: ");
	va_start(ap, fmt);
	len += vsnprintf(buf + len, sizeof(buf) - len, fmt, ap);
	va_end(ap);
	if (len >= (int)sizeof(buf))
		len = sizeof(buf) - 1;
	write(kmsg_wfd, buf, len);
}

/*
 * What the mdev core logs when it cannot make a parent's link in
 * /sys/class/mdev_bus, which it does not count as a failure.
 */
#define COMPAT_LINK_FAILED "compatibility class link"
/* A splat may come from a release that runs seconds after its N. */
#define SPLAT_SEEN "a splat in the kernel log, during this N or just after"
static bool compat_link_failed;

/*
 * Reads what the kernel logged since the last call. Return: the number of
 * lines that look like a splat; those are quoted, and so are the first
 * @quote lines of level warning or worse.
 */
static unsigned int kmsg_drain(const char *path, unsigned int n,
			       unsigned int *quote)
{
	unsigned int splats = 0, i;
	char rec[1024];
	ssize_t len;

	if (kmsg_fd < 0)
		return 0;
	for (;;) {
		char *msg, *nl;
		bool splat = false;
		int level;

		len = read(kmsg_fd, rec, sizeof(rec) - 1);
		if (len < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on */
		if (len <= 0)
			break;
		rec[len] = '\0';
		level = atoi(rec) & 7;
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = '\0';
		if (!strncmp(msg, "nvkm-failnth: ", 14))
			continue;
		if (strstr(msg, COMPAT_LINK_FAILED))
			compat_link_failed = true;
		for (i = 0; i < ARRAY_SIZE(splat_words); i++)
			if (strstr(msg, splat_words[i]))
				splat = true;
		if (splat) {
			splats++;
			tap_diag("  %s N=%u: kernel: %s", path, n, msg);
		} else if (level <= 4 && *quote) {
			(*quote)--;
			tap_diag("  %s N=%u: kernel: %s", path, n, msg);
		}
	}
	return splats;
}

/* ---- state ---- */

#define SNAP_LINES	2048
#define SNAP_LINE	160

struct snap {
	unsigned int n;
	char line[SNAP_LINES][SNAP_LINE];
	long long vram_kib;
};

/*
 * base: after the path's setup; before: after each prep; ref: after a
 * clean run of the op; now: the state being checked.
 */
static struct snap base, before, ref, now;

/* What a snapshot writes as "UUID": the mdev the path works on. */
static char snap_uuid[UUID_LEN + 1];

static void snap_add(struct snap *s, const char *fmt, ...) __printf(2, 3);
static void snap_add(struct snap *s, const char *fmt, ...)
{
	char *l, *u;
	va_list ap;

	if (s->n >= SNAP_LINES)
		return;
	l = s->line[s->n++];
	va_start(ap, fmt);
	vsnprintf(l, SNAP_LINE, fmt, ap);
	va_end(ap);
	while (snap_uuid[0] && (u = strstr(l, snap_uuid))) {
		memcpy(u, "UUID", 4);
		memmove(u + 4, u + UUID_LEN, strlen(u + UUID_LEN) + 1);
	}
}

/* Calls @fn for each entry of @dir but . and ..; returns how many. */
static int dir_each(const char *dir, void (*fn)(struct snap *, const char *,
						const char *),
		    struct snap *s)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		n++;
		if (fn)
			fn(s, dir, de->d_name);
	}
	closedir(d);
	return n;
}

static void snap_type(struct snap *s, const char *dir, const char *name)
{
	char path[512], val[32];
	const char *parent = strstr(dir, "mdev_bus/");

	snprintf(path, sizeof(path), "%s/%s/available_instances", dir, name);
	if (sysfs_read(path, val, sizeof(val)))
		snprintf(val, sizeof(val), "unreadable");
	snap_add(s, "type %.64s/%.48s available %s",
		 parent ? parent + 9 : dir, name, val);
}

static void snap_parent(struct snap *s, const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s/mdev_supported_types", dir, name);
	snap_add(s, "mdev_bus %s", name);
	dir_each(path, snap_type, s);
}

static void snap_gpu(struct snap *s, const char *dir, const char *name)
{
	static const char * const knobs[] = { "vgpus", "fb_free_mib",
					      "chids_free", "placement" };
	char path[512], val[32];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		snprintf(path, sizeof(path), "%s/%s/nvkm_vgpu/%s", dir, name,
			 knobs[i]);
		if (sysfs_read(path, val, sizeof(val)))
			snprintf(val, sizeof(val), "unreadable");
		snap_add(s, "gpu %s %s %s", name, knobs[i], val);
	}
}

static void snap_sim(struct snap *s, const char *dir, const char *name)
{
	unsigned long long kib;
	char path[512];

	snap_add(s, "sim %s", name);
	snprintf(path, sizeof(path), "%s/%s/vram_used_kib", dir, name);
	if (!sysfs_read_ull(path, &kib))
		s->vram_kib += kib;
}

static void snap_entry(struct snap *s, const char *dir, const char *name)
{
	const char *base = strrchr(dir, '/');

	base = base ? base + 1 : dir;
	/* vfio-dev/vfio<N>: N is freed at the release, as a group's is. */
	if (!strcmp(base, "vfio-dev"))
		name = "vfio<N>";
	snap_add(s, "entry %s/%s", base, name);
}

static void snap_mdev(struct snap *s, const char *dir, const char *name)
{
	char path[512], target[512], *g;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s/iommu_group", dir, name);
	n = readlink(path, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	g = strrchr(target, '/');
	/*
	 * Not its number: a group removed a moment ago keeps its number until
	 * its kobject's release, which CONFIG_DEBUG_KOBJECT_RELEASE delays
	 * by up to 4 s, so the next group may get another.
	 */
	snap_add(s, "mdev %s group %s", name, g ? "yes" : "none");
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	dir_each(path, snap_entry, s);
	snprintf(path, sizeof(path), "%s/%s/nvkm_vgpu", dir, name);
	dir_each(path, snap_entry, s);
	snprintf(path, sizeof(path), "%s/%s/vfio-dev", dir, name);
	dir_each(path, snap_entry, s);
}

static int line_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int maps_count(void)
{
	char buf[4096];
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC), lines = 0;
	ssize_t n, i;

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			lines += buf[i] == '\n';
	close(fd);
	return lines;
}

/*
 * The driver core ignores devtmpfs's errors: when device_get_devnode()
 * cannot allocate the node's name, device_add() makes no /dev node and
 * device_del() leaves the old one. Those nodes are made right here (the
 * VFIO groups' and devices' nodes), counted and reported, not failed: it
 * is not this driver's state, but later opens by path depend on it.
 */
static unsigned int devtmpfs_fixed;
static unsigned int devtmpfs_quote;

struct devnode_dir {
	const char *dev;	/* /dev/vfio */
	const char *sys;	/* /sys/class/vfio */
};

static const struct devnode_dir devnode_dirs[] = {
	{ "/dev/vfio", "/sys/class/vfio" },
	{ "/dev/vfio/devices", "/sys/class/vfio-dev" },
};

/* The path and N being run, for messages. */
static const char *cur_path = "";
static unsigned int cur_n;

static void devnode_fixed(const char *what, const char *node)
{
	devtmpfs_fixed++;
	if (devtmpfs_quote) {
		devtmpfs_quote--;
		tap_diag("  %s N=%u: devtmpfs: %s %s", cur_path, cur_n, node,
			 what);
	}
}

static void devnodes_fix(void)
{
	char dev[300], sys[300], val[32];
	unsigned int i, ma, mi;
	struct dirent *de;
	DIR *d;

	for (i = 0; i < ARRAY_SIZE(devnode_dirs); i++) {
		d = opendir(devnode_dirs[i].dev);
		while (d && (de = readdir(d))) {
			if (de->d_type != DT_CHR || !strcmp(de->d_name, "vfio"))
				continue;
			snprintf(sys, sizeof(sys), "%s/%s", devnode_dirs[i].sys,
				 de->d_name);
			snprintf(dev, sizeof(dev), "%s/%s", devnode_dirs[i].dev,
				 de->d_name);
			if (!path_exists(sys) && !unlink(dev))
				devnode_fixed("outlived its device; removed", dev);
		}
		if (d)
			closedir(d);
		d = opendir(devnode_dirs[i].sys);
		while (d && (de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(sys, sizeof(sys), "%s/%s/dev", devnode_dirs[i].sys,
				 de->d_name);
			snprintf(dev, sizeof(dev), "%s/%s", devnode_dirs[i].dev,
				 de->d_name);
			if (path_exists(dev) || sysfs_read(sys, val, sizeof(val)) ||
			    sscanf(val, "%u:%u", &ma, &mi) != 2)
				continue;
			if (!mknod(dev, S_IFCHR | 0600, makedev(ma, mi)))
				devnode_fixed("was not made; made", dev);
		}
		if (d)
			closedir(d);
	}
}

/*
 * IOMMU groups are not in the snapshots (a group goes only at its
 * release, which the debug kernel delays): each group's first sighting is
 * recorded instead, with the path and N, and a group a path made must be
 * gone some time after the path.
 */
#define IOMMU_GROUPS	"/sys/kernel/iommu_groups"
#define GROUPS_MAX	4096

struct fi_path;
static unsigned int group_seen[GROUPS_MAX];	/* N + 1; 0: absent */
static const struct fi_path *group_path[GROUPS_MAX];
static const struct fi_path *cur_fi_path;

static void groups_track(void)
{
	static bool present[GROUPS_MAX];
	struct dirent *de;
	unsigned int id;
	DIR *d;

	memset(present, 0, sizeof(present));
	d = opendir(IOMMU_GROUPS);
	while (d && (de = readdir(d))) {
		char *end;

		id = strtoul(de->d_name, &end, 10);
		if (end != de->d_name && !*end && id < GROUPS_MAX)
			present[id] = true;
	}
	if (d)
		closedir(d);
	for (id = 0; id < GROUPS_MAX; id++) {
		if (!present[id]) {
			group_seen[id] = 0;
		} else if (!group_seen[id]) {
			group_seen[id] = cur_n + 1;
			group_path[id] = cur_fi_path;
		}
	}
}

/* Appends the names in @dir to @buf, each after a space. */
static void dir_names(const char *dir, char *buf, size_t size, int *len)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d)) && *len < (int)size - 1)
		if (de->d_name[0] != '.')
			*len += snprintf(buf + *len, size - *len, " %s",
					 de->d_name);
	if (d)
		closedir(d);
}

/* Snapshots taken in the path, and the time they took. */
static unsigned int snap_count;
static u64 snap_us;

/* The state an injected failure must not change, as sorted lines. */
static void snap_take(struct snap *s)
{
	u64 t0 = now_us();

	snap_count++;
	devnodes_fix();
	groups_track();
	s->n = 0;
	s->vram_kib = 0;
	dir_each("/sys/class/mdev_bus", snap_parent, s);
	dir_each(SIM_DEVS, snap_gpu, s);
	dir_each(SIM_DEVS, snap_sim, s);
	dir_each(MDEV_DEV_DIR, snap_mdev, s);
	/* By count: their names are numbers, freed at their release. */
	snap_add(s, "vfio groups %d", dir_each("/sys/class/vfio", NULL, NULL));
	snap_add(s, "vfio devices %d",
		 dir_each("/sys/class/vfio-dev", NULL, NULL));
	/* opendir() holds one fd while it counts: the same every time. */
	snap_add(s, "fds %d", dir_each("/proc/self/fd", NULL, NULL));
	snap_add(s, "maps %d", maps_count());
	qsort(s->line, s->n, SNAP_LINE, line_cmp);
	snap_us += now_us() - t0;
}

/* The first line snap_same() found different. */
static char first_diff[SNAP_LINE + 2];

/* Whether @a and @b list the same lines; unless @quiet, quotes the difference. */
static bool snap_same(const struct snap *a, const struct snap *b, bool quiet,
		      const char *what)
{
	unsigned int i = 0, j = 0, shown = 0;
	bool same = true;
	int c;

	while (i < a->n || j < b->n) {
		if (i == a->n)
			c = 1;
		else if (j == b->n)
			c = -1;
		else
			c = strcmp(a->line[i], b->line[j]);
		if (!c) {
			i++;
			j++;
			continue;
		}
		if (same)
			snprintf(first_diff, sizeof(first_diff), "%s %s",
				 c < 0 ? "-" : "+", c < 0 ? a->line[i] : b->line[j]);
		same = false;
		if (!quiet && shown++ < 8)
			tap_diag("    %s: %s %s", what, c < 0 ? "-" : "+",
				 c < 0 ? a->line[i] : b->line[j]);
		if (c < 0)
			i++;
		else
			j++;
	}
	return same;
}

#define VRAM_ANY LLONG_MIN

/*
 * CONFIG_DEBUG_KOBJECT_RELEASE delays each release by up to 4 s, and an
 * IOMMU group goes after the VFIO device and the mdev that hold it.
 */
#define SETTLE_MS	20000

enum state_match { STATE_SAME, STATE_LATE, STATE_DIFFERS };

/* How long the last state_is() waited, in ms, and what differed first. */
static unsigned int settle_ms;
static char late_diff[SNAP_LINE + 2];

/*
 * Whether the state (taken into now) matches @want, and the simulated VRAM
 * in use is @vram KiB (unless VRAM_ANY). A state that differs is taken
 * again until it matches or SETTLE_MS pass: STATE_LATE says something was
 * put right only by a release that came later than the operation.
 */
static enum state_match state_is(const struct snap *want, long long vram,
				 const char *what)
{
	u64 t0 = now_us();

	late_diff[0] = '\0';
	for (;;) {
		snap_take(&now);
		first_diff[0] = '\0';
		if (vram != VRAM_ANY && now.vram_kib != vram)
			snprintf(first_diff, sizeof(first_diff),
				 "VRAM in use %lld KiB, not %lld", now.vram_kib,
				 vram);
		if (snap_same(want, &now, true, what) &&
		    (vram == VRAM_ANY || now.vram_kib == vram)) {
			settle_ms = (now_us() - t0) / 1000;
			return late_diff[0] ? STATE_LATE : STATE_SAME;
		}
		if (!late_diff[0])
			snprintf(late_diff, sizeof(late_diff), "%s", first_diff);
		if (now_us() - t0 >= SETTLE_MS * 1000ull)
			break;
		usleep(100 * 1000);
	}
	snap_same(want, &now, false, what);
	if (vram != VRAM_ANY && now.vram_kib != vram)
		tap_diag("    %s: simulated VRAM in use %lld KiB, expected %lld",
			 what, now.vram_kib, vram);
	return STATE_DIFFERS;
}

/* ---- the paths ---- */

struct fi_ctx {
	struct vgpu_parent tiny;
	char type[48];
	int fd;			/* the file the op writes */
	struct vdev d;		/* the vGPU of the VFIO paths */
	int step;		/* vfio-open: the step injected */
	int container, group, dev;
	int iommu;		/* VFIO_TYPE1v2_IOMMU or VFIO_TYPE1_IOMMU */
	char uuid[UUID_LEN + 1];
	long sim_base[SIM_MAX];	/* simulated GPUs before the path */
	unsigned int nr_sim_base;
	long sim;		/* the simulated GPU the path made */
	u64 page;		/* BAR1: the page the op touches */
	void *map;
	bool touched;		/* bar1-mmap: mmap() succeeded */
	int efd;
	unsigned int irq;	/* SET_IRQS: index, or ~0 for INTx unmask */
};

static struct fi_ctx ctx = { .fd = -1, .container = -1, .group = -1,
			     .dev = -1, .sim = -1, .map = MAP_FAILED,
			     .efd = -1 };

struct fi_path {
	const char *name;
	const char *group;	/* summed into this path's line too */
	unsigned int min_points;
	int (*setup)(struct fi_ctx *c);
	int (*prep)(struct fi_ctx *c);
	int (*op)(struct fi_ctx *c);
	int (*undo)(struct fi_ctx *c);	/* NULL: unprep undoes */
	void (*unprep)(struct fi_ctx *c);
	void (*teardown)(struct fi_ctx *c);
	int step;
	unsigned int irq;
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int open_fd(int *fd, const char *path)
{
	*fd = open(path, O_WRONLY | O_CLOEXEC);
	return *fd < 0 ? -errno : 0;
}

static int write_fd(int fd, const char *val)
{
	size_t len = strlen(val);
	ssize_t n = write(fd, val, len);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static unsigned int sim_list(long *ids)
{
	struct dirent *de;
	unsigned int n = 0;
	DIR *dir = opendir(SIM_DEVS);
	long id;

	if (!dir)
		return 0;
	while ((de = readdir(dir)) && n < SIM_MAX)
		if (sscanf(de->d_name, "nvkm_vgpu_sim%ld", &id) == 1)
			ids[n++] = id;
	closedir(dir);
	return n;
}

/* The simulated GPU that exists now and did not before the path; or -1. */
static long sim_new_id(const struct fi_ctx *c)
{
	long now[SIM_MAX];
	unsigned int n = sim_list(now), i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < c->nr_sim_base && c->sim_base[j] != now[i]; j++)
			;
		if (j == c->nr_sim_base)
			return now[i];
	}
	return -1;
}

static bool sim_exists(long id)
{
	char path[256];

	snprintf(path, sizeof(path), SIM_DEVS "/nvkm_vgpu_sim%ld", id);
	return path_exists(path);
}

static int sim_del(struct fi_ctx *c)
{
	char val[32];
	int ret;

	if (c->sim < 0)
		return 0;
	snprintf(val, sizeof(val), "%ld", c->sim);
	ret = sysfs_write(SIM_DEL, val);
	if (!ret || ret == -ENODEV)
		c->sim = -1;
	return ret;
}

/* For the cleanup: a simulated GPU the program made goes too. */
static void sim_cleanup(void)
{
	sim_del(&ctx);
}

static void mdev_gone(struct fi_ctx *c)
{
	if (c->uuid[0] && mdev_exists(c->uuid))
		mdev_remove(c->uuid);
	else if (c->uuid[0])
		mdev_forget(c->uuid);
	c->uuid[0] = '\0';
	snap_uuid[0] = '\0';
}

/* A fresh UUID for the path's mdev, which snapshots then write "UUID". */
static void uuid_pick(struct fi_ctx *c)
{
	uuid_new(c->uuid);
	snprintf(snap_uuid, sizeof(snap_uuid), "%s", c->uuid);
}

/* gpu-register: echo tiny > new_device */

static int reg_prep(struct fi_ctx *c)
{
	return open_fd(&c->fd, SIM_NEW);
}

static int reg_op(struct fi_ctx *c)
{
	return write_fd(c->fd, "tiny");
}

static int reg_undo(struct fi_ctx *c)
{
	c->sim = sim_new_id(c);
	if (c->sim < 0)
		return -ENOENT;
	return sim_del(c);
}

static void fd_unprep(struct fi_ctx *c)
{
	close_fd(&c->fd);
}

/* mdev-create: echo UUID > <type>/create */

static int create_prep(struct fi_ctx *c)
{
	char path[512];

	uuid_pick(c);
	snprintf(path, sizeof(path), "%s/mdev_supported_types/%s%s/create",
		 c->tiny.path, c->tiny.prefix, c->type);
	return open_fd(&c->fd, path);
}

static int create_op(struct fi_ctx *c)
{
	return write_fd(c->fd, c->uuid);
}

static int create_undo(struct fi_ctx *c)
{
	char path[256];
	int ret;

	snprintf(path, sizeof(path), MDEV_DEV_DIR "/%s/remove", c->uuid);
	ret = sysfs_write(path, "1");
	c->uuid[0] = '\0';
	snap_uuid[0] = '\0';
	return ret;
}

static void create_unprep(struct fi_ctx *c)
{
	close_fd(&c->fd);
	if (c->uuid[0] && mdev_exists(c->uuid)) {
		/* Created by the op, not tracked: remove it here. */
		create_undo(c);
	}
	c->uuid[0] = '\0';
	snap_uuid[0] = '\0';
}

/* A vGPU for the paths that need one: an mdev, closed. */
static int mdev_setup(struct fi_ctx *c)
{
	uuid_pick(c);
	return mdev_create(&c->tiny, c->type, c->uuid);
}

static void mdev_teardown(struct fi_ctx *c)
{
	mdev_gone(c);
}

/* vfio-open: container, group, SET_CONTAINER, SET_IOMMU, GET_DEVICE_FD */

static int vfio_step(struct fi_ctx *c, int step)
{
	char link[256], target[256], path[300], *base;
	ssize_t n;

	switch (step) {
	case 0:
		c->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
		return c->container < 0 ? -errno : 0;
	case 1:
		snprintf(link, sizeof(link), MDEV_DEV_DIR "/%s/iommu_group",
			 c->uuid);
		n = readlink(link, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = '\0';
		base = strrchr(target, '/');
		snprintf(path, sizeof(path), "/dev/vfio/%s",
			 base ? base + 1 : target);
		c->group = open(path, O_RDWR | O_CLOEXEC);
		return c->group < 0 ? -errno : 0;
	case 2:
		return ioctl(c->group, VFIO_GROUP_SET_CONTAINER, &c->container) ?
		       -errno : 0;
	case 3:
		return ioctl(c->container, VFIO_SET_IOMMU, c->iommu) ? -errno : 0;
	default:
		c->dev = ioctl(c->group, VFIO_GROUP_GET_DEVICE_FD, c->uuid);
		return c->dev < 0 ? -errno : 0;
	}
}

/*
 * Steps 0 to @count - 1. Before VFIO_SET_IOMMU, the IOMMU type is asked
 * for, as QEMU does, outside the op's window.
 */
static int vfio_steps(struct fi_ctx *c, int count)
{
	int i, ret;

	for (i = 0; i < count; i++) {
		ret = vfio_step(c, i);
		if (ret)
			return ret;
		if (i == 2)
			c->iommu = ioctl(c->container, VFIO_CHECK_EXTENSION,
					 VFIO_TYPE1v2_IOMMU) > 0 ?
				   VFIO_TYPE1v2_IOMMU : VFIO_TYPE1_IOMMU;
	}
	return 0;
}

static int vfio_prep(struct fi_ctx *c)
{
	return vfio_steps(c, c->step);
}

static int vfio_op(struct fi_ctx *c)
{
	return vfio_step(c, c->step);
}

static void vfio_unprep(struct fi_ctx *c)
{
	close_fd(&c->dev);
	close_fd(&c->group);
	close_fd(&c->container);
}

/* vfio-close: the last close of the device fd */

static int close_prep(struct fi_ctx *c)
{
	return vfio_steps(c, 5);
}

static int close_op(struct fi_ctx *c)
{
	int ret = close(c->dev) ? -errno : 0;

	c->dev = -1;
	return ret;
}

/* The paths on an open vGPU: memory decoding and bus mastering on. */
static int vgpu_setup(struct fi_ctx *c)
{
	int ret = vgpu_new(&c->d, &c->tiny, c->type);

	if (!ret) {
		snprintf(c->uuid, sizeof(c->uuid), "%s", c->d.uuid);
		snprintf(snap_uuid, sizeof(snap_uuid), "%s", c->uuid);
	}
	return ret;
}

static void vgpu_teardown(struct fi_ctx *c)
{
	vgpu_del(&c->d);
	mdev_forget(c->uuid);
	c->uuid[0] = '\0';
	snap_uuid[0] = '\0';
}

/* bar1-mmap: mmap one page of BAR1 and touch it, a page never touched */

static sigjmp_buf bus_jmp;

static void bus_handler(int sig)
{
	(void)sig;
	siglongjmp(bus_jmp, 1);
}

static int mmap_prep(struct fi_ctx *c)
{
	c->page++;
	c->map = MAP_FAILED;
	c->touched = false;
	return 0;
}

static int mmap_op(struct fi_ctx *c)
{
	c->map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, c->d.fd,
		      vdev_offset(BAR1) + c->page * 4096);
	if (c->map == MAP_FAILED)
		return -errno;
	c->touched = true;
	if (sigsetjmp(bus_jmp, 1)) {
		/* The mapping is no state to compare: it goes at once. */
		munmap(c->map, 4096);
		c->map = MAP_FAILED;
		return FI_SIGBUS;
	}
	/* The touch: a read the compiler must make, of a page never written. */
	return __atomic_load_n((u32 *)c->map, __ATOMIC_RELAXED) ? -EIO : 0;
}

static void mmap_unprep(struct fi_ctx *c)
{
	if (c->map != MAP_FAILED)
		munmap(c->map, 4096);
	c->map = MAP_FAILED;
}

/* bar1-pwrite: pwrite to a page never touched, which allocates it */

static int pwrite_prep(struct fi_ctx *c)
{
	c->page++;
	return 0;
}

static int pwrite_op(struct fi_ctx *c)
{
	static const u32 val = 0x5a5a5a5a;
	ssize_t n = pwrite(c->d.fd, &val, sizeof(val),
			   vdev_offset(BAR1) + c->page * 4096);

	if (n < 0)
		return -errno;
	return n == sizeof(val) ? 0 : -EIO;
}

/* reset: VFIO_DEVICE_RESET; memory decoding is set again after it */

static int reset_op(struct fi_ctx *c)
{
	return ioctl(c->d.fd, VFIO_DEVICE_RESET) ? -errno : 0;
}

static int reset_undo(struct fi_ctx *c)
{
	return cfg_enable(&c->d, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

/* set-irqs: an eventfd for INTx, MSI, REQ, or the INTx unmask eventfd */

static int irq_prep(struct fi_ctx *c)
{
	c->efd = efd_new();
	return c->efd < 0 ? -errno : 0;
}

static int irq_set(struct fi_ctx *c, s32 fd)
{
	union {
		struct vfio_irq_set set;
		u8 bytes[sizeof(struct vfio_irq_set) + sizeof(s32)];
	} arg;
	bool unmask = c->irq == ~0u;

	memset(&arg, 0, sizeof(arg));
	arg.set.argsz = sizeof(arg);
	arg.set.flags = VFIO_IRQ_SET_DATA_EVENTFD |
			(unmask ? VFIO_IRQ_SET_ACTION_UNMASK :
				  VFIO_IRQ_SET_ACTION_TRIGGER);
	arg.set.index = unmask ? VFIO_PCI_INTX_IRQ_INDEX : c->irq;
	arg.set.start = 0;
	arg.set.count = 1;
	memcpy(arg.set.data, &fd, sizeof(fd));
	return ioctl(c->d.fd, VFIO_DEVICE_SET_IRQS, &arg.set) ? -errno : 0;
}

static int irq_op(struct fi_ctx *c)
{
	return irq_set(c, c->efd);
}

static int irq_undo(struct fi_ctx *c)
{
	return irq_set(c, -1);
}

static void irq_unprep(struct fi_ctx *c)
{
	close_fd(&c->efd);
}

/* mdev-remove: echo 1 > /sys/bus/mdev/devices/<uuid>/remove */

static int remove_prep(struct fi_ctx *c)
{
	char path[256];
	int ret;

	ret = mdev_setup(c);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), MDEV_DEV_DIR "/%s/remove", c->uuid);
	return open_fd(&c->fd, path);
}

static int remove_op(struct fi_ctx *c)
{
	return write_fd(c->fd, "1");
}

static void remove_unprep(struct fi_ctx *c)
{
	close_fd(&c->fd);
	mdev_gone(c);
}

/* gpu-unregister: echo N > del_device, the GPU with a closed vGPU */

static int unreg_prep(struct fi_ctx *c)
{
	struct vgpu_parent p;
	char path[256];
	int ret;

	ret = sysfs_write(SIM_NEW, "tiny");
	if (ret)
		return ret;
	c->sim = sim_new_id(c);
	if (c->sim < 0)
		return -ENOENT;
	snprintf(path, sizeof(path), SIM_DEVS "/nvkm_vgpu_sim%ld", c->sim);
	ret = parent_find_under(path, &p);
	if (ret)
		return ret;
	uuid_pick(c);
	ret = mdev_create(&p, c->type, c->uuid);
	if (ret)
		return ret;
	/* Opened and closed once, as a VM would have. */
	ret = vdev_open(&c->d, c->uuid);
	if (ret)
		return ret;
	vdev_close(&c->d);
	return open_fd(&c->fd, SIM_DEL);
}

static int unreg_op(struct fi_ctx *c)
{
	char val[32];

	snprintf(val, sizeof(val), "%ld", c->sim);
	return write_fd(c->fd, val);
}

static void unreg_unprep(struct fi_ctx *c)
{
	close_fd(&c->fd);
	if (c->sim >= 0 && !sim_exists(c->sim))
		c->sim = -1;
	sim_del(c);
	mdev_gone(c);
}

#define VFIO_OPEN(_name, _step, _min) {					\
	.name = "vfio-open/" _name, .group = "vfio-open",		\
	.min_points = _min, .setup = mdev_setup, .prep = vfio_prep,	\
	.op = vfio_op, .unprep = vfio_unprep, .teardown = mdev_teardown,\
	.step = _step,							\
}

#define SET_IRQS(_name, _irq, _min) {					\
	.name = "set-irqs/" _name, .group = "set-irqs",			\
	.min_points = _min, .setup = vgpu_setup, .prep = irq_prep,	\
	.op = irq_op, .undo = irq_undo, .unprep = irq_unprep,		\
	.teardown = vgpu_teardown, .irq = _irq,				\
}

/*
 * In this order: a splat that ends the kernel in one path loses only the
 * paths after it, and gpu-register, whose op makes the most, goes last.
 */
static const struct fi_path paths[] = {
	{ .name = "mdev-create", .min_points = 5, .prep = create_prep,
	  .op = create_op, .undo = create_undo, .unprep = create_unprep },
	VFIO_OPEN("container", 0, 1),
	VFIO_OPEN("group", 1, 1),
	VFIO_OPEN("set-container", 2, 0),
	VFIO_OPEN("set-iommu", 3, 1),
	VFIO_OPEN("device-fd", 4, 1),
	{ .name = "bar1-mmap", .min_points = 2, .setup = vgpu_setup,
	  .prep = mmap_prep, .op = mmap_op, .unprep = mmap_unprep,
	  .teardown = vgpu_teardown },
	{ .name = "bar1-pwrite", .min_points = 1, .setup = vgpu_setup,
	  .prep = pwrite_prep, .op = pwrite_op, .teardown = vgpu_teardown },
	{ .name = "reset", .setup = vgpu_setup, .op = reset_op,
	  .undo = reset_undo, .teardown = vgpu_teardown },
	SET_IRQS("intx", VFIO_PCI_INTX_IRQ_INDEX, 1),
	SET_IRQS("msi", VFIO_PCI_MSI_IRQ_INDEX, 1),
	SET_IRQS("req", VFIO_PCI_REQ_IRQ_INDEX, 1),
	SET_IRQS("unmask", ~0u, 2),
	{ .name = "vfio-close", .setup = mdev_setup, .prep = close_prep,
	  .op = close_op, .unprep = vfio_unprep, .teardown = mdev_teardown },
	{ .name = "mdev-remove", .prep = remove_prep, .op = remove_op,
	  .unprep = remove_unprep },
	{ .name = "gpu-unregister", .prep = unreg_prep, .op = unreg_op,
	  .unprep = unreg_unprep },
	{ .name = "gpu-register", .min_points = 10, .prep = reg_prep,
	  .op = reg_op, .undo = reg_undo, .unprep = fd_unprep },
};

/* ---- the loop ---- */

static const int clean_errnos[] = { ENOMEM, ENOSPC, ENODEV, EINVAL };

struct fi_result {
	unsigned int points;	/* faults injected, one per N */
	unsigned int failed;	/* the op failed cleanly */
	unsigned int tolerated;	/* the op succeeded anyway */
	unsigned int sigbus;
	unsigned int errs[ARRAY_SIZE(clean_errnos)];
	unsigned int problems;
	unsigned int late;	/* state put right only by a late release */
	unsigned int compat;	/* no /sys/class/mdev_bus link (mdev core) */
	bool done;		/* reached an N with no injection */
};

static bool errno_clean(int ret, struct fi_result *r)
{
	unsigned int i;

	if (ret == FI_SIGBUS) {
		r->sigbus++;
		return true;
	}
	for (i = 0; i < ARRAY_SIZE(clean_errnos); i++) {
		if (-ret == clean_errnos[i]) {
			r->errs[i]++;
			return true;
		}
	}
	return false;
}

/* The op's result, and for bar1-mmap whether mmap() or the touch gave it. */
static const char *ret_name(int ret)
{
	static char buf[128];

	snprintf(buf, sizeof(buf), "%s%s",
		 ret == FI_SIGBUS ? "SIGBUS" : errno_name(-ret),
		 strcmp(cur_path, "bar1-mmap") ? "" :
		 ctx.touched ? " at the touch" : " at mmap()");
	return buf;
}

/* The simulated VRAM a clean run of the op allocates (BAR1's pages). */
static long long ref_vram_delta;

/* One problem of a path, with its N; also marked in the kernel log. */
static void problem(const struct fi_path *path, struct fi_result *r,
		    unsigned int n, const char *fmt, ...) __printf(4, 5);
static void problem(const struct fi_path *path, struct fi_result *r,
		    unsigned int n, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	r->problems++;
	tap_diag("  %s N=%u: %s", path->name, n, what);
	kmsg_mark("%s N=%u: %s", path->name, n, what);
}

/*
 * Whether now lacks only lines of one parent's /sys/class/mdev_bus entry
 * (its "mdev_bus" and "type" lines) and has nothing ref does not.
 */
static bool only_mdev_bus_gone(void)
{
	unsigned int i = 0, j = 0;
	bool some = false;
	int c;

	while (i < ref.n || j < now.n) {
		c = i == ref.n ? 1 : j == now.n ? -1 :
		    strcmp(ref.line[i], now.line[j]);
		if (!c) {
			i++;
			j++;
			continue;
		}
		if (c > 0 || (strncmp(ref.line[i], "mdev_bus ", 9) &&
			      strncmp(ref.line[i], "type ", 5)))
			return false;
		some = true;
		i++;
	}
	return some;
}

/*
 * Checks the state against @want. A state put right only late counts as
 * late, not as a problem, so that the path goes on; it still fails it.
 * Return: whether the state was right at once.
 */
static bool check_state(const struct fi_path *path, struct fi_result *r,
			unsigned int n, const struct snap *want, long long vram,
			const char *when, const char *what)
{
	char msg[256];

	switch (state_is(want, vram, what)) {
	case STATE_SAME:
		return true;
	case STATE_LATE:
		r->late++;
		snprintf(msg, sizeof(msg), "%s: the state is %s only after %u ms (%.60s)",
			 when, what, settle_ms, late_diff);
		tap_diag("  %s N=%u: %s", path->name, n, msg);
		kmsg_mark("%s N=%u: %s", path->name, n, msg);
		return false;
	case STATE_DIFFERS:
		if (want == &ref && compat_link_failed && only_mdev_bus_gone()) {
			r->compat++;
			tap_diag("  %s N=%u: %s: %s", path->name, n, when,
				 "no /sys/class/mdev_bus link for the new parent (the mdev core logs it and goes on)");
			return false;
		}
		problem(path, r, n, "%s: the state differs (%s)", when, what);
	}
	return false;
}

/* The simulated VRAM in use now, in KiB. */
static long long vram_now(void)
{
	struct snap *s = &now;

	s->n = 0;
	s->vram_kib = 0;
	dir_each(SIM_DEVS, snap_sim, s);
	return s->vram_kib;
}

/*
 * Prepares a run. The state before the op is taken in full for the
 * reference run (@n 0) only: prep does the same each time, and each run
 * ends with a check against the path's start. Later runs take only the
 * VRAM in use, which BAR1's runs raise a page at a time.
 */
static bool run_prep(const struct fi_path *path, struct fi_result *r,
		     unsigned int n)
{
	int ret;

	cur_n = n;
	ret = path->prep ? path->prep(&ctx) : 0;
	if (ret) {
		problem(path, r, n, "preparing: %s", errno_name(-ret));
		if (path->unprep)
			path->unprep(&ctx);
		return false;
	}
	if (n)
		before.vram_kib = vram_now();
	else
		snap_take(&before);
	return true;
}

/*
 * The op, armed at @n (0: not armed), alone between arming and reading
 * fail-nth back. Return: the op's result; *@left is what fail-nth read
 * back (0: the fault was injected).
 */
static int run_op(const struct fi_path *path, unsigned int n,
		  unsigned int *left)
{
	int ret;

	if (n)
		fi_arm(n);
	ret = path->op(&ctx);
	*left = n ? fi_disarm() : 1;
	return ret;
}

/* After unprep the state is the path's start again. */
static void run_back(const struct fi_path *path, struct fi_result *r,
		     unsigned int n, const char *when)
{
	if (path->unprep)
		path->unprep(&ctx);
	check_state(path, r, n, &base, VRAM_ANY, when, "as at the path's start");
}

/*
 * After the op succeeded: the state of a clean run, then undone to the
 * state before it. @when says which run it was.
 */
static void check_success(const struct fi_path *path, struct fi_result *r,
			  unsigned int n, const char *when)
{
	int ret;

	check_state(path, r, n, &ref, before.vram_kib + ref_vram_delta, when,
		    "as after a clean run");
	if (!path->undo)
		return;
	ret = path->undo(&ctx);
	if (ret) {
		problem(path, r, n, "%s: undoing it: %s", when, errno_name(-ret));
		return;
	}
	/* Later runs rely on the check against the path's start. */
	if (!n)
		check_state(path, r, n, &before, VRAM_ANY, when,
			    "as before, once undone");
}

/* The reference: one clean run, whose state every successful run gives. */
static bool run_reference(const struct fi_path *path, struct fi_result *r)
{
	unsigned int left, problems = r->problems;
	int ret;

	if (!run_prep(path, r, 0))
		return false;
	ret = run_op(path, 0, &left);
	if (ret) {
		problem(path, r, 0, "a clean run fails: %s", ret_name(ret));
		if (path->unprep)
			path->unprep(&ctx);
		return false;
	}
	snap_take(&ref);
	ref_vram_delta = ref.vram_kib - before.vram_kib;
	check_success(path, r, 0, "a clean run");
	run_back(path, r, 0, "a clean run");
	return r->problems == problems;
}

/* One N. Return: whether to go on with N + 1. */
static bool run_nth(const struct fi_path *path, struct fi_result *r,
		    unsigned int n, unsigned int *quote)
{
	unsigned int left, splats;
	const char *when;
	int ret;

	if (!run_prep(path, r, n))
		return false;
	compat_link_failed = false;
	ret = run_op(path, n, &left);
	splats = kmsg_drain(path->name, n, quote);
	if (left) {
		/* Fewer than n fault points: the op ran with no injection. */
		r->done = true;
		r->points = n - 1;
		when = "the run with no fault injected";
		if (ret) {
			problem(path, r, n, "%s fails: %s", when, ret_name(ret));
			if (path->unprep)
				path->unprep(&ctx);
		} else {
			check_success(path, r, n, when);
			run_back(path, r, n, when);
		}
		if (splats + kmsg_drain(path->name, n, quote))
			problem(path, r, n, "%s", SPLAT_SEEN);
		return false;
	}

	if (!ret) {
		r->tolerated++;
		when = "succeeded despite the fault";
		check_success(path, r, n, when);
		run_back(path, r, n, when);
	} else {
		r->failed++;
		if (!errno_clean(ret, r))
			problem(path, r, n, "fails with %s", ret_name(ret));
		/*
		 * The state as before is the state the reference run's unprep
		 * started from: no need to check after this one's.
		 */
		if (check_state(path, r, n, &before, before.vram_kib, "failed",
				"as before")) {
			if (path->unprep)
				path->unprep(&ctx);
		} else {
			run_back(path, r, n, "failed");
		}
		/* It still works, and gives the state a clean run does. */
		when = "the clean run after the fault";
		if (run_prep(path, r, n)) {
			ret = run_op(path, 0, &left);
			if (ret) {
				problem(path, r, n, "%s fails: %s", when,
					ret_name(ret));
				if (path->unprep)
					path->unprep(&ctx);
			} else {
				check_success(path, r, n, when);
				run_back(path, r, n, when);
			}
		}
	}
	if (splats + kmsg_drain(path->name, n, quote))
		problem(path, r, n, "%s", SPLAT_SEEN);
	return r->problems < FI_PROBLEMS_MAX;
}

static unsigned int total_points, group_points;

/* After a path: every IOMMU group it made is gone, once released. */
static void iommu_groups_settle(const struct fi_path *path,
				struct fi_result *r)
{
	char dir[300], devs[128];
	u64 t0 = now_us();
	unsigned int id;
	bool left;
	int len;

	for (;;) {
		groups_track();
		left = false;
		for (id = 0; id < GROUPS_MAX; id++)
			left |= group_seen[id] && group_path[id] == path;
		if (!left || now_us() - t0 >= SETTLE_MS * 1000ull)
			break;
		usleep(100 * 1000);
	}
	for (id = 0; left && id < GROUPS_MAX; id++) {
		if (!group_seen[id] || group_path[id] != path)
			continue;
		snprintf(dir, sizeof(dir), IOMMU_GROUPS "/%u/devices", id);
		devs[0] = '\0';
		len = 0;
		dir_names(dir, devs, sizeof(devs), &len);
		problem(path, r, group_seen[id] - 1,
			"IOMMU group %u, first seen then, is still there %u s after the path (devices:%s)",
			id, SETTLE_MS / 1000, len ? devs : " none");
		/* Reported once. */
		group_path[id] = NULL;
	}
}

static void run_path(const struct fi_path *path, const struct fi_path *next)
{
	struct fi_result r = { 0 };
	unsigned int n, quote = 3, i;
	char errs[160] = "";
	u64 t0 = now_us();
	int ret, len = 0;

	cur_path = path->name;
	cur_fi_path = path;
	snap_count = 0;
	snap_us = 0;
	cur_n = 0;
	devtmpfs_fixed = 0;
	devtmpfs_quote = 3;
	ctx.step = path->step;
	ctx.irq = path->irq;
	ctx.page = 0;
	ctx.nr_sim_base = sim_list(ctx.sim_base);
	kmsg_mark("%s: start", path->name);
	kmsg_drain(path->name, 0, &quote);
	quote = 3;

	ret = path->setup ? path->setup(&ctx) : 0;
	if (ret) {
		tap_check(false, "%s: setting up: %s", path->name,
			  errno_name(-ret));
		if (path->teardown)
			path->teardown(&ctx);
		return;
	}
	snap_take(&base);
	if (run_reference(path, &r))
		for (n = 1; n <= FI_MAX && run_nth(path, &r, n, &quote); n++)
			;
	if (path->teardown)
		path->teardown(&ctx);
	iommu_groups_settle(path, &r);
	kmsg_mark("%s: end", path->name);

	for (i = 0; i < ARRAY_SIZE(clean_errnos); i++)
		if (r.errs[i])
			len += snprintf(errs + len, sizeof(errs) - len, ", %s %u",
					errno_name(clean_errnos[i]), r.errs[i]);
	if (r.sigbus)
		snprintf(errs + len, sizeof(errs) - len, ", SIGBUS %u", r.sigbus);
	tap_diag("%s: %u injection points", path->name, r.points);
	tap_diag("  %s: %u snapshots of the state, %llu ms each", path->name,
		 snap_count, snap_count ? (unsigned long long)snap_us / 1000 / snap_count : 0);
	if (devtmpfs_fixed)
		tap_diag("  %s: %u /dev nodes made right (devtmpfs)", path->name,
			 devtmpfs_fixed);
	if (r.late)
		tap_diag("  %s: %u times the state was right only late", path->name,
			 r.late);
	if (r.compat)
		tap_diag("  %s: %u times the mdev core left a parent out of /sys/class/mdev_bus",
			 path->name, r.compat);
	tap_check(r.done && !r.problems && !r.late &&
		  r.points >= path->min_points,
		  "%s: %u injection points: %u failed%s; %u tolerated; %llu ms",
		  path->name, r.points, r.failed, errs, r.tolerated,
		  (unsigned long long)(now_us() - t0) / 1000);
	if (!r.done && !r.problems)
		tap_diag("  %s: still injecting at N=%u", path->name, FI_MAX);
	if (r.points < path->min_points)
		tap_diag("  %s: fewer than the %u allocations its code makes",
			 path->name, path->min_points);
	total_points += r.points;
	if (path->group) {
		group_points += r.points;
		if (!next || !next->group || strcmp(next->group, path->group)) {
			tap_diag("%s: %u injection points", path->group,
				 group_points);
			group_points = 0;
		}
	}
}

static bool wanted(const struct fi_path *path, int argc, char **argv)
{
	int i;

	if (argc < 2)
		return true;
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], path->name) ||
		    (path->group && !strcmp(argv[i], path->group)))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = bus_handler };
	const struct fi_path *last = NULL;
	unsigned int i, nr = 0;
	int ret;

	tap_init("failnth", 3000);
	fi_fd = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	if (fi_fd < 0) {
		tap_skip(SKIP_REASON, "failnth");
		return tap_done();
	}
	if (!path_exists(DEBUGFS "/failslab") ||
	    !path_exists(DEBUGFS "/fail_page_alloc")) {
		tap_check(false, "failslab and fail_page_alloc in " DEBUGFS);
		return tap_done();
	}
	cleanup_hook(fi_cleanup);
	cleanup_hook(sim_cleanup);
	if (fi_knobs_set())
		tap_bail("cannot set the fault attributes");
	if (parent_find("tiny", &ctx.tiny) || parent_ready(&ctx.tiny))
		tap_bail("no idle tiny GPU");
	snprintf(ctx.type, sizeof(ctx.type), "%s-1c", ctx.tiny.board);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	kmsg_open();
	groups_track();

	for (i = 0; i < ARRAY_SIZE(paths); i++) {
		const struct fi_path *next = NULL;
		unsigned int j;

		if (!wanted(&paths[i], argc, argv))
			continue;
		for (j = i + 1; j < ARRAY_SIZE(paths) && !next; j++)
			if (wanted(&paths[j], argc, argv))
				next = &paths[j];
		run_path(&paths[i], next);
		last = &paths[i];
		nr++;
	}
	if (!last)
		tap_bail("no such path");
	tap_diag("total: %u injection points in %u paths", total_points, nr);
	fi_cleanup();
	ret = tap_done();
	return ret;
}
