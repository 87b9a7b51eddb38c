// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flank-probe: the guest-side measurements of the Bochs run (static, runs
 * in the initramfs). Every command prints one machine-readable line of
 * "key=value" pairs and exits 0 when it could measure, 1 when it could not.
 *
 *   flank-probe cpuid CPU                 presence leaf, CPUID.1:ECX.VMX and
 *                                         the example module's CPUID leaf
 *   flank-probe rdmsr CPU MSR             read through /dev/cpu/CPU/msr
 *   flank-probe wrmsr CPU MSR VALUE       write through /dev/cpu/CPU/msr
 *   flank-probe workload ROUNDS           processes, file I/O, syscalls,
 *                                         /proc/cpuinfo on every CPU
 *   flank-probe kvm                       opens /dev/kvm and asks KVM for a
 *                                         VM (KVM_CREATE_VM): what a user
 *                                         starting a VM next to Flank gets
 *   flank-probe ioperm CPU                ioperm(0x80) and OUTB to port 80H
 *                                         on CPU: ioperm=ok, or =fault when
 *                                         the OUTB raised #GP (SIGSEGV), as
 *                                         after a VM exit left the TSS limit
 *                                         at 67H without Linux knowing
 *   flank-probe cpuid-dump CPU FILE       every CPUID leaf and subleaf on
 *                                         CPU into FILE, one
 *                                         "LEAF SUB EAX EBX ECX EDX" line
 *                                         each (what the dump covers: see
 *                                         cmd_cpuid_dump)
 *   flank-probe cpuid-diff BEFORE UNDER   one "leaf=... sub=... reg=...
 *                                         before=... under=..." line per
 *                                         register that differs between two
 *                                         dumps (a run of subleaves as
 *                                         sub=FIRST-LAST), then a summary;
 *                                         tests/e2e/bochs-check.sh decides
 *                                         which differences are Flank's own
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <signal.h>
#include <sys/io.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "example.h"
#include "flank/vmm_extension.h"
#include "flank/vmm_hypercall.h"

#define CPUID1_ECX_VMX (1u << 5)

/* Pins the calling thread to @p cpu; the CPUID below must run there. */
static int pin(long cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET((int)cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		printf("cpu=%ld error=pin errno=%d (%s)\n", cpu, errno,
		       strerror(errno));
		return -1;
	}
	return 0;
}

static int cmd_cpuid(long cpu)
{
	unsigned a, b, c, d, vmx, ex_version;
	int present, example;

	if (pin(cpu))
		return 1;
	__cpuid(1, a, b, c, d);
	vmx = (c & CPUID1_ECX_VMX) ? 1 : 0;
	__cpuid_count(FLANK_CPUID_LEAF, 0, a, b, c, d);
	present = b == FLANK_CPUID_EBX && c == FLANK_CPUID_ECX;
	printf("cpu=%ld running_on=%d flank=%d version=0x%06x vmx=%u", cpu,
	       sched_getcpu(), present, present ? a : 0, vmx);
	/* The example extension module's leaf, answered in user mode. */
	__cpuid_count(FLANK_EXAMPLE_CPUID_LEAF, 0, a, b, c, d);
	example = b == FLANK_EXAMPLE_CPUID_EBX &&
		  c == FLANK_EXAMPLE_CPUID_ECX && d == FLANK_EXAMPLE_CPUID_EDX;
	ex_version = example ? a : 0;
	printf(" example=%d example_version=0x%06x\n", example, ex_version);
	return 0;
}

static int open_msr(long cpu, int flags)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/dev/cpu/%ld/msr", cpu);
	fd = open(path, flags);
	if (fd < 0)
		printf("cpu=%ld error=open errno=%d (%s)\n", cpu, errno,
		       strerror(errno));
	return fd;
}

