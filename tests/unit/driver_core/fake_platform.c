// SPDX-License-Identifier: GPL-2.0-or-later
/* The fake kernel and fake VMM of the driver-core tests (fake_platform.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fake_platform.h"

struct fake_platform fake;
struct fake_vmm vmm;

/* Where the fake link says the image runs: HOST_CR3 checks its pages. */
static _Alignas(4096) char fake_image[8192];

static void f_lock(void *ctx, bool hotplug)
{
	(void)ctx;
	(void)hotplug;
	if (fake.lock_depth != 0)
		fake.lock_errors++;
	fake.lock_depth++;
}

static void f_unlock(void *ctx, bool hotplug)
{
	(void)ctx;
	(void)hotplug;
	if (fake.lock_depth != 1)
		fake.lock_errors++;
	fake.lock_depth--;
}

static void *f_alloc(void *ctx, size_t size)
{
	void *p;

	(void)ctx;
	if (fake.alloc_fail_in > 0 && --fake.alloc_fail_in == 0)
		return NULL;
	p = calloc(1, size ? size : 1);
	if (p)
		fake.allocs++;
	return p;
}

static void f_free(void *ctx, void *p)
{
	(void)ctx;
	if (p)
		fake.allocs--;
	if (p && p == vmm.ring)
		vmm.ring_frees++;
	free(p);
}

static void f_resched(void *ctx)
{
	(void)ctx;
	fake.reschedules++;
}

static int f_copy_from_user(void *ctx, void *dst, uint64_t src, size_t len)
{
	(void)ctx;
	if (fake.lock_depth)
		fake.user_copies_locked++;
	if (src == 0 || src == FAKE_BAD_ADDR)
		return -1;
	memcpy(dst, (const void *)(uintptr_t)src, len);
	return 0;
}

static int f_copy_to_user(void *ctx, uint64_t dst, const void *src, size_t len)
{
	(void)ctx;
	if (fake.lock_depth)
		fake.user_copies_locked++;
	if (dst == 0 || dst == FAKE_BAD_ADDR)
		return -1;
	memcpy((void *)(uintptr_t)dst, src, len);
	return 0;
}

static bool f_capable(void *ctx)
{
	(void)ctx;
	return fake.capable;
}

static uint32_t f_cpu_count(void *ctx)
{
	(void)ctx;
	return fake.ncpus;
}

static bool f_cpu_online(void *ctx, uint32_t cpu)
{
	(void)ctx;
	return cpu < fake.ncpus && fake.online[cpu];
}

static uint32_t f_cpu_id(void *ctx)
{
	(void)ctx;
	return fake.current_cpu;
}

static int f_run_on_cpu(void *ctx, uint32_t cpu, int (*fn)(void *), void *arg)
{
	uint32_t saved = fake.current_cpu;
	int rc;

	if (!f_cpu_online(ctx, cpu))
		return -1;
	fake.current_cpu = cpu;
	rc = fn(arg);
	fake.current_cpu = saved;
	return rc;
}

static int f_probe_cpu(void *ctx, uint32_t cpu, struct flank_cpu_probe *out)
{
	if (!f_cpu_online(ctx, cpu))
		return -1;
	*out = fake.probe[cpu];
	return 0;
}

static void *f_page_alloc(void *ctx, uint64_t *pa)
{
	void *p;

	(void)ctx;
	p = aligned_alloc(4096, 4096);
	if (!p)
		return NULL;
	memset(p, 0, 4096);
	*pa = (uint64_t)(uintptr_t)p; /* Identity "physical" addresses. */
	fake.pages++;
	if (fake.unmap_alloc_in > 0 && --fake.unmap_alloc_in == 0)
		fake.unmapped_va = (uint64_t)(uintptr_t)p;
	return p;
}

static void f_page_free(void *ctx, void *page)
{
	(void)ctx;
	if (page)
		fake.pages--;
	free(page);
}

struct flank_image_mem {
	int fd;
	size_t npages;
	void *rw, *final;
};

