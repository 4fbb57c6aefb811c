// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz: seeded random use of the VFIO interface while vGPUs and GPUs come
 * and go.
 *
 * Device threads each own two slots, a vGPU apiece, which they create (on
 * the tiny GPU, the h100 GPU or a simulated GPU this program adds), open
 * and use at random: config space, BAR0, BAR1 and region indexes the device
 * does not have through pread/pwrite (sizes 0 to 9 and larger, offsets
 * straddling the ends, absurd offsets); every VFIO device ioctl with random
 * index, start, count, flags and argsz and valid, closed or random eventfds,
 * unknown ioctls; BAR1 mappings made, cut and touched (a SIGBUS is caught
 * and counted); mailbox requests (channels in a canonical place in the FB,
 * or anywhere), push buffers of random methods submitted to them and
 * doorbells rung, so the engines run what the fuzzer writes; resets,
 * reopens and re-creates. Meanwhile a churn thread
 * creates and removes vGPUs of its own, removes the device threads' vGPUs
 * under them and reads sysfs, and a hotplug thread adds a simulated GPU
 * through /sys/bus/nvkm_vgpu_sim/new_device and deletes it through
 * del_device while vGPUs of it are open.
 *
 * Each thread draws one number per operation from its own splitmix64
 * stream seeded from the seed plus its index, and every random choice of
 * that operation comes from that number, so a seed replays the same
 * sequence of operations per thread (what the kernel answers may differ
 * with the threads' timing). Nothing asserts an errno: the oracles are that
 * the kernel does not splat (the VM harness looks), that no thread hangs,
 * and that afterwards every vGPU this program made is gone, every type's
 * available_instances is what it was, the simulated GPUs it added are gone,
 * and a fresh vGPU on each GPU (and on a newly added one) opens, reads
 * vendor 0x10de in config space and NVKM_VGPU_MAGIC in BAR0.
 *
 * The last operations of each thread are kept in a trace file (a ring of
 * fixed-size lines per thread, written before each operation), by default
 * $NVKM_RESULTS/fuzz.trace: after a crash, its newest lines say which
 * operation each thread was in.
 *
 * Usage: fuzz [--seed N] [--ops N] [--threads N] [--seconds N] [--trace FILE]
 *   --ops      operations per device thread (default 1500)
 *   --threads  device threads (default 3), besides the churn and hotplug ones
 *   --seconds  stop the operations after this long (default 150 without
 *              --ops, none with it); the watchdog is this plus 120 s
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/nvkm_vgpu.h>
#include <linux/pci_regs.h>

#include "cleanup.h"
#include "sysfs.h"
#include "tap.h"
#include "vdev.h"

#define CFG VFIO_PCI_CONFIG_REGION_INDEX
#define BAR0 VFIO_PCI_BAR0_REGION_INDEX
#define BAR1 VFIO_PCI_BAR1_REGION_INDEX

#define SIM_NEW SIM_BUS_DIR "/new_device"
#define SIM_DEL SIM_BUS_DIR "/del_device"
#define SIM_DEVS SIM_BUS_DIR "/devices"
#define SIM_MAX 64

#define DEV_THREADS_MAX 8
#define THREADS_MAX (DEV_THREADS_MAX + 2)
#define SLOTS 2
#define MAPS 4
#define EFDS 4
#define MDEVS_MAX 256
#define CHURN_OWN_MAX 6

#define PAGE 4096ull
#define IO_SIZE (1024u * 1024)	/* the pread/pwrite buffer, then a guard */
#define ARG_SIZE 4096u		/* the ioctl argument page, then a guard */
#define GUARD_SIZE (64u << 10)
#define EMUL_MAX (64u << 10)	/* longest in-range access to config/BAR0 */

#define TRACE_LINES 64
#define TRACE_LINE 160

#define DEFAULT_OPS 1500
#define DEFAULT_THREADS 3
#define DEFAULT_SECONDS 150
#define STALL_S 180		/* a thread making no progress this long hangs */
#define IDLE_S 30		/* for the last slices to go back */

/* The VFIO ioctl numbers are VFIO_BASE (100) onwards of type VFIO_TYPE. */
#define VFIO_NR_FIRST VFIO_BASE
#define VFIO_NR_COUNT 32

enum { P_TINY, P_H100, P_HOT, P_NR };
static const char *const parent_names[P_NR] = { "tiny", "h100", "hot" };

/* splitmix64: one state word, good enough and trivially seeded. */
struct rng {
	u64 s;
};

static u64 rng_next(struct rng *r)
{
	u64 z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static u64 rng_below(struct rng *r, u64 n)
{
	return n ? rng_next(r) % n : 0;
}

/* True with probability @num / @den. */
static bool rng_chance(struct rng *r, unsigned int num, unsigned int den)
{
	return rng_below(r, den) < num;
}

#define __noinline __nvkm_attr((__noinline__))

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELEASE)
#define INC(x) __atomic_add_fetch(&(x), 1, __ATOMIC_RELAXED)

struct fz_map {
	u8 *addr;		/* NULL: unused */
	size_t len;
	int prot;
};

struct slot {
	int mdev;		/* index in fz_mdevs, or -1 */
	bool open;
	struct vdev d;
	u64 fb_size;
	int pm_cap;
	int msi_cap;
	struct fz_map map[MAPS];
};

struct stats {
	u64 ready;		/* operations that found their vGPU open */
	u64 creates;
	u64 create_fails;
	u64 opens;
	u64 open_fails;
	u64 removes;
	u64 released;		/* slots let go because a removal asked */
	u64 set_irqs;
	u64 set_irqs_ok;
	u64 maps;
	u64 touches;
	u64 sigbus;
	u64 sigsegv;
	u64 resets;
	u64 gpus_added;		/* hotplug thread */
	u64 gpus_deleted;
	u64 del_max_ms;
};

struct fz_thread {
	unsigned int idx;
	char name[8];
	pthread_t tid;
	bool started;
	struct rng rng;		/* one draw per operation */
	u64 ops;		/* operations begun */
	u64 progress_us;	/* when the last one began */
	int done;
	u64 trace_seq;
	char desc[TRACE_LINE];
	u8 *io;
	u8 *arg;
	struct slot slot[SLOTS];
	int efd[EFDS];
	int stale[EFDS];
	struct stats st;
};

/* Every vGPU this program made; slots refer to them by index. */
struct fz_mdev {
	char uuid[UUID_LEN + 1];
	int owner;		/* thread index; -1: free */
	unsigned int parent;
	unsigned int gen;	/* P_HOT: the hot GPU's generation */
	int doomed;		/* another thread is removing it */
};

static struct fz_mdev fz_mdevs[MDEVS_MAX];
static pthread_mutex_t fz_mdev_lock = PTHREAD_MUTEX_INITIALIZER;
/* lib/vdev.c's tracking of open devices is not thread-safe. */
static pthread_mutex_t fz_lib_lock = PTHREAD_MUTEX_INITIALIZER;

static struct vgpu_parent fz_parent[P_NR];
/* The hotplug thread's GPU: present from new_device to del_device. */
static pthread_mutex_t fz_hot_lock = PTHREAD_MUTEX_INITIALIZER;
static bool fz_hot_present;
static unsigned int fz_hot_gen;
static unsigned int fz_hot_doomed;	/* generations up to this one go */
static long fz_hot_id = -1;

static struct fz_thread fz_threads[THREADS_MAX];
static unsigned int fz_nr_dev;		/* device threads */
static unsigned int fz_nr;		/* all threads */
static u64 fz_ops = DEFAULT_OPS;
static int fz_stop;			/* churn and hotplug threads stop */
static int fz_time_up;			/* device threads stop early */
static int fz_trace_fd = -1;
static u64 fz_t0;

static __thread sigjmp_buf fz_jmp;
/* Set and read with LOAD/STORE: the SIGBUS handler runs on this thread. */
static __thread int fz_touching;
static __thread int fz_fault;

/* ---- trace ---- */

/* One line of @t's ring: written before the operation it describes. */
static void trace(struct fz_thread *t, const char *fmt, ...) __printf(2, 3);
static void trace(struct fz_thread *t, const char *fmt, ...)
{
	char line[TRACE_LINE];
	va_list ap;
	int n;
	ssize_t ignored;

	n = snprintf(line, sizeof(line), "%010llu %-5s op %-7llu ",
		     (unsigned long long)(now_us() - fz_t0), t->name,
		     (unsigned long long)t->ops);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	snprintf(t->desc, sizeof(t->desc), "%s", line + n);
	n = strlen(line);
	memset(line + n, ' ', sizeof(line) - n);
	line[sizeof(line) - 1] = '\n';
	if (fz_trace_fd < 0)
		return;
	ignored = pwrite(fz_trace_fd, line, sizeof(line),
			 ((off_t)t->idx * TRACE_LINES +
			  t->trace_seq++ % TRACE_LINES) * TRACE_LINE);
	(void)ignored;
}

/* Blank lines for every thread's ring, so the file is text from the start. */
static void trace_init(const char *path, unsigned int threads)
{
	char line[TRACE_LINE];
	unsigned int i;

	fz_trace_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fz_trace_fd < 0) {
		tap_diag("trace %s: %s", path, strerror(errno));
		return;
	}
	memset(line, ' ', sizeof(line));
	line[sizeof(line) - 1] = '\n';
	for (i = 0; i < threads * TRACE_LINES; i++)
		if (write(fz_trace_fd, line, sizeof(line)) != sizeof(line))
			break;
	tap_diag("trace: %s (the last %u operations of each thread; sort it)",
		 path, TRACE_LINES);
}

/* ---- the table of vGPUs ---- */

static int mdev_slot_new(const char *uuid, int owner, unsigned int parent,
			 unsigned int gen)
{
	int i, found = -1;

	pthread_mutex_lock(&fz_mdev_lock);
	for (i = 0; i < MDEVS_MAX; i++) {
		if (fz_mdevs[i].owner < 0) {
			snprintf(fz_mdevs[i].uuid, sizeof(fz_mdevs[i].uuid),
				 "%s", uuid);
			fz_mdevs[i].parent = parent;
			fz_mdevs[i].gen = gen;
			fz_mdevs[i].doomed = 0;
			STORE(fz_mdevs[i].owner, owner);
			found = i;
			break;
		}
	}
	pthread_mutex_unlock(&fz_mdev_lock);
	return found;
}

static void mdev_slot_free(int i)
{
	pthread_mutex_lock(&fz_mdev_lock);
	STORE(fz_mdevs[i].owner, -1);
	pthread_mutex_unlock(&fz_mdev_lock);
}

static bool mdev_doomed(int i)
{
	const struct fz_mdev *m = &fz_mdevs[i];

	if (LOAD(m->doomed))
		return true;
	return m->parent == P_HOT && m->gen <= LOAD(fz_hot_doomed);
}