/* The msr driver turns a #GP of RDMSR/WRMSR into -EIO. */
static int cmd_msr(long cpu, unsigned long msr, int write, uint64_t value)
{
	uint64_t v = value;
	ssize_t n;
	int fd = open_msr(cpu, write ? O_WRONLY : O_RDONLY);

	if (fd < 0)
		return 1;
	if (write)
		n = pwrite(fd, &v, sizeof(v), (off_t)msr);
	else
		n = pread(fd, &v, sizeof(v), (off_t)msr);
	if (n == (ssize_t)sizeof(v))
		printf("cpu=%ld msr=0x%lx op=%s result=ok value=0x%llx\n", cpu,
		       msr, write ? "write" : "read", (unsigned long long)v);
	else
		printf("cpu=%ld msr=0x%lx op=%s result=error errno=%d (%s)\n",
		       cpu, msr, write ? "write" : "read", errno,
		       strerror(errno));
	close(fd);
	return 0;
}

/* Reads all of /proc/cpuinfo; returns its size. */
static long read_cpuinfo(void)
{
	char buf[4096];
	long total = 0;
	ssize_t n;
	int fd = open("/proc/cpuinfo", O_RDONLY);

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	close(fd);
	return total;
}

/* One round: a child process, a file written and read back, syscalls. */
static int round_once(int r, long *syscalls)
{
	char name[64], buf[8192], back[8192];
	int fd, status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return -1;
	snprintf(name, sizeof(name), "/tmp/probe.%d", r);
	memset(buf, 'a' + r % 26, sizeof(buf));
	fd = open(name, O_CREAT | O_TRUNC | O_RDWR, 0600);
	if (fd < 0 || write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf) ||
	    fsync(fd) != 0 ||
	    pread(fd, back, sizeof(back), 0) != (ssize_t)sizeof(back) ||
	    memcmp(buf, back, sizeof(buf)) != 0)
		return -1;
	close(fd);
	unlink(name);
	for (int i = 0; i < 100; i++)
		(void)syscall(SYS_getppid);
	*syscalls += 100 + 8;
	return read_cpuinfo() > 0 ? 0 : -1;
}

static int cmd_workload(long rounds)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN), syscalls = 0, r;

	for (r = 0; r < rounds; r++) {
		if (pin(r % ncpu) || round_once((int)r, &syscalls)) {
			printf("workload=fail round=%ld errno=%d (%s)\n", r,
			       errno, strerror(errno));
			return 1;
		}
	}
	printf("workload=ok rounds=%ld cpus=%ld processes=%ld syscalls=%ld\n",
	       rounds, ncpu, rounds, syscalls);
	return 0;
}

/*
 * A VM next to Flank: result=ok (a VM exists), or result=error with the
 * errno of the step that failed (no /dev/kvm when no KVM module holds
 * VT-x; KVM_CREATE_VM failing when KVM could not enable VT-x).
 */
static int cmd_kvm(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC), api, vm;

	if (fd < 0) {
		printf("kvm=absent result=error errno=%d (%s)\n", errno,
		       strerror(errno));
		return 0;
	}
	api = ioctl(fd, KVM_GET_API_VERSION, 0);
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	if (vm < 0)
		printf("kvm=present api=%d result=error errno=%d (%s)\n", api,
		       errno, strerror(errno));
	else
		printf("kvm=present api=%d result=ok\n", api);
	if (vm >= 0)
		close(vm);
	close(fd);
	return 0;
}

/*
 * A task with an I/O bitmap: the OUTB runs in a child, so that a #GP
 * (delivered as SIGSEGV) is reported instead of ending the probe.
 */
static int cmd_ioperm(long cpu)
{
	const char *what = "other";
	int status = 0;
	pid_t pid;

	if (pin(cpu))
		return 1;
	pid = fork();
	if (pid < 0) {
		printf("cpu=%ld error=fork errno=%d (%s)\n", cpu, errno,
		       strerror(errno));
		return 1;
	}
	if (pid == 0) {
		if (ioperm(0x80, 1, 1))
			_exit(3);
		outb(0, 0x80);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid) {
		printf("cpu=%ld error=waitpid errno=%d (%s)\n", cpu, errno,
		       strerror(errno));
		return 1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 3) {
		printf("cpu=%ld error=ioperm\n", cpu);
		return 1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		what = "ok";
	else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV)
		what = "fault";
	printf("cpu=%ld running_on=%d ioperm=%s status=0x%x\n", cpu,
	       sched_getcpu(), what, (unsigned)status);
	return 0;
}