static struct flank_image_mem *f_image_reserve(void *ctx, size_t npages,
					       void **rw, void **final)
{
	struct flank_image_mem *m = f_alloc(ctx, sizeof(*m));
	size_t len = npages * 4096;

	if (!m)
		return NULL;
	/* The module's cap (kmap.c): more pages are refused, like ENOMEM. */
	if (npages > (FLANK_IMAGE_MAX_BYTES >> 12)) {
		f_free(ctx, m);
		return NULL;
	}
	m->npages = npages;
	m->fd = memfd_create("flank-image", 0);
	if (m->fd < 0 || ftruncate(m->fd, (off_t)len))
		goto err;
	m->rw = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);
	m->final = mmap(NULL, len, PROT_NONE, MAP_SHARED, m->fd, 0);
	if (m->rw == MAP_FAILED || m->final == MAP_FAILED)
		goto err;
	*rw = m->rw;
	*final = m->final;
	fake.image_maps++;
	return m;
err:
	abort(); /* The test machine is out of memory: not a test result. */
}

static int f_image_protect(void *ctx, struct flank_image_mem *m,
			   const uint8_t *perm, size_t npages)
{
	static const int prot[] = {
		[FLANK_PAGE_R] = PROT_READ,
		[FLANK_PAGE_RW] = PROT_READ | PROT_WRITE,
		[FLANK_PAGE_RX] = PROT_READ | PROT_EXEC,
	};
	size_t i;

	(void)ctx;
	if (npages != m->npages)
		return -1;
	munmap(m->rw, m->npages * 4096);
	m->rw = NULL;
	for (i = 0; i < npages; i++) {
		if (perm[i] > FLANK_PAGE_RX ||
		    mprotect((char *)m->final + i * 4096, 4096, prot[perm[i]]))
			return -1;
	}
	return 0;
}

static void f_image_release(void *ctx, struct flank_image_mem *m)
{
	if (m->rw)
		munmap(m->rw, m->npages * 4096);
	if (fake.keep_released_image) {
		fake.kept_final = m->final;
		fake.kept_bytes = m->npages * 4096;
	} else {
		munmap(m->final, m->npages * 4096);
	}
	close(m->fd);
	fake.image_maps--;
	f_free(ctx, m);
}

static void f_log(void *ctx, enum flank_log_level level, const char *line)
{
	(void)ctx;
	if (fake.log_lines >= 0 && (unsigned)fake.log_lines < FAKE_LOG_KEPT) {
		snprintf(fake.log[fake.log_lines], sizeof(fake.log[0]), "%s",
			 line);
		fake.log_level[fake.log_lines] = level;
	}
	fake.log_lines++;
	snprintf(fake.last_log, sizeof(fake.last_log), "%s", line);
}

static void f_invalidate_tss_limit(void *ctx)
{
	(void)ctx;
	fake.tss_invalidated[fake.current_cpu]++;
}

static bool f_ibt_enabled(void *ctx)
{
	(void)ctx;
	return fake.ibt;
}

static void f_pin_module(void *ctx)
{
	(void)ctx;
	fake.pins++;
}

static void f_host_cr3_refresh(void *ctx)
{
	(void)ctx;
	fake.refreshes++;
	if (fake_vmm_running())
		fake.refreshes_live++;
	if (fake.refresh_maps)
		fake.unmapped_va = 0;
}

bool fake_is_guard(uint64_t va)
{
	for (unsigned i = 0; i < 2 * FAKE_MAX_CPUS; i++)
		if (fake.stack_guard[i] &&
		    fake.stack_guard[i] == (va & ~0xfffull))
			return true;
	return false;
}

static bool f_host_cr3_maps(void *ctx, uint64_t va)
{
	(void)ctx;
	if (fake_is_guard(va))
		return false;
	return fake.unmapped_va == 0 || (va & ~0xfffull) != fake.unmapped_va;
}

static void *f_stack_alloc(void *ctx, uint64_t *pa)
{
	uint8_t *block;
	unsigned i;

	(void)ctx;
	if (fake.stack_fail_in > 0 && --fake.stack_fail_in == 0)
		return NULL;
	for (i = 0; i < 2 * FAKE_MAX_CPUS && fake.stack_guard[i]; i++)
		;
	if (i == 2 * FAKE_MAX_CPUS)
		return NULL;
	block = aligned_alloc(4096, 8192);
	if (!block)
		return NULL;
	memset(block, 0, 8192);
	/* The slot is taken even when the guard is mapped (a 1 marks it). */
	fake.stack_guard[i] =
		fake.stack_guard_mapped ? 1u : (uint64_t)(uintptr_t)block;
	fake.stacks_live++;
	*pa = (uint64_t)(uintptr_t)(block + 4096);
	return block + 4096;
}

