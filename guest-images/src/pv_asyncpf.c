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
 */
#include "kernel.h"
#include "pvfeatures.h"

#define MSR_KVM_ASYNC_PF_ACK 0x4b564d07

volatile struct pv_apf_data pv_apf __attribute__((aligned(64)));
volatile u32 pv_apf_ready_count;  /* page-ready interrupts taken */
volatile u32 pv_apf_ready_token;  /* the token of the last one */

static void page_ready(struct exc_frame *fr)
{
    (void)fr;
    pv_apf_ready_token = pv_apf.token;
    pv_apf.token = 0;                  /* free the slot for KVM's next page-ready token */
    wrmsr(MSR_KVM_ASYNC_PF_ACK, 1);    /* the vector arrives only if ASYNC_PF_INT was accepted */
    __atomic_add_fetch(&pv_apf_ready_count, 1, __ATOMIC_RELEASE);
    apic_eoi();
}

void pv_asyncpf_init(void) { irq_register(PV_APF_VECTOR, page_ready); }