/*
 * Writes the remove file of an mdev of the caller's; frees its entry once
 * it is gone and returns whether it is.
 */
static bool mdev_slot_remove(int i)
{
	char path[256];
	int ret;

	snprintf(path, sizeof(path), MDEV_DEV_DIR "/%.36s/remove",
		 fz_mdevs[i].uuid);
	ret = sysfs_write(path, "1");
	if (ret && mdev_exists(fz_mdevs[i].uuid))
		return false;
	mdev_slot_free(i);
	return true;
}

/* A parent to create on: a copy, so the hot one may go meanwhile. */
static bool parent_get(unsigned int which, struct vgpu_parent *p,
		       unsigned int *gen)
{
	bool ok = true;

	*gen = 0;
	if (which != P_HOT) {
		*p = fz_parent[which];
		return true;
	}
	pthread_mutex_lock(&fz_hot_lock);
	if (fz_hot_present) {
		*p = fz_parent[P_HOT];
		*gen = fz_hot_gen;
	} else {
		ok = false;
	}
	pthread_mutex_unlock(&fz_hot_lock);
	return ok;
}

/* A type of @p: three in four times one of 2 GiB or less. */
static const char *type_pick(const struct vgpu_parent *p, u64 a, u64 b)
{
	unsigned int small[PARENT_TYPES_MAX], n = 0, i;

	if (!p->nr_types)
		return NULL;
	for (i = 0; i < p->nr_types; i++)
		if (type_gib(p->types[i]) <= 2)
			small[n++] = i;
	if (n && a % 4)
		return p->types[small[b % n]];
	return p->types[b % p->nr_types];
}

/* Creates a vGPU for @owner; returns its table index or a negative errno. */
static int mdev_make(struct fz_thread *t, unsigned int which, u64 a, u64 b)
{
	char uuid[UUID_LEN + 1], path[512];
	struct vgpu_parent p;
	const char *type;
	unsigned int gen;
	int ret, i;

	if (!parent_get(which, &p, &gen)) {
		which = P_TINY;
		parent_get(which, &p, &gen);
	}
	type = type_pick(&p, a, b);
	if (!type)
		return -ENOENT;
	uuid_new(uuid);
	trace(t, "create %s on %s (%s)", type, parent_names[which], uuid);
	snprintf(path, sizeof(path), "%s/mdev_supported_types/%s%s/create",
		 p.path, p.prefix, type);
	ret = sysfs_write(path, uuid);
	if (ret) {
		t->st.create_fails++;
		return ret;
	}
	t->st.creates++;
	i = mdev_slot_new(uuid, t->idx, which, gen);
	if (i < 0) {
		/* The table is full: do not keep it. */
		snprintf(path, sizeof(path), MDEV_DEV_DIR "/%.36s/remove", uuid);
		sysfs_write(path, "1");
		return -ENOSPC;
	}
	return i;
}

/* ---- buffers ---- */

/* @size bytes followed by an inaccessible guard, so overruns fault. */
static u8 *guarded(size_t size)
{
	u8 *p = mmap(NULL, size + GUARD_SIZE, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p, size, PROT_READ | PROT_WRITE))
		return NULL;
	return p;
}

static void fill(struct rng *r, u8 *buf, size_t len)
{
	size_t i;
	u64 v = 0;

	for (i = 0; i < len; i++) {
		if (!(i % 8))
			v = rng_next(r);
		buf[i] = v >> (8 * (i % 8));
	}
}

/* ---- slots ---- */

static void maps_drop(struct slot *s)
{
	unsigned int i;

	for (i = 0; i < MAPS; i++) {
		if (s->map[i].addr)
			munmap(s->map[i].addr, s->map[i].len);
		s->map[i].addr = NULL;
	}
}

static bool maps_any(const struct slot *s)
{
	unsigned int i;

	for (i = 0; i < MAPS; i++)
		if (s->map[i].addr)
			return true;
	return false;
}

static void slot_close(struct slot *s, bool keep_maps)
{
	if (s->open) {
		pthread_mutex_lock(&fz_lib_lock);
		vdev_close(&s->d);
		pthread_mutex_unlock(&fz_lib_lock);
		s->open = false;
	}
	if (!keep_maps)
		maps_drop(s);
}

/* Forgets a slot's vGPU once it is gone; returns whether it is. */
static bool slot_forget_gone(struct slot *s)
{
	if (s->mdev < 0)
		return true;
	if (mdev_exists(fz_mdevs[s->mdev].uuid))
		return false;
	mdev_slot_free(s->mdev);
	s->mdev = -1;
	return true;
}

/* Lets go of vGPUs that another thread is removing. */
static void slots_check_doomed(struct fz_thread *t)
{
	unsigned int i;

	for (i = 0; i < SLOTS; i++) {
		struct slot *s = &t->slot[i];

		if (s->mdev < 0 || !mdev_doomed(s->mdev))
			continue;
		if (s->open || maps_any(s)) {
			trace(t, "slot %u: let go of %s, being removed", i,
			      fz_mdevs[s->mdev].uuid);
			slot_close(s, false);
			t->st.released++;
		}
		slot_forget_gone(s);
	}
}

static int cap_find(struct vdev *d, u8 id)
{
	u8 pos, v[2];
	unsigned int steps;

	if (pread(d->fd, &pos, 1, vdev_offset(CFG) + PCI_CAPABILITY_LIST) != 1)
		return -1;
	for (steps = 0; pos >= 0x40 && steps < 48; steps++) {
		pos &= ~3;
		if (pread(d->fd, v, 2, vdev_offset(CFG) + pos) != 2)
			return -1;
		if (v[0] == id)
			return pos;
		pos = v[1];
	}
	return -1;
}

/* Command register |= memory | bus master, power state D0. */
static void slot_enable(struct slot *s)
{
	u16 cmd = 0, pm = 0;

	if (pread(s->d.fd, &cmd, 2, vdev_offset(CFG) + PCI_COMMAND) == 2) {
		cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
		if (pwrite(s->d.fd, &cmd, 2, vdev_offset(CFG) + PCI_COMMAND) < 0)
			return;
	}
	if (s->pm_cap > 0 &&
	    pwrite(s->d.fd, &pm, 2, vdev_offset(CFG) + s->pm_cap + PCI_PM_CTRL) < 0)
		return;
}

/*
 * Gives slot @s a vGPU and opens it. @prep supplies the choices (where to
 * create, whether to enable), drawn whether or not they are needed.
 */
static bool slot_ready(struct fz_thread *t, unsigned int n, struct rng *prep)
{
	u64 where = rng_next(prep), a = rng_next(prep), b = rng_next(prep);
	u64 enable = rng_next(prep);
	struct slot *s = &t->slot[n];
	unsigned int which;
	int ret;

	if (s->mdev >= 0 && mdev_doomed(s->mdev))
		return false;
	if (s->mdev < 0) {
		which = where % 10 < 5 ? P_TINY : where % 10 < 7 ? P_H100 : P_HOT;
		ret = mdev_make(t, which, a, b);
		if (ret < 0)
			return false;
		s->mdev = ret;
	}
	if (s->open)
		return true;
	trace(t, "slot %u: open %s", n, fz_mdevs[s->mdev].uuid);
	pthread_mutex_lock(&fz_lib_lock);
	ret = vdev_open(&s->d, fz_mdevs[s->mdev].uuid);
	pthread_mutex_unlock(&fz_lib_lock);
	if (ret == -EBUSY && maps_any(s)) {
		/* The old mappings keep the group open: drop them, retry. */
		maps_drop(s);
		pthread_mutex_lock(&fz_lib_lock);
		ret = vdev_open(&s->d, fz_mdevs[s->mdev].uuid);
		pthread_mutex_unlock(&fz_lib_lock);
	}
	if (ret) {
		t->st.open_fails++;
		slot_forget_gone(s);
		return false;
	}
	t->st.opens++;
	s->open = true;
	s->pm_cap = cap_find(&s->d, PCI_CAP_ID_PM);
	s->msi_cap = cap_find(&s->d, PCI_CAP_ID_MSI);
	s->fb_size = s->d.region[BAR1].size;
	{
		long long fb = mdev_ull(fz_mdevs[s->mdev].uuid, "fb_size");

		if (fb > 0)
			s->fb_size = fb;
	}
	if (enable % 8)
		slot_enable(s);
	return true;
}

/* ---- region accesses ---- */

static u64 absurd_off(struct rng *r)
{
	switch (rng_below(r, 4)) {
	case 0:
		return rng_below(r, 1ull << 40);
	case 1:
		return (1ull << 40) - rng_below(r, 16);
	case 2:
		return rng_next(r) >> rng_below(r, 24);
	default:
		return ~0ull - rng_below(r, 64);
	}
}

/* An offset in a region of @size, @fb of it backed (BAR1), often awkward. */
static u64 gen_off(struct rng *r, unsigned int index, u64 size, u64 fb)
{
	u64 off;

	switch (rng_below(r, 10)) {
	case 0: case 1: case 2:
		if (index == BAR0)
			off = NVKM_VGPU_REG_MAGIC + rng_below(r, 0x120);
		else
			off = rng_below(r, size < EMUL_MAX ? size : EMUL_MAX);
		break;
	case 3:
		if (index == BAR0)
			off = NVKM_VGPU_REG_DOORBELL(0) + rng_below(r, 0x4010);
		else
			off = rng_below(r, size);
		break;
	case 4:
		off = rng_below(r, size);
		break;
	case 5:
		off = size - rng_below(r, 10);
		break;
	case 6:
		off = index == BAR1 ? fb - 16 + rng_below(r, 32) :
				      rng_below(r, 0x100);
		break;
	case 7:
		off = size + rng_below(r, 1 << 20);
		break;
	default:
		return absurd_off(r);
	}
	if (rng_chance(r, 1, 2))
		off &= ~3ull;
	return off;
}

/* A length: mostly 0 to 9 bytes, sometimes long, sometimes absurd. */
static u64 gen_len(struct rng *r, bool emulated)
{
	switch (rng_below(r, 20)) {
	case 0: case 1: case 2: case 3: case 4:
	case 5: case 6: case 7: case 8: case 9:
		return rng_below(r, 10);
	case 10: case 11: case 12:
		return 10 + rng_below(r, 55);
	case 13: case 14:
		return 65 + rng_below(r, 4032);
	case 15: case 16:
		return 1 + rng_below(r, emulated ? EMUL_MAX : IO_SIZE);
	case 17:
		return (16ull << 20) + 1 + rng_below(r, 1 << 20);
	case 18:
		return 1ull << (24 + rng_below(r, 40));
	default:
		return rng_next(r) >> rng_below(r, 64);
	}
}