static void f_stack_free(void *ctx, void *stack)
{
	uint8_t *block = (uint8_t *)stack - 4096;

	(void)ctx;
	for (unsigned i = 0; i < 2 * FAKE_MAX_CPUS; i++) {
		if (fake.stack_guard[i] == (uint64_t)(uintptr_t)block ||
		    fake.stack_guard[i] == 1u) {
			fake.stack_guard[i] = 0;
			break;
		}
	}
	fake.stacks_live--;
	free(block);
}

static bool f_crash_hook(void *ctx, bool on)
{
	(void)ctx;
	if (on) {
		if (fake.crash_hook_refused || fake.crash_hooked)
			return false;
		fake.crash_hooked = true;
		fake.crash_hooks++;
		return true;
	}
	fake.crash_hooked = false;
	fake.crash_unhooks++;
	return true;
}

void fake_crash(struct flank_core *core)
{
	uint32_t saved = fake.current_cpu;

	if (!fake.crash_hooked)
		return;
	for (uint32_t cpu = 0; cpu < fake.ncpus; cpu++) {
		if (!fake.online[cpu])
			continue;
		fake.current_cpu = cpu;
		flank_core_crash_cpu(core);
	}
	fake.current_cpu = saved;
}

/* The fake PKCS#7 message's tag. */
static const uint8_t fkp7[4] = {'F', 'K', 'P', '7'};

