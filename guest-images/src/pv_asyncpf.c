/* pv_asyncpf.c: KVM asynchronous page faults with interrupt delivery (kvm-asyncpf + kvm-asyncpf-int).
 *
 * The guest registers a 64-byte area {u32 flags; u32 token; ...} with MSR_KVM_ASYNC_PF_EN and a
 * vector with MSR_KVM_ASYNC_PF_INT. KVM (arch/x86/kvm/x86.c) then tells the guest about a page
 * it has to fetch from somewhere slow in two steps:
 *   "page not present": a #PF with CR2 = token and flags = 1 in the area (only while the guest
 *                       is at CPL3 with interrupts on, unless SEND_ALWAYS, bit 1, is set);
 *   "page ready":       the vector from MSR_KVM_ASYNC_PF_INT, token in the area's token field.
 * KVM writes a page-ready token only into a free slot (token == 0): the handler clears it and
 * writes 1 to MSR_KVM_ASYNC_PF_ACK so KVM looks at its queue again.
 * Enabling the MSR itself queues a "wake up all" page-ready with token 0xffffffff
 * (kvm_async_pf_wakeup_all), so every guest that turns the feature on gets one such interrupt.
 *
 * pv_asyncpf_run makes KVM produce a real pair. KVM decides on async PF in kvm_faultin_pfn when
 * the host page behind a guest page is not in memory and getting it needs I/O (GUP with
 * FOLL_NOWAIT fails), the vCPU can take the #PF (kvm_can_deliver_async_pf: enabled with
 * interrupt delivery, CPL3 unless SEND_ALWAYS) and interrupts are on (kvm_can_do_async_pf).
 * So the host takes one page out of memory when the guest asks (port 0x530, PageEvictPort:
 * vmm run --evict-port takes it away with userfaultfd and serves it back on the first touch, as
 * post-copy migration does; with --mem-path it drops the page from the page cache), and ring 3
 * code with IF=1 then reads that page. The not-present #PF handler waits with interrupts on for the page-ready interrupt
 * carrying the same token, then returns, and ring 3 retries the read, which must see the data
 * written before the eviction (it came back from the file). The same read done once before the
 * eviction, page resident, is the control: it must take no async PF. Ring 3 is a user_call
 * (user_mode.c) with interrupts on; interrupts.c offers its exceptions to pv_asyncpf_fixup first,
 * so the not-present #PF resumes ring 3 instead of ending the call.
 * On kvm-pvm ring 3 runs natively while ring 0 is emulated: an emulated access reads guest RAM
 * through the host mapping, which faults the page in synchronously, so ring 3 is also the only
 * place this host could do it (measured: with SEND_ALWAYS and the read done in ring 0 with IF=1,
 * 40 of 40 tries in 4 boots were synchronous and KVM's pf_taken counter did not move).
 */
#include "kernel.h"
#include "pvfeatures.h"
#include "pvchecks.h"

#define MSR_KVM_ASYNC_PF_EN 0x4b564d02
#define MSR_KVM_ASYNC_PF_INT 0x4b564d06
#define MSR_KVM_ASYNC_PF_ACK 0x4b564d07
#define APF_ENABLED 1
#define APF_DELIVERY_AS_INT 8
#define REASON_PAGE_NOT_PRESENT 1
#define EVICT_PORT 0x530 /* PageEvictPort: outl gfn, inl -> 1 evicted, 2 still resident, 3 failed */
#define PATTERN 0x5a17c0de600dfeedUL
/* Bound on each wait, ~2-8 s: a lost interrupt ends in a failure, not a hang. */
#define WAIT_CYCLES (1UL << 34)
#define ATTEMPTS 10
#define ATTEMPTS_STR "10"

volatile struct pv_apf_data pv_apf __attribute__((aligned(64)));
volatile u32 pv_apf_ready_count;  /* page-ready interrupts taken */
volatile u32 pv_apf_ready_token;  /* the token of the last one */