/*
 * A pread or pwrite of region @index (or, for an absurd offset, anywhere):
 * the buffer ends at its guard when it is long enough, so an overrun
 * faults rather than corrupting this program.
 */
static void op_rw(struct fz_thread *t, struct slot *s, struct rng *r,
		  unsigned int index, bool write)
{
	u64 size = index < VFIO_PCI_NUM_REGIONS ? s->d.region[index].size : 0;
	bool emulated = index == CFG || index == BAR0;
	u64 off = gen_off(r, index, size, s->fb_size);
	u64 len = gen_len(r, emulated);
	u64 pos;
	u8 *buf;

	/* An absurd offset is taken as it is, region index bits and all. */
	pos = off >= (1ull << 40) ? off : vdev_offset(index) + off;
	buf = len <= IO_SIZE ? t->io + IO_SIZE - len : t->io;
	if (write) {
		u64 n = len < 256 ? len : 256;

		fill(r, buf, n);
		if (index == BAR0 && len == 4 && rng_chance(r, 1, 4))
			memset(buf, 0xff, 4);
	}
	trace(t, "%s region %u off %#llx len %#llx (pos %#llx)",
	      write ? "pwrite" : "pread", index, (unsigned long long)off,
	      (unsigned long long)len, (unsigned long long)pos);
	if (write) {
		if (pwrite(s->d.fd, buf, len, pos) < 0)
			return;
	} else {
		if (pread(s->d.fd, buf, len, pos) < 0)
			return;
	}
}

/* Config writes where they matter: command, PM control, MSI. */
static void op_cfg_write(struct fz_thread *t, struct slot *s, struct rng *r)
{
	u64 what = rng_below(r, 10);
	u32 val = rng_next(r);
	u32 off;
	unsigned int len;

	if (what >= 4) {
		op_rw(t, s, r, CFG, true);
		return;
	}
	switch (what) {
	case 0:
		off = PCI_COMMAND;
		len = 2;
		if (rng_chance(r, 1, 2))
			val |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
		break;
	case 1:
		off = (s->pm_cap > 0 ? s->pm_cap : 0x40) + PCI_PM_CTRL;
		len = 2;
		val &= rng_chance(r, 1, 2) ? 3 : 0xffff;
		break;
	case 2:
		off = (s->msi_cap > 0 ? s->msi_cap : 0x48) + rng_below(r, 14);
		len = 1 << rng_below(r, 3);
		break;
	default:
		off = PCI_INTERRUPT_LINE + rng_below(r, 4);
		len = 1 + rng_below(r, 4);
	}
	trace(t, "config write off %#x len %u val %#x", off, len, val);
	if (pwrite(s->d.fd, &val, len, vdev_offset(CFG) + off) < 0)
		return;
}

/* BAR0 writes to the registers that do something. */
static void op_bar0_write(struct fz_thread *t, struct slot *s, struct rng *r)
{
	static const u32 regs[] = {
		NVKM_VGPU_REG_INTR_STATUS, NVKM_VGPU_REG_INTR_ENABLE,
		NVKM_VGPU_REG_INTR_TRIGGER, NVKM_VGPU_REG_SCRATCH,
		NVKM_VGPU_REG_DOORBELL(0), NVKM_VGPU_REG_MAGIC,
		NVKM_VGPU_REG_BOOT_0,
	};
	u32 off, val = rng_next(r);

	if (rng_chance(r, 1, 2)) {
		op_rw(t, s, r, BAR0, true);
		return;
	}
	off = regs[rng_below(r, ARRAY_SIZE(regs))];
	if (off == NVKM_VGPU_REG_DOORBELL(0))
		off += 4 * rng_below(r, NVKM_VGPU_DOORBELL_MAX + 2);
	if (rng_chance(r, 1, 2))
		val &= NVKM_VGPU_INTR_ALL;
	trace(t, "BAR0 write %#x = %#x", off, val);
	if (pwrite(s->d.fd, &val, 4, vdev_offset(BAR0) + off) < 0)
		return;
}

/* ---- channels: the mailbox, push buffers, doorbells ---- */

/*
 * Channel @n's canonical place in the FB (when it fits): its GPFIFO, then
 * USERD, the notifier and a push buffer, so that submissions made without
 * knowing what a CHAN_ALLOC was given still often reach a live channel.
 */
#define CHAN_STRIDE (64u << 10)
#define CHAN_GPFIFO 0x0
#define CHAN_ENTRIES 64u
#define CHAN_USERD 0x1000
#define CHAN_NOTIFIER 0x1200
#define CHAN_PB 0x2000
#define CHAN_PB_DW 1024u
#define CHANS_FUZZED 8u

static u64 chan_base(const struct slot *s, unsigned int n)
{
	u64 fb = s->fb_size ? s->fb_size : PAGE;

	return ((u64)n * CHAN_STRIDE) % fb & ~(u64)(CHAN_STRIDE - 1);
}

static u32 gen_class(struct rng *r)
{
	static const u32 classes[] = {
		NVKM_VGPU_CLASS_COPY, NVKM_VGPU_CLASS_SIM_BUSY,
		NVKM_VGPU_CLASS_HOST, 0,
	};

	if (rng_chance(r, 1, 8))
		return rng_next(r);
	return classes[rng_below(r, ARRAY_SIZE(classes))];
}

/* A GPU address: mostly a good one, sometimes past a window or absurd. */
static u64 gen_va(struct rng *r, const struct slot *s, u64 good)
{
	switch (rng_below(r, 8)) {
	case 0:
		return rng_next(r);
	case 1:
		return s->fb_size - 8 * rng_below(r, 4);
	case 2:
		return NVKM_VGPU_VA_SYSMEM + (rng_next(r) & 0xffffff8ull);
	case 3:
		return good + 4;
	}
	return good;
}

static void mbox_arg(struct fz_thread *t, struct slot *s, unsigned int i,
		     u32 val)
{
	if (pwrite(s->d.fd, &val, 4,
		   vdev_offset(BAR0) + NVKM_VGPU_REG_MBOX_ARG(i)) < 0)
		trace(t, "mailbox arg %u: %s", i, strerror(errno));
}

/* A mailbox request: mostly a channel in its canonical place. */
static void op_mbox(struct fz_thread *t, struct slot *s, struct rng *r)
{
	static const u32 cmds[] = {
		NVKM_VGPU_MBOX_CMD_CHAN_ALLOC, NVKM_VGPU_MBOX_CMD_CHAN_ALLOC,
		NVKM_VGPU_MBOX_CMD_CHAN_FREE, NVKM_VGPU_MBOX_CMD_CHAN_RESET,
	};
	unsigned int n = rng_below(r, CHANS_FUZZED);
	u64 base = chan_base(s, n);
	u32 cmd = rng_chance(r, 1, 10) ? rng_next(r) :
		  cmds[rng_below(r, ARRAY_SIZE(cmds))];
	u32 status = 0, result = 0;
	u64 va;

	if (cmd == NVKM_VGPU_MBOX_CMD_CHAN_ALLOC) {
		mbox_arg(t, s, 0, gen_class(r));
		va = gen_va(r, s, base + CHAN_GPFIFO);
		mbox_arg(t, s, 1, va);
		mbox_arg(t, s, 2, va >> 32);
		mbox_arg(t, s, 3, rng_chance(r, 1, 6) ? rng_next(r) : CHAN_ENTRIES);
		va = gen_va(r, s, base + CHAN_USERD);
		mbox_arg(t, s, 4, va);
		mbox_arg(t, s, 5, va >> 32);
		va = gen_va(r, s, base + CHAN_NOTIFIER);
		mbox_arg(t, s, 6, va);
		mbox_arg(t, s, 7, va >> 32);
	} else {
		mbox_arg(t, s, 0, rng_chance(r, 1, 6) ? rng_next(r) : n);
	}
	trace(t, "mailbox command %#x (channel place %u)", cmd, n);
	if (pwrite(s->d.fd, &cmd, 4, vdev_offset(BAR0) + NVKM_VGPU_REG_MBOX_CMD) < 0)
		return;
	if (pread(s->d.fd, &status, 4,
		  vdev_offset(BAR0) + NVKM_VGPU_REG_MBOX_STATUS) < 0 ||
	    pread(s->d.fd, &result, 4,
		  vdev_offset(BAR0) + NVKM_VGPU_REG_MBOX_RESULT) < 0)
		return;
	trace(t, "mailbox status %u result %u", status, result);
}

/* A method header: mostly well formed, for a method the classes know. */
static u32 gen_header(struct rng *r, u32 *count)
{
	static const u16 methods[] = {
		NVKM_VGPU_HOST_SET_OBJECT, NVKM_VGPU_HOST_NON_STALL_INTERRUPT,
		NVKM_VGPU_HOST_SET_REFERENCE, NVKM_VGPU_HOST_SEM_ADDR_LO,
		NVKM_VGPU_HOST_SEM_EXECUTE, NVKM_VGPU_HOST_WFI,
		NVKM_VGPU_COPY_SET_SEMAPHORE_A, NVKM_VGPU_COPY_LAUNCH_DMA,
		NVKM_VGPU_COPY_OFFSET_IN_UPPER, NVKM_VGPU_COPY_LINE_LENGTH_IN,
		NVKM_VGPU_COPY_SET_REMAP_CONST_A, NVKM_VGPU_SIM_BUSY_NS_LO,
		NVKM_VGPU_SIM_BUSY_LAUNCH,
	};
	static const u32 ops[] = {
		NVKM_VGPU_DMA_SEC_OP_INC_METHOD, NVKM_VGPU_DMA_SEC_OP_NON_INC_METHOD,
		NVKM_VGPU_DMA_SEC_OP_IMMD_DATA_METHOD, NVKM_VGPU_DMA_SEC_OP_ONE_INC,
	};
	u32 op = rng_chance(r, 1, 16) ? rng_below(r, 8) :
		 ops[rng_below(r, ARRAY_SIZE(ops))];
	u32 method = methods[rng_below(r, ARRAY_SIZE(methods))];

	*count = op == NVKM_VGPU_DMA_SEC_OP_IMMD_DATA_METHOD ? 0 :
		 1 + rng_below(r, 4);
	if (rng_chance(r, 1, 16))
		return rng_next(r);
	return op << NVKM_VGPU_DMA_SEC_OP_SHIFT |
	       (op == NVKM_VGPU_DMA_SEC_OP_IMMD_DATA_METHOD ?
		(u32)rng_below(r, 8) : *count) << NVKM_VGPU_DMA_COUNT_SHIFT |
	       (u32)rng_below(r, 8) << NVKM_VGPU_DMA_SUBCH_SHIFT |
	       method >> 2;
}