/* FNV-1a: the fake "digest" a fake signature carries. */
static uint64_t fake_digest(const void *data, size_t len)
{
	const uint8_t *b = data;
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static int f_verify_sig(void *ctx, const void *data, size_t len,
			const void *sig, size_t sig_len)
{
	const uint8_t *s = sig;
	uint64_t d = 0;
	unsigned int i;

	(void)ctx;
	fake.verifies++;
	if (fake.lock_depth)
		fake.verifies_locked++;
	fake.verified_len = len;
	if (sig_len != FAKE_SIG_LEN || memcmp(s, fkp7, sizeof(fkp7)) != 0)
		return -EBADMSG;
	if (s[4] >= 32 || !(fake.trusted_keys & (1u << s[4])))
		return -ENOKEY;
	for (i = 0; i < 8; i++)
		d |= (uint64_t)s[5 + i] << (8 * i);
	return d == fake_digest(data, len) ? 0 : -EKEYREJECTED;
}

static uint32_t f_sig_required(void *ctx)
{
	(void)ctx;
	return fake.sig_required;
}

static void f_taint_unsigned(void *ctx)
{
	(void)ctx;
	fake.taints++;
}

/* The fake's memory is identity "mapped": a page's address is its own. */
static uint64_t f_virt_pa(void *ctx, const void *va)
{
	(void)ctx;
	return (uintptr_t)va & ~(uintptr_t)0xFFF;
}

/* Copies within fake.ram only, as the kernel's op copies within RAM. */
static int f_phys_copy(void *ctx, uint64_t pa, void *buf, uint32_t len,
		       bool write)
{
	(void)ctx;
	if (pa < FAKE_RAM_PA || len == 0 || len > sizeof(fake.ram) ||
	    pa - FAKE_RAM_PA > sizeof(fake.ram) - len)
		return -1;
	if (write)
		memcpy(fake.ram + (pa - FAKE_RAM_PA), buf, len);
	else
		memcpy(buf, fake.ram + (pa - FAKE_RAM_PA), len);
	fake.phys_copies++;
	return 0;
}

size_t fake_sign(uint8_t *out, size_t cap, const void *elf, size_t len,
		 uint8_t key)
{
	/* The magic without its NUL: exactly what ends a signed file. */
	static const char magic[28] = "~Module signature appended~\n";
	uint64_t d = fake_digest(elf, len);
	size_t n = len;
	unsigned int i;

	if (cap < len + FAKE_SIG_LEN + 12 + sizeof(magic))
		return 0;
	memcpy(out, elf, len);
	memcpy(out + n, fkp7, sizeof(fkp7));
	out[n + 4] = key;
	for (i = 0; i < 8; i++)
		out[n + 5 + i] = (uint8_t)(d >> (8 * i));
	n += FAKE_SIG_LEN;
	/* struct module_signature: id_type PKCS#7, big-endian sig_len. */
	memset(out + n, 0, 12);
	out[n + 2] = 2;
	out[n + 11] = FAKE_SIG_LEN;
	n += 12;
	memcpy(out + n, magic, sizeof(magic));
	return n + sizeof(magic);
}

const struct flank_core_ops fake_ops = {
	.ctx = NULL,
	.lock = f_lock,
	.unlock = f_unlock,
	.alloc = f_alloc,
	.free = f_free,
	.copy_from_user = f_copy_from_user,
	.copy_to_user = f_copy_to_user,
	.capable = f_capable,
	.cpu_count = f_cpu_count,
	.cpu_online = f_cpu_online,
	.cpu_id = f_cpu_id,
	.run_on_cpu = f_run_on_cpu,
	.probe_cpu = f_probe_cpu,
	.page_alloc = f_page_alloc,
	.page_free = f_page_free,
	.image_reserve = f_image_reserve,
	.image_protect = f_image_protect,
	.image_release = f_image_release,
	.log = f_log,
	.invalidate_tss_limit = f_invalidate_tss_limit,
	.ibt_enabled = f_ibt_enabled,
	.resched = f_resched,
	.pin_module = f_pin_module,
	.host_cr3_refresh = f_host_cr3_refresh,
	.host_cr3_maps = f_host_cr3_maps,
	.verify_sig = f_verify_sig,
	.sig_required = f_sig_required,
	.taint_unsigned = f_taint_unsigned,
	.phys_copy = f_phys_copy,
	.stack_alloc = f_stack_alloc,
	.stack_free = f_stack_free,
	.crash_hook = f_crash_hook,
	.virt_pa = f_virt_pa,
	/* 8 KiB aligned like the module's table (kmap.c): bits 12:0 clear. */
	.host_cr3 = 0x2000,
	/* What a kernel on a Skylake-class CPU with MDS chooses (kplat.c). */
	.spec_flags = FLANK_SPEC_RSB_VMEXIT | FLANK_SPEC_CLEAR_CPU_BUF |
		      FLANK_SPEC_KERNEL_IBRS,
	.verw_sel = 0x18,
};

void fake_reset(uint32_t ncpus)
{
	uint32_t i;

	memset(&fake, 0, sizeof(fake));
	fake.ncpus = ncpus;
	fake.capable = true;
	for (i = 0; i < ncpus && i < FAKE_MAX_CPUS; i++) {
		fake.online[i] = true;
		snprintf(fake.probe[i].vendor, sizeof(fake.probe[i].vendor),
			 "GenuineIntel");
		fake.probe[i].cpuid1_ecx = 1u << 5;
		fake.probe[i].fc_readable = 1;
		fake.probe[i].feature_control = 0x5;
		fake.probe[i].cr4 = 0x3606f0;
	}
}

void fake_no_vmx(void)
{
	uint32_t i;

	for (i = 0; i < FAKE_MAX_CPUS; i++) {
		snprintf(fake.probe[i].vendor, sizeof(fake.probe[i].vendor),
			 "AuthenticAMD");
		fake.probe[i].cpuid1_ecx = 0;
		fake.probe[i].fc_readable = 0;
	}
}

/* The fake VMM --------------------------------------------------------- */

static int v_init(const struct flank_platform *p)
{
	uint64_t pa;
	uint32_t i;

	vmm.inits++;
	vmm.ring = p->ring_mem;
	vmm.ring_size = p->ring_size;
	vmm.ring_frees = 0;
	/* Like vmm_ring_init: every byte is written (Valgrind checks size). */
	if (p->ring_mem)
		memset(p->ring_mem, 0x5a, (size_t)p->ring_size);
	if (vmm.real_ring && p->ring_mem)
		vmm.vring = vmm_ring_init(p->ring_mem, (size_t)p->ring_size);
	if (vmm.init_rc)
		return vmm.init_rc;
	for (i = 0; i < vmm.init_pages && i < 4; i++) {
		vmm.init_page[i] = p->page_alloc(p->ctx, &pa);
		if (!vmm.init_page[i])
			return 5;
	}
	vmm.platform = p;
	vmm.state = FLANK_STATE_LOADED;
	return 0;
}

static int v_fini(void)
{
	uint32_t i;

	vmm.finis++;
	vmm.ring_frees_at_fini = vmm.ring_frees;
	if (vmm.fini_rc)
		return vmm.fini_rc;
	for (i = 0; i < 4; i++) {
		vmm.platform->page_free(vmm.platform->ctx, vmm.init_page[i]);
		vmm.init_page[i] = NULL;
	}
	vmm.state = FLANK_STATE_UNLOADED;
	return 0;
}

static int v_check(struct flank_check_report *r)
{
	uint32_t i;

	r->count = vmm.check_count;
	r->failed = 0;
	for (i = 0; i < vmm.check_count && i < FLANK_CHECK_MAX_ITEMS; i++) {
		r->item[i].id = i;
		snprintf(r->item[i].name, sizeof(r->item[i].name), "fake-%u",
			 i);
		/* No terminator: the driver must add one. */
		memset(r->item[i].text, 'x', sizeof(r->item[i].text));
	}
	return vmm.check_rc;
}

static int start_one(void *arg)
{
	const struct flank_platform *p = vmm.platform;
	uint32_t cpu = p->cpu_id(p->ctx);
	uint64_t pa;

	(void)arg;
	if (vmm.start_rc && cpu == vmm.fail_cpu)
		return vmm.start_rc;
	/* Like libvmm, the host's guarded stack when the host has one. */
	if (p->host_stack != NULL && cpu < FAKE_MAX_CPUS) {
		vmm.stack[cpu] = p->host_stack(p->ctx, cpu);
		if (!vmm.stack[cpu])
			return 5; /* Out of memory. */
	}
	if (vmm.cpu_pages) {
		/* Like libvmm, a page per CPU before that CPU starts. */
		vmm.cpu_page[cpu] = p->page_alloc(p->ctx, &pa);
		if (!vmm.cpu_page[cpu])
			return 5; /* Out of memory. */
	}
	vmm.running[cpu] = true;
	return 0;
}

static int stop_one(void *arg)
{
	const struct flank_platform *p = vmm.platform;
	uint32_t cpu = p->cpu_id(p->ctx);

	(void)arg;
	if (vmm.running[cpu] && vmm.cpu_page[cpu]) {
		p->page_free(p->ctx, vmm.cpu_page[cpu]);
		vmm.cpu_page[cpu] = NULL;
	}
	vmm.running[cpu] = false;
	return 0;
}

static int v_start_all(uint32_t *failed)
{
	const struct flank_platform *p = vmm.platform;
	uint32_t n = p->cpu_count(p->ctx), cpu, k;
	int rc;

	vmm.starts++;
	for (cpu = 0; cpu < n; cpu++) {
		rc = p->run_on_cpu(p->ctx, cpu, start_one, NULL);
		if (rc < 0)
			continue; /* Offline. */
		if (rc) {
			for (k = 0; k < cpu; k++)
				(void)p->run_on_cpu(p->ctx, k, stop_one, NULL);
			*failed = cpu;
			return rc;
		}
	}
	vmm.state = FLANK_STATE_RUNNING;
	return 0;
}

static int v_stop_all(void)
{
	const struct flank_platform *p = vmm.platform;
	uint32_t n = p->cpu_count(p->ctx), cpu;

	vmm.stops++;
	if (vmm.stop_rc)
		return vmm.stop_rc;
	for (cpu = 0; cpu < n; cpu++)
		(void)p->run_on_cpu(p->ctx, cpu, stop_one, NULL);
	vmm.state = FLANK_STATE_LOADED;
	return 0;
}

static int v_start_cpu(void)
{
	if (vmm.cpu_rc)
		return vmm.cpu_rc;
	return start_one(NULL);
}

static int v_stop_cpu(void)
{
	if (vmm.cpu_rc)
		return vmm.cpu_rc;
	return stop_one(NULL);
}

/* Lock-free and silent, like libvmm's: the CPU just leaves. */
static int v_crash_cpu(void)
{
	const struct flank_platform *p = vmm.platform;
	uint32_t cpu = p->cpu_id(p->ctx);

	if (cpu >= FAKE_MAX_CPUS)
		return 7;
	vmm.crash_calls[cpu]++;
	if (!vmm.running[cpu])
		return 12; /* Not running. */
	vmm.crashed[cpu]++;
	vmm.running[cpu] = false;
	return 0;
}

static enum flank_vmm_state v_state(void)
{
	return vmm.state;
}

static int v_cpu_status(uint32_t cpu, struct flank_cpu_status *out)
{
	if (cpu >= FAKE_MAX_CPUS)
		return 7;
	out->running = vmm.running[cpu];
	out->exits = vmm.exits[cpu];
	out->cr4 = vmm.running[cpu] ? 0x3626f0 : 0x3606f0;
	/* As Flank's: number + 1 while running with VPID, else 0. */
	out->vpid = vmm.running[cpu] ? cpu + 1 : 0;
	return 0;
}

static int v_exit_stats(uint32_t cpu, struct flank_exit_stats *out)
{
	if (cpu >= FAKE_MAX_CPUS)
		return 7;
	out->count[10] = vmm.exits[cpu]; /* CPUID */
	out->count[31] = 2;		 /* RDMSR */
	out->hidden_writes = vmm.hidden_writes[cpu];
	return 0;
}

static size_t v_ring_read(uint64_t *pos, char *buf, size_t len)
{
	static const char text[] = "flank: vmxon cpu0\nflank: launch cpu0\n";
	size_t n;

	if (vmm.real_ring)
		return vmm_ring_read_text(vmm.vring, pos, buf, len) +
		       vmm.ring_extra;
	if (*pos >= sizeof(text) - 1)
		return vmm.ring_extra;
	n = sizeof(text) - 1 - (size_t)*pos;
	if (n > len)
		n = len;
	memcpy(buf, text + *pos, n);
	*pos += n;
	return n + vmm.ring_extra;
}

/*
 * As Flank's image: a status's short form, not its sentence (the driver
 * holds those, core/vmm_texts.c); the driver shows this only for a status
 * beyond its own list (a newer image).
 */
static const char *v_status_str(int status)
{
	(void)status;
	return "fake VMM error";
}

void fake_vmm_reset(void)
{
	memset(&vmm, 0, sizeof(vmm));
	vmm.entry.abi_version = FLANK_IMAGE_ABI_VERSION;
	vmm.entry.size = sizeof(vmm.entry);
	vmm.entry.version = 0x000100;
	vmm.entry.init = v_init;
	vmm.entry.fini = v_fini;
	vmm.entry.check = v_check;
	vmm.entry.start_all = v_start_all;
	vmm.entry.stop_all = v_stop_all;
	vmm.entry.start_cpu = v_start_cpu;
	vmm.entry.stop_cpu = v_stop_cpu;
	vmm.entry.state = v_state;
	vmm.entry.cpu_status = v_cpu_status;
	vmm.entry.exit_stats = v_exit_stats;
	vmm.entry.ring_read = v_ring_read;
	vmm.entry.status_str = v_status_str;
	vmm.entry.crash_cpu = v_crash_cpu;
	vmm.fail_cpu = FLANK_NO_CPU;
	vmm.check_count = 3;
	vmm.state = FLANK_STATE_UNLOADED;
}

int fake_link(struct flank_core *core, struct flank_ioc_err *err)
{
	vmm.links++;
	vmm.linked_size0 = core->nmods ? core->mod[0].size : 0;
	if (vmm.link_rc)
		return flank_fail(err, vmm.link_rc, FLANK_SRC_LOADER, 42,
				  FLANK_NO_CPU, "module %s: fake loader error",
				  core->mod[0].name);
	core->image.entry = vmm.null_entry ? NULL : &vmm.entry;
	core->image.base = fake_image;
	core->image.bytes = sizeof(fake_image);
	return FLANK_OK;
}

void fake_unlink(struct flank_core *core)
{
	(void)core;
	vmm.unlinks++;
}

uint32_t fake_vmm_running(void)
{
	uint32_t i, n = 0;

	for (i = 0; i < FAKE_MAX_CPUS; i++)
		n += vmm.running[i] ? 1u : 0u;
	return n;
}

void fake_vmm_leave_cpu(uint32_t cpu)
{
	uint32_t saved = fake.current_cpu;

	fake.current_cpu = cpu;
	vmm.running[cpu] = false;
	if (vmm.platform->cpu_left != NULL)
		vmm.platform->cpu_left(vmm.platform->ctx, cpu);
	fake.current_cpu = saved;
}

void fake_vmm_log(uint32_t cpu, enum flank_log_level level, const char *line,
		  bool in_exit_handler)
{
	(void)vmm_ring_write(vmm.vring, cpu, level, line, strlen(line));
	if (!in_exit_handler)
		vmm.platform->log(vmm.platform->ctx, level, line);
}

int fake_log_find(const char *needle, int from)
{
	for (int i = from < 0 ? 0 : from;
	     i < fake.log_lines && (unsigned)i < FAKE_LOG_KEPT; i++)
		if (strstr(fake.log[i], needle) != NULL)
			return i;
	return -1;
}