/* Subleaves dumped per leaf: XSAVE's leaf 0xD has the most (0..63). */
#define DUMP_SUBLEAVES 64u

static void dump_range(FILE *f, unsigned first, unsigned last, unsigned subs)
{
	unsigned a, b, c, d;

	for (unsigned leaf = first; leaf <= last && leaf >= first; leaf++) {
		for (unsigned sub = 0; sub < subs; sub++) {
			__cpuid_count(leaf, sub, a, b, c, d);
			fprintf(f, "0x%08x %u 0x%08x 0x%08x 0x%08x 0x%08x\n",
				leaf, sub, a, b, c, d);
		}
	}
}

/*
 * Every basic and extended leaf up to the maxima leaves 0 and 0x80000000
 * report, each with subleaves 0..63 (the leaves without subleaves answer
 * the same for each: cheap to compare), and subleaf 0 of the hypervisor
 * leaves 0x40000000-0x400000FF and of Flank's range 0x4000F000-0x4000F1FF
 * (presence leaf, extension leaves), pinned to CPU.
 */
static int cmd_cpuid_dump(long cpu, const char *path)
{
	unsigned max_basic, max_ext, b, c, d;
	FILE *f;

	if (pin(cpu))
		return 1;
	f = fopen(path, "w");
	if (!f) {
		printf("cpu=%ld error=open errno=%d (%s)\n", cpu, errno,
		       strerror(errno));
		return 1;
	}
	__cpuid(0, max_basic, b, c, d);
	__cpuid(0x80000000u, max_ext, b, c, d);
	/* Bounds against a CPU that reports nonsense. */
	if (max_basic > 0xff)
		max_basic = 0xff;
	if (max_ext < 0x80000000u || max_ext > 0x800000ffu)
		max_ext = 0x80000000u;
	dump_range(f, 0, max_basic, DUMP_SUBLEAVES);
	dump_range(f, 0x80000000u, max_ext, DUMP_SUBLEAVES);
	dump_range(f, 0x40000000u, 0x400000ffu, 1);
	dump_range(f, FLANK_CPUID_LEAF, FLANK_CPUID_EXT_LAST, 1);
	if (fclose(f)) {
		printf("cpu=%ld error=write errno=%d (%s)\n", cpu, errno,
		       strerror(errno));
		return 1;
	}
	printf("cpu=%ld running_on=%d max_basic=0x%x max_ext=0x%x dump=ok\n",
	       cpu, sched_getcpu(), max_basic, max_ext);
	return 0;
}

/*
 * Reads one "LEAF SUB EAX EBX ECX EDX" line of a dump: 1 when it did,
 * 0 at the end of the file, -1 on a malformed line.
 */
static int dump_line(FILE *f, unsigned *leaf, unsigned *sub, unsigned v[4])
{
	char line[128], *p, *end;
	unsigned long x[6];

	if (!fgets(line, sizeof(line), f))
		return 0;
	p = line;
	for (int i = 0; i < 6; i++) {
		errno = 0;
		x[i] = strtoul(p, &end, i == 1 ? 10 : 16);
		if (end == p || errno || x[i] > 0xffffffffUL)
			return -1;
		p = end;
	}
	*leaf = (unsigned)x[0];
	*sub = (unsigned)x[1];
	for (int i = 0; i < 4; i++)
		v[i] = (unsigned)x[i + 2];
	return 1;
}

/* A run of subleaves of one leaf where one register differs the same way. */
struct diff_run {
	int active;
	unsigned leaf, first, last, before, under;
};

static void diff_flush(struct diff_run *d, const char *reg, long *runs)
{
	if (!d->active)
		return;
	if (d->first == d->last)
		printf("leaf=0x%08x sub=%u reg=%s before=0x%08x under=0x%08x\n",
		       d->leaf, d->first, reg, d->before, d->under);
	else
		printf("leaf=0x%08x sub=%u-%u reg=%s before=0x%08x "
		       "under=0x%08x\n",
		       d->leaf, d->first, d->last, reg, d->before, d->under);
	d->active = 0;
	(*runs)++;
}