/* Method data: small numbers (sizes, short busy times) or anything. */
static u32 gen_data(struct rng *r, u64 base)
{
	switch (rng_below(r, 6)) {
	case 0:
		return rng_next(r);
	case 1:
		return base + CHAN_PB + 4 * rng_below(r, CHAN_PB_DW);
	case 2:
		return NVKM_VGPU_CLASS_COPY;
	case 3:
		return NVKM_VGPU_CLASS_SIM_BUSY;
	}
	return rng_below(r, 4096);
}

/*
 * A submission to channel @n's canonical place: a push buffer of random
 * methods, a GPFIFO entry for it, GP_PUT, and a doorbell.
 */
static void op_submit(struct fz_thread *t, struct slot *s, struct rng *r)
{
	unsigned int n = rng_below(r, CHANS_FUZZED);
	u64 base = chan_base(s, n), bar1 = vdev_offset(BAR1);
	u32 pb[64], len = 0, count, put, reg, entry[2];
	u64 pb_va = base + CHAN_PB;

	if (base + CHAN_STRIDE > s->fb_size)
		return;
	while (len < ARRAY_SIZE(pb) - 5) {
		u32 i;

		pb[len++] = gen_header(r, &count);
		for (i = 0; i < count; i++)
			pb[len++] = gen_data(r, base);
		if (rng_chance(r, 1, 3))
			break;
	}
	entry[0] = (u32)pb_va & NVKM_VGPU_GP_ENTRY0_GET_MASK;
	entry[1] = (u32)(pb_va >> 32) & NVKM_VGPU_GP_ENTRY1_GET_HI_MASK;
	entry[1] |= (rng_chance(r, 1, 8) ? (u32)rng_next(r) & 0x1fffff : len) <<
		    NVKM_VGPU_GP_ENTRY1_LENGTH_SHIFT;
	put = rng_below(r, CHAN_ENTRIES);
	trace(t, "submit %u dwords to channel place %u, entry %u", len, n, put);
	if (pwrite(s->d.fd, pb, 4 * len, bar1 + pb_va) < 0 ||
	    pwrite(s->d.fd, entry, 8, bar1 + base + CHAN_GPFIFO + 8 * put) < 0)
		return;
	put = rng_chance(r, 1, 8) ? (u32)rng_next(r) : (put + 1) % CHAN_ENTRIES;
	if (pwrite(s->d.fd, &put, 4,
		   bar1 + base + CHAN_USERD + NVKM_VGPU_USERD_GP_PUT) < 0)
		return;
	reg = rng_chance(r, 1, 2) ? NVKM_VGPU_REG_NOTIFY_CHANNEL_PENDING :
				    NVKM_VGPU_REG_DOORBELL(n);
	if (pwrite(s->d.fd, &n, 4, vdev_offset(BAR0) + reg) < 0)
		return;
}

/* ---- ioctls ---- */

/* An argsz around @exact: mostly right, sometimes short, huge or random. */
static u32 gen_argsz(struct rng *r, u32 minsz, u32 exact)
{
	switch (rng_below(r, 20)) {
	case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7:
	case 8: case 9: case 10: case 11: case 12: case 13: case 14:
		return exact;
	case 15:
		return minsz;
	case 16:
		return minsz - 1 - rng_below(r, minsz);
	case 17:
		return exact + rng_below(r, 64);
	case 18:
		return ~0u - rng_below(r, 16);
	default:
		return rng_next(r);
	}
}

/* The argument of an ioctl: at the end of its page, before the guard. */
static void *arg_at(struct fz_thread *t, size_t len)
{
	return t->arg + ARG_SIZE - (len < ARG_SIZE ? len : ARG_SIZE);
}

static u32 gen_index(struct rng *r, unsigned int nr)
{
	switch (rng_below(r, 8)) {
	case 0: case 1: case 2: case 3: case 4: case 5:
		return rng_below(r, nr + 2);
	case 6:
		return ~0u - rng_below(r, 4);
	default:
		return rng_next(r);
	}
}

static void op_get_info(struct fz_thread *t, struct slot *s, struct rng *r)
{
	struct vfio_device_info *info = arg_at(t, 256);

	fill(r, (u8 *)info, 256);
	info->argsz = gen_argsz(r, offsetof(struct vfio_device_info, num_irqs) + 4,
				sizeof(*info));
	trace(t, "GET_INFO argsz %#x", info->argsz);
	if (ioctl(s->d.fd, VFIO_DEVICE_GET_INFO, info) < 0)
		return;
}

static void op_region_info(struct fz_thread *t, struct slot *s, struct rng *r)
{
	struct vfio_region_info *info = arg_at(t, 256);

	fill(r, (u8 *)info, 256);
	info->argsz = gen_argsz(r, offsetof(struct vfio_region_info, offset) + 8,
				sizeof(*info));
	info->index = gen_index(r, VFIO_PCI_NUM_REGIONS);
	trace(t, "GET_REGION_INFO index %u argsz %#x", info->index, info->argsz);
	if (ioctl(s->d.fd, VFIO_DEVICE_GET_REGION_INFO, info) < 0)
		return;
}

static void op_irq_info(struct fz_thread *t, struct slot *s, struct rng *r)
{
	struct vfio_irq_info *info = arg_at(t, 64);

	fill(r, (u8 *)info, 64);
	info->argsz = gen_argsz(r, sizeof(*info), sizeof(*info));
	info->index = gen_index(r, VFIO_PCI_NUM_IRQS);
	trace(t, "GET_IRQ_INFO index %u argsz %#x", info->index, info->argsz);
	if (ioctl(s->d.fd, VFIO_DEVICE_GET_IRQ_INFO, info) < 0)
		return;
}

/* An eventfd for SET_IRQS: ours, one we closed, -1 or any number. */
static s32 gen_efd(struct fz_thread *t, struct rng *r)
{
	switch (rng_below(r, 10)) {
	case 0: case 1: case 2: case 3: case 4:
		return t->efd[rng_below(r, EFDS)];
	case 5: case 6:
		return t->stale[rng_below(r, EFDS)];
	case 7:
		return -1;
	case 8:
		return rng_below(r, 64);
	default:
		return rng_next(r);
	}
}

/*
 * VFIO_DEVICE_SET_IRQS. Count 0 with DATA_BOOL or DATA_EVENTFD on INTx,
 * MSI and REQ comes up often: it is the corner the VFIO core leaves to the
 * driver (it hands over no payload).
 */
static void op_set_irqs(struct fz_thread *t, struct slot *s, struct rng *r)
{
	static const u32 indexes[] = {
		VFIO_PCI_INTX_IRQ_INDEX, VFIO_PCI_INTX_IRQ_INDEX,
		VFIO_PCI_INTX_IRQ_INDEX, VFIO_PCI_MSI_IRQ_INDEX,
		VFIO_PCI_MSI_IRQ_INDEX, VFIO_PCI_MSIX_IRQ_INDEX,
		VFIO_PCI_ERR_IRQ_INDEX, VFIO_PCI_REQ_IRQ_INDEX,
		VFIO_PCI_REQ_IRQ_INDEX,
	};
	static const u32 types[] = {
		VFIO_IRQ_SET_DATA_NONE, VFIO_IRQ_SET_DATA_NONE,
		VFIO_IRQ_SET_DATA_BOOL, VFIO_IRQ_SET_DATA_BOOL,
		VFIO_IRQ_SET_DATA_EVENTFD, VFIO_IRQ_SET_DATA_EVENTFD,
		VFIO_IRQ_SET_DATA_EVENTFD,
	};
	static const u32 actions[] = {
		VFIO_IRQ_SET_ACTION_MASK, VFIO_IRQ_SET_ACTION_UNMASK,
		VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_IRQ_SET_ACTION_TRIGGER,
		VFIO_IRQ_SET_ACTION_TRIGGER,
	};
	const u32 minsz = offsetof(struct vfio_irq_set, count) + 4;
	struct vfio_irq_set *set;
	u32 index, flags, start, count, size, n, i;
	char data[64];
	int dl = 0;
	u8 *payload;

	if (rng_chance(r, 9, 10))
		index = indexes[rng_below(r, ARRAY_SIZE(indexes))];
	else
		index = gen_index(r, VFIO_PCI_NUM_IRQS);
	if (rng_chance(r, 19, 20))
		flags = types[rng_below(r, ARRAY_SIZE(types))];
	else
		flags = rng_below(r, 8);
	if (rng_chance(r, 19, 20))
		flags |= actions[rng_below(r, ARRAY_SIZE(actions))];
	else
		flags |= rng_below(r, 8) << 3;
	if (rng_chance(r, 1, 30))
		flags |= rng_next(r) << 6;
	start = rng_chance(r, 17, 20) ? 0 : rng_chance(r, 2, 3) ? 1 : rng_next(r);
	switch (rng_below(r, 20)) {
	case 0: case 1: case 2: case 3: case 4: case 5: case 6:
		count = 0;
		break;
	case 7: case 8: case 9: case 10: case 11: case 12: case 13:
	case 14: case 15: case 16:
		count = 1;
		break;
	case 17:
		count = 2 + rng_below(r, 8);
		break;
	case 18:
		count = ~0u - start - rng_below(r, 2);
		break;
	default:
		count = rng_next(r);
	}
	size = flags & VFIO_IRQ_SET_DATA_BOOL ? 1 :
	       flags & VFIO_IRQ_SET_DATA_EVENTFD ? 4 : 0;
	/* Payload: as much as the count asks for, within the argument page. */
	n = count < 16 ? count : 16;
	set = arg_at(t, minsz + 64);
	payload = (u8 *)set + minsz;
	fill(r, payload, 64);
	for (i = 0; i < n; i++) {
		if (size == 4) {
			s32 fd = gen_efd(t, r);

			memcpy(payload + 4 * i, &fd, 4);
			dl += snprintf(data + dl, sizeof(data) - dl, "%s%d",
				       i ? "," : "", fd);
		} else if (size == 1) {
			payload[i] = rng_chance(r, 1, 4) ? rng_next(r) :
				     rng_below(r, 2);
			dl += snprintf(data + dl, sizeof(data) - dl, "%s%u",
				       i ? "," : "", payload[i]);
		}
		if (dl >= (int)sizeof(data))
			dl = sizeof(data) - 1;
	}
	data[dl] = '\0';
	set->flags = flags;
	set->index = index;
	set->start = start;
	set->count = count;
	set->argsz = gen_argsz(r, minsz, minsz + (u64)n * size);
	trace(t, "SET_IRQS index %u flags %#x start %u count %u argsz %#x data [%s]",
	      index, flags, start, count, set->argsz, data);
	t->st.set_irqs++;
	if (!ioctl(s->d.fd, VFIO_DEVICE_SET_IRQS, set))
		t->st.set_irqs_ok++;
}

