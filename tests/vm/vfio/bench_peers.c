// SPDX-License-Identifier: GPL-2.0
/*
 * bench_peers: our vGPUs beside the kernel's own mdev samples, mtty (a
 * virtual 8250 serial card) and mbochs (a bochs display with a
 * framebuffer), from samples/vfio-mdev, in the same VM and the same run
 * (make bench; scripts/bench.sh, tests/vm/bench.sh). For each parent:
 *
 *   reg-read      a trapped 4-byte register read, pread() on the VFIO
 *                 device fd at the region's offset: our BAR0 MAGIC
 *                 (value checked); mtty's BAR0 I/O ports at MCR (offset
 *                 4: one aligned access; LSR at 5 would be split by mtty
 *                 into three); mbochs' MMIO BAR2 at the bochs dispi
 *                 registers (0x500). Host reference: pread() of 4 bytes
 *                 from /dev/zero, the system call alone;
 *   create,       echo UUID > .../mdev_supported_types/<type>/create, then
 *   remove        echo 1 > /sys/bus/mdev/devices/<UUID>/remove, each timed
 *                 alone, --cycles times (after two not counted), nothing
 *                 opening the device in between;
 *   map-write     memset() of a --map-mib MiB mapping of the BAR that
 *                 mmap()s: our BAR1 (FB aperture) from its start, mbochs'
 *                 framebuffer BAR0 (a type whose framebuffer is that size),
 *                 and anonymous memory of the same size on the host; mtty
 *                 maps nothing. The first memset() (every page faulted in)
 *                 is reported apart as map-first;
 *   mem-*         K idle instances (created, never opened): the change of
 *                 MemAvailable and of the kernel's own memory (Slab,
 *                 KernelStack, PageTables, VmallocUsed, Percpu) in
 *                 /proc/meminfo, each read after sync and drop_caches,
 *                 divided by K; for ours also the simulated GPU's
 *                 vram_used_kib. K: --idle (default 8) of ours; of mtty and
 *                 mbochs as many as their type's available_instances
 *                 allow (at most IDLE_MAX). What is still missing once
 *                 all K are removed again (mem-*-left, in all) shows
 *                 the noise of the two.
 *
 * Writes to OUT (default $NVKM_RESULTS, else .): peers.tsv, one line per
 * metric (metric, description, unit, then nvkm-vgpu, mtty, mbochs, host;
 * "n/a" where it does not apply), and peers-samples.tsv (metric, device,
 * sample number, microseconds) for the latencies. Percentiles are
 * nearest-rank. Prints TAP. A parent that is not there (its module not
 * loaded) is reported as a skip and its column is n/a.
 *
 * Usage: bench_peers [--reps N] [--cycles N] [--map-mib 4|16|64]
 *                    [--map-reps N] [--idle K] [--type TYPE] [--out DIR]
 * TYPE is our vGPU type on the simulated h100 (default <board>-10c); the
 * parent must hold no vGPU.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/nvkm_vgpu.h>
#include <linux/pci_regs.h>

#include "cleanup.h"
#include "sysfs.h"
#include "tap.h"
#include "vdev.h"

#define WARMUP		20
#define CYCLE_WARMUP	2
#define IDLE_MAX	64
#define WATCHDOG_S	1200
#define SETTLE_US	300000		/* after drop_caches */

#define MTTY_REG_MCR	4		/* UART_MCR: one aligned 4-byte access */
#define MTTY_REG_LSR	5
#define MTTY_LSR_EMPTY	0x60		/* UART_LSR_TEMT | UART_LSR_THRE */
#define MBOCHS_DISPI	0x500		/* bochs dispi registers in BAR2 */
#define MBOCHS_ID_MASK	0xfff0
#define MBOCHS_ID	0xb0c0		/* VBE_DISPI_ID0..5 */

enum { OURS, MTTY, MBOCHS, HOST, NR_COLS };

static const char *const col_name[NR_COLS] = {
	"nvkm-vgpu", "mtty", "mbochs", "host"
};