static volatile u32 wait_token;   /* the not-present token the #PF handler waits for */
static volatile int wait_done;    /* its page-ready came */

static void page_ready(struct exc_frame *fr)
{
    (void)fr;
    pv_apf_ready_token = pv_apf.token;
    if (wait_token && pv_apf.token == wait_token) wait_done = 1;
    pv_apf.token = 0;                  /* free the slot for KVM's next page-ready token */
    wrmsr(MSR_KVM_ASYNC_PF_ACK, 1);    /* the vector arrives only if ASYNC_PF_INT was accepted */
    __atomic_add_fetch(&pv_apf_ready_count, 1, __ATOMIC_RELEASE);
    apic_eoi();
}

void pv_asyncpf_init(void) { irq_register(PV_APF_VECTOR, page_ready); }

/* ---- ring 3 round trip ---- */
u8 pv_apf_probe[4096] __attribute__((aligned(4096))); /* the page the host evicts (first 4 MiB: user-accessible) */
volatile u64 pv_apf_user_value;                        /* what ring 3 read from it */

/* ring 3, by user_call_flags with USER_IF (async PF needs interrupts on): one read of the page.
 * After a "page not present" #PF the handler returns here and the load runs again. */
static void apf_user_read(void *arg)
{
    (void)arg;
    pv_apf_user_value = *(volatile u64 *)pv_apf_probe;
}

static int active;                 /* pv_asyncpf_run is in ring 3 */
static volatile u32 np_count, np_token, np_user, np_waited;

int pv_asyncpf_fixup(struct exc_frame *fr)
{
    if (!active) return 0;
    if (fr->vector == 14 && pv_apf.flags == REASON_PAGE_NOT_PRESENT) {
        u64 cr2;
        __asm__ volatile("mov %%cr2,%0" : "=r"(cr2));
        pv_apf.flags = 0;          /* consumed: KVM only reads it back to know it was */
        np_count++;
        np_token = (u32)cr2;
        np_user = (fr->cs & 3) == 3;
        wait_done = 0;
        wait_token = (u32)cr2;
        u64 t0 = rdtsc();
        irq_enable();              /* the page-ready interrupt nests on this stack */
        while (!wait_done && rdtsc() - t0 < WAIT_CYCLES) pause();
        irq_disable();
        np_waited = wait_done;
        wait_token = 0;
        return 1;                  /* back to ring 3, which retries the read */
    }
    return 0;
}

/* the ring-3 read; 0 if it came back by returning, else prints why not */
static int user_read(void)
{
    struct user_fault f;
    active = 1;
    int r = user_call_flags(0, apf_user_read, 0, USER_IF, &f);
    active = 0;
    if (r) printf("#   failed: ring 3 ended by exception %d (error 0x%lx) at rip=0x%lx, cr2=0x%lx\n",
                  f.vector, f.error, f.rip, f.cr2);
    return r == 0;
}

#define DESC PVCHECK_DESC(ASYNCPF_INT_REAL)