static void op_unknown_ioctl(struct fz_thread *t, struct slot *s,
			     struct rng *r)
{
	unsigned long cmd;
	u8 *arg = arg_at(t, 256);

	fill(r, arg, 256);
	switch (rng_below(r, 4)) {
	case 0:
		/* Past the device's own: 112 on are the VFIO core's or none. */
		cmd = _IO(VFIO_TYPE, VFIO_NR_FIRST + 12 + rng_below(r, 20));
		break;
	case 1:
		cmd = _IOC(rng_below(r, 4), VFIO_TYPE, rng_below(r, 256),
			   rng_below(r, 256));
		break;
	case 2:
		/* The device's own numbers with other directions and sizes. */
		cmd = _IOC(1 + rng_below(r, 3), VFIO_TYPE,
			   VFIO_NR_FIRST + 7 + rng_below(r, 5), rng_below(r, 64));
		break;
	default:
		cmd = (u32)rng_next(r);
		/* Keep away from the VFS's own (FIOCLEX, FIONBIO, FIOASYNC, ...). */
		if ((cmd >> 8 & 0xff) == 'T' || (cmd >> 8 & 0xff) == 0x54 ||
		    (cmd >> 8 & 0xff) == 'f' || (cmd >> 8 & 0xff) == 'X' ||
		    (cmd >> 8 & 0xff) == 0x94)
			cmd ^= 0x100;
	}
	trace(t, "ioctl %#lx", cmd);
	if (ioctl(s->d.fd, cmd, arg) < 0)
		return;
}

/* ---- BAR1 mappings ---- */

static void op_mmap(struct fz_thread *t, struct slot *s, struct rng *r)
{
	u64 size = s->d.region[BAR1].size;
	u64 off, len, pos;
	unsigned int index = BAR1, i;
	int flags = MAP_SHARED, prot = PROT_READ | PROT_WRITE;
	struct fz_map *m;
	void *p;

	switch (rng_below(r, 10)) {
	case 0: case 1: case 2: case 3: case 4: case 5:
		off = rng_below(r, size < (64ull << 20) ? size : 64ull << 20) & ~(PAGE - 1);
		break;
	case 6:
		off = (s->fb_size - PAGE * rng_below(r, 4)) & ~(PAGE - 1);
		break;
	case 7:
		off = rng_below(r, size) | (1 + rng_below(r, PAGE - 1));
		break;
	case 8:
		off = size - PAGE * rng_below(r, 3);
		break;
	default:
		off = absurd_off(r) & ~(PAGE - 1);
	}
	switch (rng_below(r, 20)) {
	case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7:
	case 8: case 9: case 10: case 11:
		len = PAGE * (1 + rng_below(r, 16));
		break;
	case 12: case 13: case 14: case 15:
		len = 1 + rng_below(r, 4 << 20);
		break;
	case 16: case 17:
		len = 64ull << 20;
		break;
	case 18:
		len = size;
		break;
	default:
		len = rng_chance(r, 1, 2) ? 0 : 1ull << (30 + rng_below(r, 18));
	}
	if (rng_chance(r, 1, 10))
		index = rng_chance(r, 1, 2) ? rng_below(r, VFIO_PCI_NUM_REGIONS) :
					      rng_next(r) & 0xffffff;
	if (rng_chance(r, 1, 10))
		flags = MAP_PRIVATE;
	switch (rng_below(r, 20)) {
	case 0: case 1:
		prot = PROT_READ;
		break;
	case 2:
		prot = PROT_NONE;
		break;
	case 3:
		prot = PROT_WRITE;
		break;
	}
	pos = off >= (1ull << 40) ? off : vdev_offset(index) + off;
	/* Room for it: the oldest mapping goes. */
	for (i = 0; i < MAPS && s->map[i].addr; i++)
		;
	if (i == MAPS) {
		munmap(s->map[0].addr, s->map[0].len);
		memmove(&s->map[0], &s->map[1], sizeof(s->map[0]) * (MAPS - 1));
		i = MAPS - 1;
		s->map[i].addr = NULL;
	}
	trace(t, "mmap index %u off %#llx len %#llx prot %d flags %#x",
	      index, (unsigned long long)off, (unsigned long long)len, prot,
	      flags);
	p = mmap(NULL, len, prot, flags, s->d.fd, pos);
	if (p == MAP_FAILED)
		return;
	m = &s->map[i];
	m->addr = p;
	m->len = len;
	m->prot = prot;
	t->st.maps++;
}

static struct fz_map *map_pick(struct slot *s, struct rng *r)
{
	unsigned int i, first = rng_below(r, MAPS);

	for (i = 0; i < MAPS; i++) {
		struct fz_map *m = &s->map[(first + i) % MAPS];

		if (m->addr)
			return m;
	}
	return NULL;
}

static void op_munmap(struct fz_thread *t, struct slot *s, struct rng *r)
{
	struct fz_map *m = map_pick(s, r);
	u64 pages, cut;

	if (!m)
		return;
	pages = (m->len + PAGE - 1) / PAGE;
	cut = 1 + rng_below(r, pages);
	switch (rng_below(r, 5)) {
	case 0:
		if (cut >= pages)
			goto whole;
		/* The first @cut pages. */
		trace(t, "munmap head %p %#llx", m->addr,
		      (unsigned long long)(cut * PAGE));
		munmap(m->addr, cut * PAGE);
		m->addr += cut * PAGE;
		m->len = pages * PAGE - cut * PAGE;
		return;
	case 1:
		if (cut >= pages)
			goto whole;
		/* The last @cut pages. */
		trace(t, "munmap tail %p %#llx", m->addr + (pages - cut) * PAGE,
		      (unsigned long long)(cut * PAGE));
		munmap(m->addr + (pages - cut) * PAGE, cut * PAGE);
		m->len = (pages - cut) * PAGE;
		return;
	}
whole:
	trace(t, "munmap %p %#llx", m->addr, (unsigned long long)m->len);
	munmap(m->addr, m->len);
	m->addr = NULL;
}