enum {
	R_READ_MED, R_READ_P99, R_CREATE_MED, R_CREATE_P99, R_REMOVE_MED,
	R_REMOVE_P99, R_MAP, R_MAP_FIRST, R_MEM_K, R_MEM_AVAIL, R_MEM_KERNEL,
	R_MEM_VRAM, R_MEM_AVAIL_LEFT, R_MEM_KERNEL_LEFT, NR_ROWS
};

static const struct {
	const char *key;
	const char *unit;
	const char *fmt;
	const char *what;
} rows[NR_ROWS] = {
	[R_READ_MED] = {
		"reg-read", "us", "%.1f",
		"trapped 4-byte register read (pread), median",
	},
	[R_READ_P99] = {
		"reg-read-p99", "us", "%.1f",
		"trapped 4-byte register read (pread), p99",
	},
	[R_CREATE_MED] = {
		"create", "us", "%.0f",
		"mdev create (write to create), median",
	},
	[R_CREATE_P99] = {
		"create-p99", "us", "%.0f",
		"mdev create (write to create), p99",
	},
	[R_REMOVE_MED] = {
		"remove", "us", "%.0f",
		"mdev remove (write to remove), median",
	},
	[R_REMOVE_P99] = {
		"remove-p99", "us", "%.0f",
		"mdev remove (write to remove), p99",
	},
	[R_MAP] = {
		"map-write", "MiB/s", "%.0f",
		"memset() of the mmap()ed BAR, median",
	},
	[R_MAP_FIRST] = {
		"map-first", "MiB/s", "%.0f",
		"first memset() of the mapping (page faults)",
	},
	[R_MEM_K] = {
		"mem-instances", "", "%.0f",
		"idle instances measured (K)",
	},
	[R_MEM_AVAIL] = {
		"mem-avail", "KiB", "%.0f",
		"MemAvailable drop per idle instance",
	},
	[R_MEM_KERNEL] = {
		"mem-kernel", "KiB", "%.0f",
		"kernel memory (Slab, stacks, page tables, vmalloc, percpu) per idle instance",
	},
	[R_MEM_VRAM] = {
		"mem-vram", "KiB", "%.0f",
		"simulated GPU's vram_used_kib per idle instance",
	},
	[R_MEM_AVAIL_LEFT] = {
		"mem-avail-left", "KiB", "%.0f",
		"MemAvailable drop left once all K are removed, in all (noise)",
	},
	[R_MEM_KERNEL_LEFT] = {
		"mem-kernel-left", "KiB", "%.0f",
		"kernel memory left once all K are removed, in all (noise)",
	},
};

/* A parent: ours (the simulated h100), mtty or mbochs. */
struct peer {
	const char *name;
	bool found;
	struct vgpu_parent p;	/* path; prefix "" but ours' */
	char type[64];		/* create/remove and idle instances */
	char map_type[64];	/* the one opened: reads, its mapping */
	unsigned int reg_bar;
	u32 reg_off;
	int map_bar;		/* -1: nothing to map */
	unsigned int idle_max;
};

static struct {
	const char *out;
	unsigned int reps;
	unsigned int cycles;
	unsigned int map_mib;
	unsigned int map_reps;
	unsigned int idle;
	double res[NR_ROWS][NR_COLS];
	FILE *samples;
	struct peer peer[HOST];
	void *map;
	size_t map_len;
} bp;

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
}

/*
 * Writes @n samples (ns) of @key on column @col to peers-samples.tsv, sorts
 * them, and keeps their median and p99 (us) in rows @med and @med + 1.
 */
static void latency(const char *key, unsigned int col, unsigned int med,
		    u64 *ns, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		fprintf(bp.samples, "%s\t%s\t%u\t%.3f\n", key, col_name[col], i,
			ns[i] / 1e3);
	sort_u64(ns, n);
	bp.res[med][col] = percentile_u64(ns, n, 50) / 1e3;
	bp.res[med + 1][col] = percentile_u64(ns, n, 99) / 1e3;
	tap_check(true, "%s, %s: median %.1f us, p99 %.1f us (%u samples)",
		  col_name[col], key, bp.res[med][col], bp.res[med + 1][col], n);
}