/*
 * Compares two dumps line by line; a difference that repeats over
 * consecutive subleaves of a leaf (leaf 1 answers the same for every
 * subleaf) is printed once, as a range "sub=FIRST-LAST".
 */
static int cmd_cpuid_diff(const char *before, const char *under)
{
	static const char *const reg[4] = {"eax", "ebx", "ecx", "edx"};
	struct diff_run run[4] = {{0}};
	unsigned l1, s1, v1[4], l2, s2, v2[4];
	long lines = 0, diffs = 0, runs = 0;
	FILE *f1 = fopen(before, "r"), *f2 = fopen(under, "r");
	int n1, n2, rc = 0;

	if (!f1 || !f2) {
		printf("cpuid_diff=error open errno=%d (%s)\n", errno,
		       strerror(errno));
		rc = 1;
		goto out;
	}
	for (;;) {
		n1 = dump_line(f1, &l1, &s1, v1);
		n2 = dump_line(f2, &l2, &s2, v2);
		if (n1 == 0 && n2 == 0)
			break;
		/* Same leaves in the same order, or the dumps differ in shape. */
		if (n1 != 1 || n2 != 1 || l1 != l2 || s1 != s2) {
			printf("cpuid_diff=error shape line=%ld\n", lines + 1);
			rc = 1;
			goto out;
		}
		lines++;
		for (int r = 0; r < 4; r++) {
			struct diff_run *d = &run[r];

			if (d->active &&
			    (d->leaf != l1 || v1[r] == v2[r] ||
			     d->before != v1[r] || d->under != v2[r] ||
			     d->last + 1 != s1))
				diff_flush(d, reg[r], &runs);
			if (v1[r] == v2[r])
				continue;
			diffs++;
			if (d->active) {
				d->last = s1;
				continue;
			}
			*d = (struct diff_run){1, l1, s1, s1, v1[r], v2[r]};
		}
	}
	for (int r = 0; r < 4; r++)
		diff_flush(&run[r], reg[r], &runs);
	printf("cpuid_diff=ok lines=%ld differences=%ld ranges=%ld\n", lines,
	       diffs, runs);
out:
	if (f1)
		fclose(f1);
	if (f2)
		fclose(f2);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "cpuid"))
		return cmd_cpuid(strtol(argv[2], NULL, 0));
	if (argc == 4 && !strcmp(argv[1], "rdmsr"))
		return cmd_msr(strtol(argv[2], NULL, 0),
			       strtoul(argv[3], NULL, 0), 0, 0);
	if (argc == 5 && !strcmp(argv[1], "wrmsr"))
		return cmd_msr(strtol(argv[2], NULL, 0),
			       strtoul(argv[3], NULL, 0), 1,
			       strtoull(argv[4], NULL, 0));
	if (argc == 3 && !strcmp(argv[1], "workload"))
		return cmd_workload(strtol(argv[2], NULL, 0));
	if (argc == 2 && !strcmp(argv[1], "kvm"))
		return cmd_kvm();
	if (argc == 3 && !strcmp(argv[1], "ioperm"))
		return cmd_ioperm(strtol(argv[2], NULL, 0));
	if (argc == 4 && !strcmp(argv[1], "cpuid-dump"))
		return cmd_cpuid_dump(strtol(argv[2], NULL, 0), argv[3]);
	if (argc == 4 && !strcmp(argv[1], "cpuid-diff"))
		return cmd_cpuid_diff(argv[2], argv[3]);
	fprintf(stderr, "usage: flank-probe cpuid CPU | rdmsr CPU MSR | "
			"wrmsr CPU MSR VALUE | workload ROUNDS | kvm | "
			"ioperm CPU | cpuid-dump CPU FILE | "
			"cpuid-diff BEFORE UNDER\n");
	return 2;
}