static void fault_handler(int sig)
{
	if (LOAD(fz_touching)) {
		STORE(fz_fault, sig);
		siglongjmp(fz_jmp, 1);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static __noinline void touch_accesses(const struct fz_map *m, struct rng *r,
				      unsigned int n)
{
	unsigned int i;
	u64 off, *p;

	for (i = 0; i < n; i++) {
		if (rng_chance(r, 1, 2))
			off = rng_below(r, m->len < 4 * PAGE ? m->len : 4 * PAGE);
		else
			off = rng_below(r, m->len);
		off &= ~7ull;
		if (off + 8 > m->len)
			continue;
		/* Atomic accesses: the compiler may not drop or merge them. */
		p = (u64 *)(m->addr + off);
		if ((m->prot & PROT_WRITE) && rng_chance(r, 1, 2))
			__atomic_store_n(p, rng_next(r), __ATOMIC_RELAXED);
		else
			__atomic_load_n(p, __ATOMIC_RELAXED);
	}
}

/* Reads and writes in a mapping; a fault ends the touch and is counted. */
static void op_touch(struct fz_thread *t, struct slot *s, struct rng *r)
{
	struct fz_map *m = map_pick(s, r);
	unsigned int n = 1 + rng_below(r, 8);

	if (!m || !(m->prot & PROT_READ))
		return;
	trace(t, "touch %p len %#llx x%u", m->addr, (unsigned long long)m->len,
	      n);
	t->st.touches++;
	STORE(fz_fault, 0);
	STORE(fz_touching, 1);
	if (sigsetjmp(fz_jmp, 1)) {
		STORE(fz_touching, 0);
		if (LOAD(fz_fault) == SIGBUS)
			t->st.sigbus++;
		else
			t->st.sigsegv++;
		return;
	}
	touch_accesses(m, r, n);
	STORE(fz_touching, 0);
}

/* ---- the device threads ---- */

enum dev_op {
	OP_CFG_RD, OP_CFG_WR, OP_BAR0_RD, OP_BAR0_WR, OP_BAR1_RD, OP_BAR1_WR,
	OP_ODD_RW, OP_GET_INFO, OP_REGION_INFO, OP_IRQ_INFO, OP_SET_IRQS,
	OP_RESET, OP_IOCTL, OP_MMAP, OP_MUNMAP, OP_TOUCH, OP_ENABLE,
	OP_EFD_CYCLE, OP_EFD_DRAIN, OP_REOPEN, OP_RECREATE, OP_MBOX,
	OP_SUBMIT, OP_NR,
};

static const unsigned int dev_weights[OP_NR] = {
	[OP_CFG_RD] = 80, [OP_CFG_WR] = 50, [OP_BAR0_RD] = 80,
	[OP_BAR0_WR] = 70, [OP_BAR1_RD] = 50, [OP_BAR1_WR] = 50,
	[OP_ODD_RW] = 40, [OP_GET_INFO] = 20, [OP_REGION_INFO] = 30,
	[OP_IRQ_INFO] = 30, [OP_SET_IRQS] = 140, [OP_RESET] = 25,
	[OP_IOCTL] = 30, [OP_MMAP] = 60, [OP_MUNMAP] = 25, [OP_TOUCH] = 90,
	[OP_ENABLE] = 35, [OP_EFD_CYCLE] = 15, [OP_EFD_DRAIN] = 15,
	[OP_REOPEN] = 20, [OP_RECREATE] = 8, [OP_MBOX] = 40, [OP_SUBMIT] = 50,
};

static unsigned int pick(struct rng *r, const unsigned int *w, unsigned int n)
{
	unsigned int total = 0, i;
	u64 x;

	for (i = 0; i < n; i++)
		total += w[i];
	x = rng_below(r, total);
	for (i = 0; i < n; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

static void dev_op(struct fz_thread *t, u64 seed)
{
	struct rng r = { seed }, prep;
	unsigned int kind = pick(&r, dev_weights, OP_NR);
	unsigned int n = rng_below(&r, SLOTS);
	struct slot *s = &t->slot[n];
	unsigned int i;
	u64 v;

	prep.s = rng_next(&r);
	slots_check_doomed(t);
	switch (kind) {
	case OP_EFD_CYCLE:
		i = rng_below(&r, EFDS);
		trace(t, "eventfd %u: close %d, make another", i, t->efd[i]);
		close(t->efd[i]);
		t->stale[i] = t->efd[i];
		t->efd[i] = efd_new();
		return;
	case OP_EFD_DRAIN:
		trace(t, "eventfds: read");
		for (i = 0; i < EFDS; i++)
			if (read(t->efd[i], &v, sizeof(v)) < 0)
				continue;
		return;
	case OP_REOPEN:
		trace(t, "slot %u: close (maps kept: %d)", n, (int)(seed & 1));
		slot_close(s, seed & 1);
		return;
	case OP_RECREATE:
		if (s->mdev < 0 || mdev_doomed(s->mdev))
			return;
		trace(t, "slot %u: close, remove %s", n, fz_mdevs[s->mdev].uuid);
		slot_close(s, false);
		t->st.removes++;
		if (mdev_slot_remove(s->mdev))
			s->mdev = -1;
		return;
	case OP_MUNMAP:
		/* Mappings outlive a close: these need no open device. */
		op_munmap(t, s, &r);
		return;
	case OP_TOUCH:
		if (!maps_any(s))
			s = &t->slot[n ^ 1];
		op_touch(t, s, &r);
		return;
	}
	if (!slot_ready(t, n, &prep))
		return;
	t->st.ready++;
	switch (kind) {
	case OP_CFG_RD:
		op_rw(t, s, &r, CFG, false);
		break;
	case OP_CFG_WR:
		op_cfg_write(t, s, &r);
		break;
	case OP_BAR0_RD:
		op_rw(t, s, &r, BAR0, false);
		break;
	case OP_BAR0_WR:
		op_bar0_write(t, s, &r);
		break;
	case OP_BAR1_RD:
		op_rw(t, s, &r, BAR1, false);
		break;
	case OP_BAR1_WR:
		op_rw(t, s, &r, BAR1, true);
		break;
	case OP_ODD_RW:
		/* A region index the device does not have. */
		if (rng_chance(&r, 1, 2))
			i = VFIO_PCI_NUM_REGIONS + rng_below(&r, 8);
		else
			i = rng_next(&r) & 0xffffff;
		op_rw(t, s, &r, i, rng_chance(&r, 1, 2));
		break;
	case OP_GET_INFO:
		op_get_info(t, s, &r);
		break;
	case OP_REGION_INFO:
		op_region_info(t, s, &r);
		break;
	case OP_IRQ_INFO:
		op_irq_info(t, s, &r);
		break;
	case OP_SET_IRQS:
		op_set_irqs(t, s, &r);
		break;
	case OP_RESET:
		trace(t, "RESET");
		t->st.resets++;
		if (ioctl(s->d.fd, VFIO_DEVICE_RESET) < 0)
			break;
		break;
	case OP_IOCTL:
		op_unknown_ioctl(t, s, &r);
		break;
	case OP_MMAP:
		op_mmap(t, s, &r);
		break;
	case OP_ENABLE:
		trace(t, "enable memory, bus master, D0");
		slot_enable(s);
		break;
	case OP_MBOX:
		op_mbox(t, s, &r);
		break;
	case OP_SUBMIT:
		op_submit(t, s, &r);
		break;
	}
}

static void dev_thread_fini(struct fz_thread *t)
{
	unsigned int i;
	u64 t0;

	for (i = 0; i < SLOTS; i++) {
		struct slot *s = &t->slot[i];

		slot_close(s, false);
		if (s->mdev < 0)
			continue;
		trace(t, "slot %u: remove %s (finishing)", i,
		      fz_mdevs[s->mdev].uuid);
		/* Refused while its GPU goes (ENODEV): wait for that. */
		for (t0 = now_us(); now_us() - t0 < 60000000ull; usleep(50000)) {
			if (mdev_slot_remove(s->mdev)) {
				s->mdev = -1;
				break;
			}
		}
	}
	for (i = 0; i < EFDS; i++)
		close(t->efd[i]);
}

static void *dev_thread(void *arg)
{
	struct fz_thread *t = arg;
	unsigned int i;

	for (i = 0; i < EFDS; i++) {
		t->efd[i] = efd_new();
		t->stale[i] = 1000 + i;
	}
	for (i = 0; i < SLOTS; i++)
		t->slot[i].mdev = -1;
	while (t->ops < fz_ops && !LOAD(fz_time_up) && !LOAD(fz_stop)) {
		STORE(t->progress_us, now_us());
		dev_op(t, rng_next(&t->rng));
		INC(t->ops);
	}
	trace(t, "finishing");
	dev_thread_fini(t);
	trace(t, "done");
	STORE(t->done, 1);
	return NULL;
}

/* ---- the churn thread: vGPUs of its own, others' removed, sysfs ---- */

static void churn_sysfs(struct fz_thread *t, struct rng *r)
{
	static const char *const parent_knobs[] = {
		"vgpus", "board", "placement", "fb_free_mib", "chids_free",
		"scheduler", "timeslice_ms",
	};
	static const char *const mdev_attrs[] = {
		"type", "placement", "fb_size", "fb_offset", "chids",
		"engines", "weight", "interrupts",
	};
	static const char *const type_attrs[] = {
		"available_instances", "name", "description", "device_api",
	};
	struct vgpu_parent p;
	char path[512], buf[256];
	unsigned int gen, i = rng_below(r, MDEVS_MAX);
	u64 what = rng_below(r, 3);

	if (!parent_get(rng_below(r, P_NR), &p, &gen))
		p = fz_parent[P_TINY];
	if (what == 0) {
		snprintf(path, sizeof(path), "%s/nvkm_vgpu/%s", p.path,
			 parent_knobs[rng_below(r, ARRAY_SIZE(parent_knobs))]);
	} else if (what == 1 && p.nr_types) {
		snprintf(path, sizeof(path), "%s/mdev_supported_types/%s%s/%s",
			 p.path, p.prefix, p.types[rng_below(r, p.nr_types)],
			 type_attrs[rng_below(r, ARRAY_SIZE(type_attrs))]);
	} else {
		char uuid[UUID_LEN + 1];

		pthread_mutex_lock(&fz_mdev_lock);
		snprintf(uuid, sizeof(uuid), "%s", fz_mdevs[i].uuid);
		pthread_mutex_unlock(&fz_mdev_lock);
		snprintf(path, sizeof(path), MDEV_DEV_DIR "/%.36s/nvkm_vgpu/%s",
			 uuid, mdev_attrs[rng_below(r, ARRAY_SIZE(mdev_attrs))]);
	}
	trace(t, "read %.120s", path);
	sysfs_read(path, buf, sizeof(buf));
}

/* Removes a device thread's vGPU; the owner lets go when it sees. */
static void churn_remove_other(struct fz_thread *t, struct rng *r)
{
	unsigned int first = rng_below(r, MDEVS_MAX), k;
	char uuid[UUID_LEN + 1] = "", path[256], owner[8] = "";
	int i = -1;

	pthread_mutex_lock(&fz_mdev_lock);
	for (k = 0; k < MDEVS_MAX; k++) {
		struct fz_mdev *m = &fz_mdevs[(first + k) % MDEVS_MAX];

		if (m->owner >= 0 && (unsigned int)m->owner < fz_nr_dev &&
		    !m->doomed) {
			i = (first + k) % MDEVS_MAX;
			snprintf(uuid, sizeof(uuid), "%s", m->uuid);
			snprintf(owner, sizeof(owner), "%s",
				 fz_threads[m->owner].name);
			STORE(m->doomed, 1);
			break;
		}
	}
	pthread_mutex_unlock(&fz_mdev_lock);
	if (i < 0)
		return;
	trace(t, "remove %s of %s", uuid, owner);
	snprintf(path, sizeof(path), MDEV_DEV_DIR "/%.36s/remove", uuid);
	sysfs_write(path, "1");
	t->st.removes++;
	pthread_mutex_lock(&fz_mdev_lock);
	if (!strcmp(fz_mdevs[i].uuid, uuid))
		STORE(fz_mdevs[i].doomed, 0);
	pthread_mutex_unlock(&fz_mdev_lock);
}

/* An own vGPU, picked at random; -1 if there is none. */
static int churn_own(struct fz_thread *t, struct rng *r, unsigned int *n)
{
	unsigned int first = rng_below(r, MDEVS_MAX), k;
	int found = -1;

	*n = 0;
	for (k = 0; k < MDEVS_MAX; k++) {
		unsigned int i = (first + k) % MDEVS_MAX;

		if (LOAD(fz_mdevs[i].owner) == (int)t->idx) {
			(*n)++;
			if (found < 0)
				found = i;
		}
	}
	return found;
}

static void churn_op(struct fz_thread *t, u64 seed)
{
	struct rng r = { seed };
	u64 kind = rng_below(&r, 100), a = rng_next(&r), b = rng_next(&r);
	unsigned int own, which = rng_below(&r, 10);
	int i = churn_own(t, &r, &own);
	struct vdev d;
	u32 magic;

	which = which < 4 ? P_TINY : which < 6 ? P_H100 : P_HOT;
	if (kind < 35 && own >= CHURN_OWN_MAX)
		kind = 40;
	if (kind < 35) {
		mdev_make(t, which, a, b);
	} else if (kind < 60) {
		if (i < 0)
			return;
		trace(t, "remove own %s", fz_mdevs[i].uuid);
		mdev_slot_remove(i);
		t->st.removes++;
	} else if (kind < 70) {
		churn_remove_other(t, &r);
	} else if (kind < 95) {
		churn_sysfs(t, &r);
	} else {
		if (i < 0 || mdev_doomed(i))
			return;
		trace(t, "open own %s, read BAR0, close", fz_mdevs[i].uuid);
		pthread_mutex_lock(&fz_lib_lock);
		if (vdev_open(&d, fz_mdevs[i].uuid)) {
			pthread_mutex_unlock(&fz_lib_lock);
			return;
		}
		pthread_mutex_unlock(&fz_lib_lock);
		cfg_enable(&d, PCI_COMMAND_MEMORY);
		if (pread(d.fd, &magic, 4, vdev_offset(BAR0) + NVKM_VGPU_REG_MAGIC) == 4 &&
		    magic == NVKM_VGPU_MAGIC)
			t->st.ready++;
		pthread_mutex_lock(&fz_lib_lock);
		vdev_close(&d);
		pthread_mutex_unlock(&fz_lib_lock);
	}
}

static void *churn_thread(void *arg)
{
	struct fz_thread *t = arg;
	unsigned int own, k;
	struct rng none = { 0 };

	while (!LOAD(fz_stop)) {
		u64 seed = rng_next(&t->rng);

		STORE(t->progress_us, now_us());
		churn_op(t, seed);
		INC(t->ops);
		usleep(1000 * (seed >> 60));
	}
	trace(t, "finishing");
	for (k = 0; k < MDEVS_MAX; k++) {
		int i = churn_own(t, &none, &own);

		if (i < 0)
			break;
		if (!mdev_slot_remove(i))
			usleep(50000);
	}
	trace(t, "done");
	STORE(t->done, 1);
	return NULL;
}

/* ---- the hotplug thread: a simulated GPU added and deleted ---- */

static unsigned int sim_ids(long *ids)
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

/* Adds a simulated GPU; returns its N, or a negative errno. */
static long sim_add(const char *preset, struct vgpu_parent *p)
{
	long before[SIM_MAX], after[SIM_MAX], found = -ENOENT;
	unsigned int nb = sim_ids(before), na, i, j;
	char path[256];
	int ret;

	ret = sysfs_write(SIM_NEW, preset);
	if (ret)
		return ret;
	na = sim_ids(after);
	for (i = 0; i < na; i++) {
		for (j = 0; j < nb && before[j] != after[i]; j++)
			;
		if (j == nb)
			found = after[i];
	}
	if (found < 0)
		return found;
	snprintf(path, sizeof(path), SIM_DEVS "/nvkm_vgpu_sim%ld", found);
	ret = parent_find_under(path, p);
	if (ret) {
		/* Not usable: delete it again. */
		snprintf(path, sizeof(path), "%ld", found);
		sysfs_write(SIM_DEL, path);
		return ret;
	}
	return found;
}

static int sim_del(long id)
{
	char val[32];

	snprintf(val, sizeof(val), "%ld", id);
	return sysfs_write(SIM_DEL, val);
}

static void hot_delete(struct fz_thread *t)
{
	long id;
	u64 t0, ms;

	pthread_mutex_lock(&fz_hot_lock);
	id = fz_hot_id;
	STORE(fz_hot_doomed, fz_hot_gen);
	pthread_mutex_unlock(&fz_hot_lock);
	if (id < 0)
		return;
	trace(t, "del_device %ld (generation %u)", id, fz_hot_gen);
	t0 = now_us();
	sim_del(id);
	ms = (now_us() - t0) / 1000;
	if (ms > t->st.del_max_ms)
		t->st.del_max_ms = ms;
	t->st.gpus_deleted++;
	pthread_mutex_lock(&fz_hot_lock);
	fz_hot_present = false;
	fz_hot_id = -1;
	pthread_mutex_unlock(&fz_hot_lock);
}

static void hot_op(struct fz_thread *t, u64 seed)
{
	static const char *const presets[] = {
		"tiny", "tiny", "tiny", "tiny", "tiny", "tiny", "tiny",
		"a16-16gb", "a16-16gb", "h100-80gb", "l40s-48gb",
	};
	static const char *const bad[] = {
		"bogus", "", "tiny\ntiny", "h100-80gb ", "-1", "99999",
		"4294967296", "0x1", " 1",
	};
	struct rng r = { seed };
	u64 kind = rng_below(&r, 10);
	const char *preset = presets[rng_below(&r, ARRAY_SIZE(presets))];
	unsigned int ms = 100 + rng_below(&r, 1900);
	struct vgpu_parent p;
	unsigned int k;
	long id;

	if (kind == 0) {
		const char *b = bad[rng_below(&r, ARRAY_SIZE(bad))];
		bool add = rng_chance(&r, 1, 2);

		trace(t, "%s \"%s\"", add ? "new_device" : "del_device", b);
		if (add)
			sysfs_write(SIM_NEW, b);
		else
			sysfs_write(SIM_DEL, b);
		return;
	}
	trace(t, "new_device %s", preset);
	id = sim_add(preset, &p);
	if (id < 0)
		return;
	t->st.gpus_added++;
	pthread_mutex_lock(&fz_hot_lock);
	fz_parent[P_HOT] = p;
	fz_hot_id = id;
	fz_hot_gen++;
	fz_hot_present = true;
	pthread_mutex_unlock(&fz_hot_lock);
	/* Let vGPUs come on it; once in ten, none. */
	if (kind > 1)
		for (k = 0; k < ms / 50 && !LOAD(fz_stop); k++)
			usleep(50000);
	hot_delete(t);
}

static void *hot_thread(void *arg)
{
	struct fz_thread *t = arg;

	while (!LOAD(fz_stop)) {
		STORE(t->progress_us, now_us());
		hot_op(t, rng_next(&t->rng));
		INC(t->ops);
	}
	trace(t, "done");
	STORE(t->done, 1);
	return NULL;
}

/* ---- cleanup on a signal or the watchdog ---- */

static void fz_cleanup(void)
{
	unsigned int k, i;
	char path[256];
	int fd;
	ssize_t ignored;

	STORE(fz_stop, 1);
	/* The threads let go of what they hold, given a little time. */
	for (k = 0; k < 50; k++) {
		for (i = 0; i < fz_nr && (!fz_threads[i].started ||
					  LOAD(fz_threads[i].done)); i++)
			;
		if (i == fz_nr)
			break;
		usleep(100000);
	}
	for (i = 0; i < fz_nr; i++)
		for (k = 0; k < SLOTS; k++) {
			struct slot *s = &fz_threads[i].slot[k];
			unsigned int j;

			for (j = 0; j < MAPS; j++)
				if (s->map[j].addr)
					munmap(s->map[j].addr, s->map[j].len);
		}
	for (i = 0; i < MDEVS_MAX; i++) {
		if (fz_mdevs[i].owner < 0)
			continue;
		snprintf(path, sizeof(path), MDEV_DEV_DIR "/%.36s/remove",
			 fz_mdevs[i].uuid);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			ignored = write(fd, "1", 1);
			(void)ignored;
			close(fd);
		}
	}
	if (fz_hot_id >= 0) {
		char val[32];

		snprintf(val, sizeof(val), "%ld", fz_hot_id);
		fd = open(SIM_DEL, O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			ignored = write(fd, val, strlen(val));
			(void)ignored;
			close(fd);
		}
	}
}

/*
 * SIGTERM, SIGINT, the watchdog: on the main thread only (the others block
 * them). The threads are stopped first, so that they let go of their
 * devices and remove their vGPUs themselves, then the common cleanup runs.
 */
static void fz_signal(int sig)
{
	static const char msg[] = "Bail out! fuzz: watchdog or signal: stopping, cleaning up\n";
	ssize_t ignored;

	ignored = write(STDOUT_FILENO, msg, sizeof(msg) - 1);
	(void)ignored;
	fz_cleanup();
	vgpu_cleanup();
	_exit(128 + sig);
}

/* ---- checks ---- */

struct avail {
	unsigned int n;
	char type[2 * PARENT_TYPES_MAX][48];
	long long count[2 * PARENT_TYPES_MAX];
};

static void avail_snap(struct avail *a)
{
	unsigned int w, i;

	a->n = 0;
	for (w = P_TINY; w <= P_H100; w++)
		for (i = 0; i < fz_parent[w].nr_types; i++) {
			snprintf(a->type[a->n], sizeof(a->type[0]), "%s",
				 fz_parent[w].types[i]);
			a->count[a->n++] = type_available(&fz_parent[w],
							  fz_parent[w].types[i]);
		}
}

static bool avail_same(const struct avail *before)
{
	struct avail now;
	unsigned int i;
	bool ok = true;

	avail_snap(&now);
	for (i = 0; i < before->n && i < now.n; i++) {
		if (before->count[i] != now.count[i] ||
		    strcmp(before->type[i], now.type[i])) {
			tap_diag("  %s: available_instances %lld, was %lld",
				 now.type[i], now.count[i], before->count[i]);
			ok = false;
		}
	}
	return ok && before->n == now.n;
}

/* What this process still holds of VFIO: fds and mappings. */
static unsigned int holdings_diag(void)
{
	char path[300], target[256], line[512];
	unsigned int n = 0;
	struct dirent *de;
	DIR *dir;
	FILE *f;
	ssize_t len;

	dir = opendir("/proc/self/fd");
	while (dir && (de = readdir(dir))) {
		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		len = readlink(path, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		if (strstr(target, "vfio")) {
			tap_diag("  fd %s: %s", de->d_name, target);
			n++;
		}
	}
	if (dir)
		closedir(dir);
	f = fopen("/proc/self/maps", "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (strstr(line, "vfio")) {
			line[strcspn(line, "\n")] = '\0';
			tap_diag("  mapped: %s", line);
			n++;
		}
	}
	if (f)
		fclose(f);
	return n;
}

static bool parents_idle(void)
{
	return parent_ull(&fz_parent[P_TINY], "vgpus") == 0 &&
	       parent_ull(&fz_parent[P_H100], "vgpus") == 0;
}

/*
 * A slice goes back when the vGPU's VFIO device is released, which may be
 * a little after its removal returned (1 to 4 s with
 * DEBUG_KOBJECT_RELEASE): waits up to IDLE_S for both GPUs to be idle.
 */
static bool wait_idle(const char *what)
{
	u64 t0 = now_us();
	bool idle;

	while (!(idle = parents_idle()) && now_us() - t0 < IDLE_S * 1000000ull)
		usleep(100000);
	if (!tap_check(idle, "%s: the tiny and h100 GPUs are idle (%llu ms; vGPUs %lld, %lld)",
		       what, (unsigned long long)(now_us() - t0) / 1000,
		       parent_ull(&fz_parent[P_TINY], "vgpus"),
		       parent_ull(&fz_parent[P_H100], "vgpus")))
		tap_diag("  this process holds %u VFIO fds and mappings",
			 holdings_diag());
	return idle;
}

/* A fresh vGPU of the smallest type of @p opens and answers. */
static void check_fresh(const struct vgpu_parent *p, const char *what)
{
	const char *type = type_pick(p, 1, 0);
	struct vdev d;
	u32 vendor = 0, magic = 0;
	int ret;

	if (!type) {
		tap_check(false, "%s: has types", what);
		return;
	}
	ret = vgpu_new(&d, p, type);
	if (!tap_errno(ret, 0, "%s: a fresh %s is created and opened", what, type))
		return;
	cfg_read(&d, PCI_VENDOR_ID, 2, &vendor);
	bar0_read(&d, NVKM_VGPU_REG_MAGIC, &magic);
	tap_check(vendor == 0x10de && magic == NVKM_VGPU_MAGIC,
		  "%s: it reads vendor %#x (want 0x10de) and BAR0 magic %#x (want %#x)",
		  what, vendor, magic, NVKM_VGPU_MAGIC);
	tap_errno(vgpu_del(&d), 0, "%s: it is closed and removed", what);
}

static void check_new_gpu(void)
{
	struct vgpu_parent p;
	long id = sim_add("tiny", &p);

	if (!tap_check(id >= 0, "new_device tiny still adds a GPU (%ld)", id))
		return;
	fz_hot_id = id;
	check_fresh(&p, "the added GPU");
	tap_errno(sim_del(id), 0, "del_device %ld deletes it", id);
	fz_hot_id = -1;
}

static void thread_diag(const struct fz_thread *t)
{
	const struct stats *s = &t->st;

	tap_diag("%s: %llu ops, %llu on an open vGPU, %llu resets, %llu SET_IRQS (%llu ok)",
		 t->name, (unsigned long long)t->ops,
		 (unsigned long long)s->ready, (unsigned long long)s->resets,
		 (unsigned long long)s->set_irqs,
		 (unsigned long long)s->set_irqs_ok);
	tap_diag("%s: vGPUs %llu made, %llu refused; %llu opened, %llu refused",
		 t->name, (unsigned long long)s->creates,
		 (unsigned long long)s->create_fails,
		 (unsigned long long)s->opens,
		 (unsigned long long)s->open_fails);
	tap_diag("%s: %llu removed, %llu let go for another's removal",
		 t->name, (unsigned long long)s->removes,
		 (unsigned long long)s->released);
	tap_diag("%s: %llu maps, %llu touches, %llu SIGBUS, %llu SIGSEGV",
		 t->name, (unsigned long long)s->maps,
		 (unsigned long long)s->touches,
		 (unsigned long long)s->sigbus,
		 (unsigned long long)s->sigsegv);
}

static void ops_check(u64 start)
{
	u64 total = 0;
	unsigned int i;

	for (i = 0; i < fz_nr_dev; i++)
		total += fz_threads[i].ops;
	tap_check(true, "%llu operations in %u device threads (%llu each at most), %llu s, no hang",
		  (unsigned long long)total, fz_nr_dev,
		  (unsigned long long)fz_ops,
		  (unsigned long long)(now_us() - start) / 1000000);
	if (total < fz_ops * fz_nr_dev)
		tap_diag("the time limit cut the operations short");
}

static void stats_diag(void)
{
	const struct fz_thread *c = &fz_threads[fz_nr_dev];
	const struct fz_thread *h = &fz_threads[fz_nr_dev + 1];
	struct stats sum = { 0 };
	unsigned int i;

	for (i = 0; i < fz_nr_dev; i++) {
		thread_diag(&fz_threads[i]);
		sum.sigsegv += fz_threads[i].st.sigsegv;
	}
	tap_diag("churn: %llu ops; %llu creates (%llu refused), %llu removes, %llu reads of magic",
		 (unsigned long long)c->ops, (unsigned long long)c->st.creates,
		 (unsigned long long)c->st.create_fails,
		 (unsigned long long)c->st.removes,
		 (unsigned long long)c->st.ready);
	tap_diag("hot: %llu ops; %llu GPUs added, %llu deleted, slowest del_device %llu ms",
		 (unsigned long long)h->ops, (unsigned long long)h->st.gpus_added,
		 (unsigned long long)h->st.gpus_deleted,
		 (unsigned long long)h->st.del_max_ms);
	tap_check(!sum.sigsegv,
		  "no SIGSEGV from touching live BAR1 mappings (%llu)",
		  (unsigned long long)sum.sigsegv);
}

static void report_progress(u64 start)
{
	char line[512];
	unsigned int i;
	int n;

	n = snprintf(line, sizeof(line), "progress: %llu s:",
		     (unsigned long long)(now_us() - start) / 1000000);
	for (i = 0; i < fz_nr && n < (int)sizeof(line); i++)
		n += snprintf(line + n, sizeof(line) - n, " %s %llu",
			      fz_threads[i].name,
			      (unsigned long long)LOAD(fz_threads[i].ops));
	tap_diag("%s", line);
}

/* Waits for threads [@from, @to) to finish; false if one stalls. */
static bool wait_threads(unsigned int from, unsigned int to, u64 start,
			 u64 *last_progress)
{
	unsigned int i;

	for (;;) {
		for (i = from; i < to && LOAD(fz_threads[i].done); i++)
			;
		if (i == to)
			return true;
		usleep(200000);
		if (now_us() - *last_progress >= 30000000ull) {
			report_progress(start);
			*last_progress = now_us();
		}
		for (i = from; i < to; i++) {
			struct fz_thread *t = &fz_threads[i];

			if (LOAD(t->done) ||
			    now_us() - LOAD(t->progress_us) < STALL_S * 1000000ull)
				continue;
			tap_check(false, "%s makes progress: stuck for %u s in op %llu: %s",
				  t->name, STALL_S, (unsigned long long)LOAD(t->ops),
				  t->desc);
			return false;
		}
	}
}

static __noreturn void bad_usage(void)
{
	fputs("usage: fuzz [--seed N] [--ops N] [--threads N] [--seconds N] [--trace FILE]\n",
	      stderr);
	exit(2);
}

static u64 arg_u64(const char *s)
{
	char *end;
	u64 v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		bad_usage();
	return v;
}

int main(int argc, char **argv)
{
	u64 seed = now_us() ^ ((u64)getpid() << 32), seconds = 0, start, last;
	const char *trace_path = NULL, *results = getenv("NVKM_RESULTS");
	char trace_buf[512];
	struct sigaction sa = { .sa_handler = fault_handler };
	struct avail before;
	long ids_before[SIM_MAX], ids_after[SIM_MAX];
	unsigned int nids_before, nids_after, i;
	sigset_t block, old;
	bool ops_given = false, ok;
	int threads = DEFAULT_THREADS;

	for (i = 1; i < (unsigned int)argc; i++) {
		if (i + 1 >= (unsigned int)argc)
			bad_usage();
		if (!strcmp(argv[i], "--seed")) {
			seed = arg_u64(argv[++i]);
		} else if (!strcmp(argv[i], "--ops")) {
			fz_ops = arg_u64(argv[++i]);
			ops_given = true;
		} else if (!strcmp(argv[i], "--threads")) {
			threads = arg_u64(argv[++i]);
		} else if (!strcmp(argv[i], "--seconds")) {
			seconds = arg_u64(argv[++i]);
		} else if (!strcmp(argv[i], "--trace")) {
			trace_path = argv[++i];
		} else {
			bad_usage();
		}
	}
	if (threads < 1 || threads > DEV_THREADS_MAX)
		bad_usage();
	if (!seconds && !ops_given)
		seconds = DEFAULT_SECONDS;

	tap_init("fuzz", seconds ? seconds + 120 : 0);
	tap_diag("seed %llu", (unsigned long long)seed);
	tap_diag("ops %llu per device thread, %d device threads, a churn and a hotplug thread%s",
		 (unsigned long long)fz_ops, threads,
		 seconds ? "" : ", no time limit");
	if (seconds)
		tap_diag("time limit %llu s", (unsigned long long)seconds);
	tap_diag("replay: fuzz --seed %llu --ops %llu --threads %d",
		 (unsigned long long)seed, (unsigned long long)fz_ops, threads);

	if (!path_exists(SIM_NEW))
		tap_bail("no nvkm_vgpu_sim bus");
	if (parent_find("tiny", &fz_parent[P_TINY]) ||
	    parent_find("h100", &fz_parent[P_H100]))
		tap_bail("the tiny and h100 GPUs are not there");
	if (parent_ready(&fz_parent[P_TINY]) || parent_ready(&fz_parent[P_H100]))
		tap_bail("the tiny and h100 GPUs are not idle");

	if (!trace_path && results) {
		snprintf(trace_buf, sizeof(trace_buf), "%s/fuzz.trace", results);
		trace_path = trace_buf;
	}
	if (trace_path)
		trace_init(trace_path, threads + 2);

	for (i = 0; i < MDEVS_MAX; i++)
		fz_mdevs[i].owner = -1;
	avail_snap(&before);
	nids_before = sim_ids(ids_before);

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	sa.sa_handler = fz_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	cleanup_hook(fz_cleanup);

	fz_nr_dev = threads;
	fz_nr = threads + 2;
	fz_t0 = now_us();
	for (i = 0; i < fz_nr; i++) {
		struct fz_thread *t = &fz_threads[i];

		t->idx = i;
		if (i < fz_nr_dev)
			snprintf(t->name, sizeof(t->name), "d%u", i);
		else
			snprintf(t->name, sizeof(t->name), "%s",
				 i == fz_nr_dev ? "churn" : "hot");
		t->rng.s = seed + i;
		t->io = guarded(IO_SIZE);
		t->arg = guarded(ARG_SIZE);
		if (!t->io || !t->arg)
			tap_bail("buffers: %s", strerror(errno));
		t->progress_us = now_us();
	}

	/* Only this thread takes the cleanup's signals. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	for (i = 0; i < fz_nr; i++) {
		void *(*fn)(void *) = i < fz_nr_dev ? dev_thread :
				      i == fz_nr_dev ? churn_thread : hot_thread;

		if (pthread_create(&fz_threads[i].tid, NULL, fn, &fz_threads[i]))
			tap_bail("pthread_create failed");
		fz_threads[i].started = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);

	start = now_us();
	last = start;
	/* The device threads run their operations, or until time is up. */
	while (seconds) {
		for (i = 0; i < fz_nr_dev && LOAD(fz_threads[i].done); i++)
			;
		if (i == fz_nr_dev || now_us() - start >= seconds * 1000000ull)
			break;
		usleep(200000);
		if (now_us() - last >= 30000000ull) {
			report_progress(start);
			last = now_us();
		}
	}
	if (seconds)
		STORE(fz_time_up, 1);
	ok = wait_threads(0, fz_nr_dev, start, &last);
	STORE(fz_stop, 1);
	ok = ok && wait_threads(fz_nr_dev, fz_nr, start, &last);
	if (!ok)
		tap_bail("a thread hangs; see the trace");
	for (i = 0; i < fz_nr; i++)
		pthread_join(fz_threads[i].tid, NULL);
	report_progress(start);
	ops_check(start);
	stats_diag();

	/* What is left (a removal refused earlier, say) goes now. */
	for (i = 0; i < MDEVS_MAX; i++) {
		if (fz_mdevs[i].owner < 0)
			continue;
		tap_diag("  vGPU %s of %s was still there", fz_mdevs[i].uuid,
			 fz_threads[fz_mdevs[i].owner].name);
		mdev_slot_remove(i);
	}
	tap_check(mdev_count() == 0, "every vGPU the fuzzer made is removed (%d left)",
		  mdev_count());
	nids_after = sim_ids(ids_after);
	tap_check(nids_after == nids_before,
		  "every simulated GPU the fuzzer added is deleted (%u GPUs, were %u)",
		  nids_after, nids_before);
	wait_idle("after fuzzing");
	tap_check(avail_same(&before),
		  "every type's available_instances is what it was before");
	check_fresh(&fz_parent[P_TINY], "tiny");
	check_fresh(&fz_parent[P_H100], "h100");
	check_new_gpu();
	wait_idle("at the end");
	tap_check(avail_same(&before),
		  "every type's available_instances is still what it was");
	if (fz_trace_fd >= 0)
		close(fz_trace_fd);
	return tap_done();
}