static double mib_s(u64 bytes, u64 ns)
{
	return ns ? bytes / (1024.0 * 1024.0) / (ns / 1e9) : 0;
}

static u64 *samples_new(unsigned int n)
{
	u64 *s = calloc(n, sizeof(*s));

	if (!s)
		tap_bail("out of memory");
	return s;
}

/* Parents */

/* The type directory of @pr named "<anything>-<suffix>", into @out. */
static int find_type(const struct peer *pr, const char *suffix, char *out,
		     size_t len)
{
	size_t sl = strlen(suffix), nl;
	char path[512];
	struct dirent *de;
	DIR *dir;
	int ret = -ENOENT;

	snprintf(path, sizeof(path), "%s/mdev_supported_types", pr->p.path);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		nl = strlen(de->d_name);
		if (nl > sl + 1 && de->d_name[nl - sl - 1] == '-' &&
		    !strcmp(de->d_name + nl - sl, suffix)) {
			snprintf(out, len, "%s", de->d_name);
			ret = 0;
			break;
		}
	}
	closedir(dir);
	return ret;
}

static const char *mbochs_suffix(unsigned int mib)
{
	switch (mib) {
	case 4:
		return "small";
	case 16:
		return "medium";
	case 64:
		return "large";
	}
	return NULL;
}

static void peers_find(const char *type)
{
	struct peer *o = &bp.peer[OURS], *t = &bp.peer[MTTY];
	struct peer *m = &bp.peer[MBOCHS];
	char def[48];

	o->name = col_name[OURS];
	if (parent_find("h100", &o->p))
		tap_bail("no simulated h100 GPU");
	snprintf(def, sizeof(def), "%s-10c", o->p.board);
	snprintf(o->type, sizeof(o->type), "%s", type ? type : def);
	if (!parent_has_type(&o->p, o->type))
		tap_bail("no type %s on %s", o->type, o->p.name);
	if (parent_ull(&o->p, "vgpus") != 0)
		tap_bail("%s already holds vGPUs", o->p.name);
	snprintf(o->map_type, sizeof(o->map_type), "%s", o->type);
	o->reg_bar = VFIO_PCI_BAR0_REGION_INDEX;
	o->reg_off = NVKM_VGPU_REG_MAGIC;
	o->map_bar = VFIO_PCI_BAR1_REGION_INDEX;
	o->idle_max = bp.idle;
	o->found = true;

	t->name = col_name[MTTY];
	snprintf(t->p.path, sizeof(t->p.path), MDEV_BUS_DIR "/mtty");
	t->found = !find_type(t, "1", t->type, sizeof(t->type));
	snprintf(t->map_type, sizeof(t->map_type), "%s", t->type);
	t->reg_bar = VFIO_PCI_BAR0_REGION_INDEX;
	t->reg_off = MTTY_REG_MCR;
	t->map_bar = -1;
	t->idle_max = IDLE_MAX;

	m->name = col_name[MBOCHS];
	snprintf(m->p.path, sizeof(m->p.path), MDEV_BUS_DIR "/mbochs");
	m->found = !find_type(m, "small", m->type, sizeof(m->type)) &&
		   !find_type(m, mbochs_suffix(bp.map_mib), m->map_type,
			      sizeof(m->map_type));
	m->reg_bar = VFIO_PCI_BAR2_REGION_INDEX;
	m->reg_off = MBOCHS_DISPI;
	m->map_bar = VFIO_PCI_BAR0_REGION_INDEX;
	m->idle_max = IDLE_MAX;

	tap_diag("ours: %s type %s; mtty: %s; mbochs: %s, %s", o->p.name,
		 o->type, t->found ? t->type : "absent",
		 m->found ? m->type : "absent", m->found ? m->map_type : "-");
}

