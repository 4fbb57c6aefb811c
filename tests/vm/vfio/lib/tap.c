// SPDX-License-Identifier: GPL-2.0
/*
 * TAP producer shared by the VFIO test programs.
 *
 * stdout is line buffered so that forked children never replay buffered
 * lines. A watchdog (SIGALRM) ends a program that hangs in user space with
 * "Bail out!" after removing what it created; a hang inside the kernel is
 * left to the VM harness's timeout.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "tap.h"

static unsigned int tap_n;
static unsigned int tap_failed;
static const char *tap_name = "test";

static void tap_vline(bool ok, const char *directive, const char *fmt,
		      va_list ap)
{
	printf("%s %u - ", ok ? "ok" : "not ok", ++tap_n);
	vprintf(fmt, ap);
	if (directive)
		printf(" # %s", directive);
	putchar('\n');
	if (!ok)
		tap_failed++;
}

/**
 * tap_check() - one assertion group
 * @cond: whether it held
 * @fmt: description
 *
 * Return: @cond.
 */
bool tap_check(bool cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vline(cond, NULL, fmt, ap);
	va_end(ap);
	return cond;
}

/**
 * tap_errno() - one assertion that an operation ended with an errno
 * @got: the operation's result, 0 or a negative errno
 * @want: the expected result, 0 or a positive errno
 * @fmt: description
 *
 * Return: whether they matched.
 */
bool tap_errno(int got, int want, const char *fmt, ...)
{
	bool ok = -got == want;
	va_list ap;

	va_start(ap, fmt);
	tap_vline(ok, NULL, fmt, ap);
	va_end(ap);
	if (!ok)
		tap_diag("  got %s, expected %s", errno_name(-got),
			 errno_name(want));
	return ok;
}

void tap_skip(const char *reason, const char *fmt, ...)
{
	char directive[256];
	va_list ap;

	snprintf(directive, sizeof(directive), "SKIP %s", reason);
	va_start(ap, fmt);
	tap_vline(true, directive, fmt, ap);
	va_end(ap);
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/**
 * tap_bail() - give up: the rest of the program cannot run
 * @fmt: why
 *
 * Prints the plan of what ran, then "Bail out!", and exits 1; the atexit
 * cleanup removes every mdev the program created.
 */
void tap_bail(const char *fmt, ...)
{
	va_list ap;

	printf("1..%u\nBail out! %s: ", tap_n ? tap_n : 1, tap_name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	exit(1);
}

/**
 * tap_count_arg() - a command line option's count
 * @opt: the option, for the message
 * @arg: its argument
 * @max: the largest count it takes
 *
 * Return: @arg as a decimal number from 1 to @max; anything else bails out.
 */
unsigned int tap_count_arg(const char *opt, const char *arg, unsigned long max)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 10);

	if (!*arg || *end || !v || v > max)
		tap_bail("%s takes a count, 1 to %lu", opt, max);
	return (unsigned int)v;
}

/**
 * tap_done() - print the plan
 *
 * Return: the program's exit code: 0 when every assertion held and there
 * was at least one, else 1.
 */
int tap_done(void)
{
	printf("1..%u\n", tap_n);
	if (tap_failed)
		tap_diag("%s: %u of %u failed", tap_name, tap_failed, tap_n);
	fflush(stdout);
	return tap_failed || !tap_n;
}

unsigned int tap_failures(void)
{
	return tap_failed;
}

static void tap_signal(int sig)
{
	static const char msg[] = "Bail out! watchdog or signal: cleaning up\n";
	ssize_t ignored;

	ignored = write(STDOUT_FILENO, msg, sizeof(msg) - 1);
	(void)ignored;
	vgpu_cleanup();
	_exit(128 + sig);
}

static void tap_atexit(void)
{
	vgpu_cleanup();
}

/**
 * tap_init() - start a test program
 * @name: the program's name, for messages
 * @timeout_s: watchdog; 0 for none
 *
 * Sets up line buffering, the cleanup of created mdevs at exit and on
 * SIGTERM/SIGINT/SIGALRM, and the watchdog.
 */
void tap_init(const char *name, unsigned int timeout_s)
{
	struct sigaction sa = { .sa_handler = tap_signal };

	tap_name = name;
	setvbuf(stdout, NULL, _IOLBF, 0);
	atexit(tap_atexit);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (timeout_s)
		alarm(timeout_s);
	tap_diag("%s: pid %d", name, getpid());
}

/**
 * errno_name() - "ENOSPC (No space left on device)" for an errno
 * @err: positive errno, or 0
 *
 * Return: one of four static buffers, reused in turn.
 */
const char *errno_name(int err)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ 0, "success" }, { EPERM, "EPERM" }, { ENOENT, "ENOENT" },
		{ EINTR, "EINTR" }, { EIO, "EIO" }, { EBADF, "EBADF" },
		{ EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" }, { EACCES, "EACCES" },
		{ EFAULT, "EFAULT" }, { EBUSY, "EBUSY" }, { EEXIST, "EEXIST" },
		{ ENODEV, "ENODEV" }, { EINVAL, "EINVAL" }, { ENOSPC, "ENOSPC" },
		{ ENOTTY, "ENOTTY" }, { ENXIO, "ENXIO" }, { EOVERFLOW, "EOVERFLOW" },
		{ ETIMEDOUT, "ETIMEDOUT" }, { EUSERS, "EUSERS" },
		{ EOPNOTSUPP, "EOPNOTSUPP" }, { ESRCH, "ESRCH" },
	};
	static char bufs[4][96];
	static unsigned int next;
	char *buf = bufs[next++ % 4];
	const char *name = "E?";
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].err == err)
			name = names[i].name;
	if (!err)
		return name;
	snprintf(buf, sizeof(bufs[0]), "%s (%s)", name, strerror(err));
	return buf;
}

/** now_us() - CLOCK_MONOTONIC in microseconds */
u64 now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/**
 * sort_u64() - sort samples in place, smallest first
 * @v: samples
 * @n: how many
 */
void sort_u64(u64 *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
}

/**
 * percentile_u64() - a nearest-rank percentile of sorted samples
 * @sorted: samples, from sort_u64()
 * @n: how many; 0 gives 0
 * @pct: the percentile, 0 to 100
 *
 * Return: the smallest sample with at least @pct % of them at or below it.
 */
u64 percentile_u64(const u64 *sorted, unsigned int n, unsigned int pct)
{
	unsigned int rank = (n * pct + 99) / 100;

	if (!n)
		return 0;
	return sorted[rank ? rank - 1 : 0];
}

/**
 * median_u64() - median of @n samples; sorts @v in place
 * @v: samples
 * @n: how many; 0 gives 0
 *
 * Return: the median (mean of the middle two for an even @n).
 */
u64 median_u64(u64 *v, unsigned int n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_u64);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