int pv_asyncpf_run(unsigned cpuid_eax, int leave, int num)
{
    const char *skip = 0;
    int ok = 1;
    if (!(cpuid_eax & (1u << 4)) || !(cpuid_eax & (1u << 14))) {
        skip = "kvm-asyncpf and kvm-asyncpf-int (CPUID bits 4, 14) not both offered";
    } else {
        pv_asyncpf_init();
        wrmsr(MSR_KVM_ASYNC_PF_INT, PV_APF_VECTOR);
        u32 before = pv_apf_ready_count;
        pv_apf.flags = 0;
        pv_apf.token = 0;
        wrmsr(MSR_KVM_ASYNC_PF_EN, (u64)&pv_apf | APF_ENABLED | APF_DELIVERY_AS_INT);
        u64 t0 = rdtsc(); /* take the wake-up-all page-ready the enable queued, so the slot is free */
        irq_enable();
        while (pv_apf_ready_count == before && rdtsc() - t0 < WAIT_CYCLES) pause();
        irq_disable();

        *(volatile u64 *)pv_apf_probe = PATTERN; /* data that has to come back from the file */
        /* the control: the same read of the page while it is resident takes no async PF */
        np_count = 0;
        if (!user_read()) ok = 0;
        if (np_count || pv_apf_user_value != PATTERN) {
            ok = 0;
            printf("#   failed: resident page: %u not-present #PF, read 0x%lx\n", np_count, pv_apf_user_value);
        }
        /* Several tries, each asking the host right before the read whether the page is still
         * out. With userfaultfd (--evict-port) the first try gets the async PF every time. With
         * the page cache (--mem-path; kvm-pvm, Linux 6.18, ext4) whole boots go synchronous now
         * and then, from one in six to all of them at times, although the page is still out right
         * before the read: the disk read seems to finish before KVM's non-blocking lookup checks
         * (not pinned down; with MADV_RANDOM on the page, i.e. no readahead, every try was
         * synchronous). */
        int back = 0; /* attempts where the page was back in memory before ring 3 read it */
        for (int attempt = 1; ok && !skip; attempt++) {
            *(volatile u64 *)pv_apf_probe = PATTERN;
            outl(EVICT_PORT, (u32)((u64)pv_apf_probe >> 12));
            u32 ev = 0;
            __asm__ volatile("inl %1,%0" : "=a"(ev) : "Nd"((u16)EVICT_PORT));
            if (ev == 0xffffffffu) {
                skip = "no page-eviction port 0x530 (vmm run --evict-port, or --mem-path DIR)";
                break;
            }
            if (ev != 1) {
                printf("# evict gpa 0x%lx -> %u\n", (u64)pv_apf_probe, ev);
                skip = ev == 2 ? "the host kept the page in its page cache after msync+MADV_DONTNEED+FADV_DONTNEED"
                               : "the host failed to evict the page (msync/madvise/posix_fadvise/mincore)";
                break;
            }
            np_count = 0;
            pv_apf_user_value = 0;
            u32 still_out = 0; /* asked again just before ring 3 reads: has the page come back? */
            __asm__ volatile("inl %1,%0" : "=a"(still_out) : "Nd"((u16)EVICT_PORT));
            if (!user_read()) ok = 0;
            if (still_out != 1) back++;
            printf("# attempt %d: evicted gpa 0x%lx (mincore: not resident, %s before the read); ring 3 read 0x%lx;"
                   " %u page-not-present #PF", attempt, (u64)pv_apf_probe,
                   still_out == 1 ? "still out" : "back in the page cache", pv_apf_user_value, np_count);
            if (np_count)
                printf(" token=0x%x from CPL%u, page ready %s (last token 0x%x)", np_token, np_user ? 3 : 0,
                       np_waited ? "with the same token" : "not seen", pv_apf_ready_token);
            printf("\n");
            if (pv_apf_user_value != PATTERN) { ok = 0; printf("#   failed: the page's data did not come back\n"); }
            if (np_count && !np_waited) { ok = 0; printf("#   failed: no page-ready for the token\n"); }
            if (np_count && !np_user) { ok = 0; printf("#   failed: not-present #PF outside ring 3\n"); }
            if (np_count) break;
            if (attempt == ATTEMPTS)
                skip = back == ATTEMPTS
                    ? "the evicted page was back in the host page cache before ring 3 read it, " ATTEMPTS_STR " times"
                    : "page evicted and not resident, but the host resolved the fault synchronously"
                      " (no 'page not present' #PF), " ATTEMPTS_STR " times";
        }
        if (!leave) wrmsr(MSR_KVM_ASYNC_PF_EN, 0);
    }
    printf("%s %d - %s", ok ? "ok" : "not ok", num, DESC);
    if (skip) printf(" # SKIP %s", skip);
    printf("\n");
    return !ok;
}