/* An instance of @type, opened as a VFIO user would, set up for reads. */
static void peer_open(struct peer *pr, unsigned int col, struct vdev *d)
{
	char uuid[UUID_LEN + 1];
	int ret;

	uuid_new(uuid);
	ret = mdev_create(&pr->p, pr->map_type, uuid);
	if (!ret) {
		ret = vdev_open(d, uuid);
		if (ret)
			mdev_remove(uuid);
	}
	if (ret)
		tap_bail("%s: create and open a %s: %s", pr->name, pr->map_type,
			 errno_name(-ret));
	/* What a guest does first: ours decodes memory, mtty's port at 0xc000. */
	if (col == OURS)
		ret = cfg_enable(d, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	else if (col == MTTY)
		ret = cfg_write(d, PCI_BASE_ADDRESS_0, 4,
				0xc000 | PCI_BASE_ADDRESS_SPACE_IO);
	if (ret)
		tap_bail("%s: config write: %s", pr->name, errno_name(-ret));
}

static void peer_close(struct peer *pr, struct vdev *d)
{
	vdev_close(d);
	tap_check(!mdev_remove(d->uuid), "%s: removed the %s it opened",
		  pr->name, pr->map_type);
}

/* Register reads */

/* @len bytes at @off of region @index, through the region's own offset. */
static int region_pread(struct vdev *d, unsigned int index, u64 off,
			void *buf, size_t len)
{
	ssize_t n = pread(d->fd, buf, len, d->region[index].offset + off);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

/* That the register read is the device's: a value only it gives. */
static void reg_check(struct vdev *d, unsigned int col)
{
	u32 v = 0;
	int ret;

	switch (col) {
	case OURS:
		ret = region_pread(d, VFIO_PCI_BAR0_REGION_INDEX,
				   NVKM_VGPU_REG_MAGIC, &v, 4);
		if (ret || v != NVKM_VGPU_MAGIC)
			tap_bail("ours: MAGIC %#x: %s", v, errno_name(-ret));
		break;
	case MTTY:
		ret = region_pread(d, VFIO_PCI_BAR0_REGION_INDEX, MTTY_REG_LSR,
				   &v, 1);
		if (ret || (v & MTTY_LSR_EMPTY) != MTTY_LSR_EMPTY)
			tap_bail("mtty: LSR %#x: %s", v, errno_name(-ret));
		break;
	case MBOCHS:
		ret = region_pread(d, VFIO_PCI_BAR2_REGION_INDEX, MBOCHS_DISPI,
				   &v, 2);
		if (ret || (v & MBOCHS_ID_MASK) != MBOCHS_ID)
			tap_bail("mbochs: dispi ID %#x: %s", v, errno_name(-ret));
		break;
	}
}

static void bench_read(struct peer *pr, unsigned int col, struct vdev *d)
{
	u64 *ns = samples_new(bp.reps), t0;
	unsigned int i;
	u32 v;
	int ret;

	reg_check(d, col);
	for (i = 0; i < bp.reps + WARMUP; i++) {
		t0 = now_ns();
		ret = region_pread(d, pr->reg_bar, pr->reg_off, &v, 4);
		if (ret)
			tap_bail("%s: read %u: %s", pr->name, i, errno_name(-ret));
		if (i >= WARMUP)
			ns[i - WARMUP] = now_ns() - t0;
	}
	if (col == OURS && v != NVKM_VGPU_MAGIC)
		tap_bail("ours: MAGIC read %#x", v);
	latency("reg-read", col, R_READ_MED, ns, bp.reps);
	free(ns);
}

static void bench_read_host(void)
{
	u64 *ns = samples_new(bp.reps), t0;
	int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	unsigned int i;
	u32 v;

	if (fd < 0)
		tap_bail("/dev/zero: %s", errno_name(errno));
	for (i = 0; i < bp.reps + WARMUP; i++) {
		t0 = now_ns();
		if (pread(fd, &v, 4, 0) != 4)
			tap_bail("/dev/zero: %s", errno_name(errno));
		if (i >= WARMUP)
			ns[i - WARMUP] = now_ns() - t0;
	}
	close(fd);
	latency("reg-read", HOST, R_READ_MED, ns, bp.reps);
	free(ns);
}

/* Mapping bandwidth */

/* The cleanup's: a mapping holds the device open, and removal waits. */
static void map_drop(void)
{
	if (bp.map)
		munmap(bp.map, bp.map_len);
	bp.map = NULL;
}

/* memset() of @p, --map-reps times after a first one (faulting it in). */
static void map_write(void *p, size_t len, unsigned int col)
{
	u64 *ns = samples_new(bp.map_reps), t0;
	unsigned int i;
	u8 *b = p;

	t0 = now_ns();
	memset(p, 0xa5, len);
	bp.res[R_MAP_FIRST][col] = mib_s(len, now_ns() - t0);
	for (i = 0; i < bp.map_reps; i++) {
		t0 = now_ns();
		memset(p, i & 0xff, len);
		ns[i] = now_ns() - t0;
		if (b[0] != (i & 0xff) || b[len - 1] != (i & 0xff))
			tap_bail("%s: the mapping reads %#x..%#x after a memset of %#x",
				 col_name[col], b[0], b[len - 1], i & 0xff);
	}
	sort_u64(ns, bp.map_reps);
	bp.res[R_MAP][col] = mib_s(len, percentile_u64(ns, bp.map_reps, 50));
	tap_check(true,
		  "%s: memset() of %u MiB mapped: %.0f MiB/s (median of %u), first %.0f MiB/s",
		  col_name[col], bp.map_mib, bp.res[R_MAP][col], bp.map_reps,
		  bp.res[R_MAP_FIRST][col]);
	free(ns);
}

static void bench_map(struct peer *pr, unsigned int col, struct vdev *d)
{
	size_t len = (size_t)bp.map_mib << 20;
	struct vfio_region_info *r = &d->region[pr->map_bar];
	sigset_t old;

	if (!(r->flags & VFIO_REGION_INFO_FLAG_MMAP) || r->size < len)
		tap_bail("%s: BAR%d: flags %#x, %llu bytes: no %zu-byte mapping",
			 pr->name, pr->map_bar, r->flags,
			 (unsigned long long)r->size, len);
	cleanup_hold(&old);
	bp.map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd,
		      r->offset);
	if (bp.map == MAP_FAILED)
		bp.map = NULL;
	bp.map_len = len;
	cleanup_release(&old);
	if (!bp.map)
		tap_bail("%s: mmap of BAR%d: %s", pr->name, pr->map_bar,
			 errno_name(errno));
	map_write(bp.map, len, col);
	map_drop();
}

static void bench_map_host(void)
{
	size_t len = (size_t)bp.map_mib << 20;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		tap_bail("anonymous mmap of %zu bytes: %s", len, errno_name(errno));
	map_write(p, len, HOST);
	munmap(p, len);
}

/* Create and remove */

static void bench_cycles(struct peer *pr, unsigned int col)
{
	u64 *cr = samples_new(bp.cycles), *rm = samples_new(bp.cycles);
	char uuid[UUID_LEN + 1];
	u64 t0, t1, t2;
	unsigned int i;
	int ret;

	for (i = 0; i < bp.cycles + CYCLE_WARMUP; i++) {
		uuid_new(uuid);
		t0 = now_ns();
		ret = mdev_create(&pr->p, pr->type, uuid);
		t1 = now_ns();
		if (ret)
			tap_bail("%s: create %u of a %s: %s", pr->name, i,
				 pr->type, errno_name(-ret));
		ret = mdev_remove(uuid);
		t2 = now_ns();
		if (ret)
			tap_bail("%s: remove %u: %s", pr->name, i,
				 errno_name(-ret));
		if (i >= CYCLE_WARMUP) {
			cr[i - CYCLE_WARMUP] = t1 - t0;
			rm[i - CYCLE_WARMUP] = t2 - t1;
		}
	}
	latency("create", col, R_CREATE_MED, cr, bp.cycles);
	latency("remove", col, R_REMOVE_MED, rm, bp.cycles);
	free(cr);
	free(rm);
}

/* Memory of idle instances */

struct mem {
	long long avail;	/* KiB */
	long long kernel;
};

/* /proc/meminfo after writeback and dropping the caches. */
static void mem_now(struct mem *m)
{
	static const char *const kernel[] = {
		"Slab:", "KernelStack:", "PageTables:", "VmallocUsed:", "Percpu:",
	};
	char line[256], key[64];
	long long v;
	unsigned int i;
	FILE *f;
	int ret;

	sync();
	ret = sysfs_write("/proc/sys/vm/drop_caches", "3");
	if (ret)
		tap_diag("drop_caches: %s", errno_name(-ret));
	usleep(SETTLE_US);
	memset(m, 0, sizeof(*m));
	f = fopen("/proc/meminfo", "re");
	if (!f)
		tap_bail("/proc/meminfo: %s", errno_name(errno));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %lld", key, &v) != 2)
			continue;
		if (!strcmp(key, "MemAvailable:"))
			m->avail = v;
		for (i = 0; i < ARRAY_SIZE(kernel); i++)
			if (!strcmp(key, kernel[i]))
				m->kernel += v;
	}
	fclose(f);
}

static long long vram_used(const struct peer *pr)
{
	unsigned long long v;
	char path[512];

	snprintf(path, sizeof(path), "%s/vram_used_kib", pr->p.path);
	return sysfs_read_ull(path, &v) ? -1 : (long long)v;
}

static void bench_idle(struct peer *pr, unsigned int col)
{
	static char uuid[IDLE_MAX][UUID_LEN + 1];
	long long avail = type_available(&pr->p, pr->type), v0 = 0, v1 = 0;
	unsigned int k, i;
	struct mem m0, m1, m2;
	int ret;

	if (avail <= 0)
		tap_bail("%s: %s: available_instances %lld", pr->name, pr->type,
			 avail);
	k = avail < pr->idle_max ? (unsigned int)avail : pr->idle_max;
	if (k > IDLE_MAX)
		k = IDLE_MAX;
	mem_now(&m0);
	if (col == OURS)
		v0 = vram_used(pr);
	for (i = 0; i < k; i++) {
		uuid_new(uuid[i]);
		ret = mdev_create(&pr->p, pr->type, uuid[i]);
		if (ret)
			tap_bail("%s: idle instance %u of %u: %s", pr->name, i,
				 k, errno_name(-ret));
	}
	mem_now(&m1);
	if (col == OURS)
		v1 = vram_used(pr);
	for (i = 0; i < k; i++) {
		ret = mdev_remove(uuid[i]);
		if (ret)
			tap_bail("%s: remove idle instance %u: %s", pr->name, i,
				 errno_name(-ret));
	}
	mem_now(&m2);

	bp.res[R_MEM_K][col] = k;
	bp.res[R_MEM_AVAIL][col] = (double)(m0.avail - m1.avail) / k;
	bp.res[R_MEM_KERNEL][col] = (double)(m1.kernel - m0.kernel) / k;
	bp.res[R_MEM_AVAIL_LEFT][col] = m0.avail - m2.avail;
	bp.res[R_MEM_KERNEL_LEFT][col] = m2.kernel - m0.kernel;
	if (col == OURS)
		bp.res[R_MEM_VRAM][col] = v0 < 0 || v1 < 0 ? NAN :
					  (double)(v1 - v0) / k;
	tap_check(true,
		  "%s: %u idle %s: MemAvailable -%.0f KiB, kernel +%.0f KiB each (after removal: MemAvailable %+lld KiB, kernel %+lld KiB in all)",
		  pr->name, k, pr->type, bp.res[R_MEM_AVAIL][col],
		  bp.res[R_MEM_KERNEL][col], m2.avail - m0.avail,
		  m2.kernel - m0.kernel);
}

/* One parent, everything: a device opened, then cycles, then idle ones. */
static void bench_peer(unsigned int col)
{
	struct peer *pr = &bp.peer[col];
	struct vdev d;

	if (!pr->found) {
		tap_skip("not loaded", "%s: no parent at %s", pr->name,
			 pr->p.path);
		return;
	}
	tap_diag("progress: %s: %u register reads, %s", pr->name, bp.reps,
		 pr->map_bar < 0 ? "nothing to map" : "its mapping");
	peer_open(pr, col, &d);
	bench_read(pr, col, &d);
	if (pr->map_bar >= 0)
		bench_map(pr, col, &d);
	peer_close(pr, &d);
	tap_diag("progress: %s: %u create/remove cycles of %s", pr->name,
		 bp.cycles, pr->type);
	bench_cycles(pr, col);
	tap_diag("progress: %s: idle instances of %s", pr->name, pr->type);
	bench_idle(pr, col);
}

/* Output */

static void table_out(void)
{
	char path[512];
	unsigned int r, c;
	FILE *f;

	snprintf(path, sizeof(path), "%s/peers.tsv", bp.out);
	f = fopen(path, "w");
	if (!f)
		tap_bail("%s: %s", path, errno_name(errno));
	fprintf(f, "metric\tdescription\tunit");
	for (c = 0; c < NR_COLS; c++)
		fprintf(f, "\t%s", col_name[c]);
	fputc('\n', f);
	for (r = 0; r < NR_ROWS; r++) {
		fprintf(f, "%s\t%s\t%s", rows[r].key, rows[r].what,
			rows[r].unit);
		for (c = 0; c < NR_COLS; c++) {
			fputc('\t', f);
			if (isnan(bp.res[r][c]))
				fputs("n/a", f);
			else
				fprintf(f, rows[r].fmt, bp.res[r][c]);
		}
		fputc('\n', f);
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reps", required_argument, NULL, 'r' },
		{ "cycles", required_argument, NULL, 'c' },
		{ "map-mib", required_argument, NULL, 'm' },
		{ "map-reps", required_argument, NULL, 'R' },
		{ "idle", required_argument, NULL, 'i' },
		{ "type", required_argument, NULL, 't' },
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *type = NULL;
	unsigned int r, c;
	char path[512];
	int opt;

	tap_init("bench_peers", WATCHDOG_S);
	bp.reps = 5000;
	bp.cycles = 50;
	bp.map_mib = 16;
	bp.map_reps = 20;
	bp.idle = 8;
	bp.out = getenv("NVKM_RESULTS") ? getenv("NVKM_RESULTS") : ".";
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			bp.reps = tap_count_arg("--reps", optarg, 10000000);
			break;
		case 'c':
			bp.cycles = tap_count_arg("--cycles", optarg, 100000);
			break;
		case 'm':
			bp.map_mib = tap_count_arg("--map-mib", optarg, 64);
			if (!mbochs_suffix(bp.map_mib))
				tap_bail("--map-mib takes 4, 16 or 64 (%s)",
					 "an mbochs type's framebuffer");
			break;
		case 'R':
			bp.map_reps = tap_count_arg("--map-reps", optarg, 100000);
			break;
		case 'i':
			bp.idle = tap_count_arg("--idle", optarg, IDLE_MAX);
			break;
		case 't':
			type = optarg;
			break;
		case 'o':
			bp.out = optarg;
			break;
		default:
			tap_bail("usage: %s",
				 "bench_peers [--reps N] [--cycles N] [--map-mib 4|16|64] [--map-reps N] [--idle K] [--type TYPE] [--out DIR]");
		}
	}
	for (r = 0; r < NR_ROWS; r++)
		for (c = 0; c < NR_COLS; c++)
			bp.res[r][c] = NAN;
	snprintf(path, sizeof(path), "%s/peers-samples.tsv", bp.out);
	bp.samples = fopen(path, "w");
	if (!bp.samples)
		tap_bail("%s: %s", path, errno_name(errno));
	fprintf(bp.samples, "measurement\tdevice\tsample\tus\n");
	cleanup_hook(map_drop);

	peers_find(type);
	tap_diag("progress: host references, %u reads of /dev/zero", bp.reps);
	bench_read_host();
	bench_map_host();
	for (c = OURS; c < HOST; c++)
		bench_peer(c);

	fclose(bp.samples);
	table_out();
	return tap_done();
}
