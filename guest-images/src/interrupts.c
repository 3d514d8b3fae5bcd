/* interrupts.c: the IDT (one for every CPU) and the dispatch of exceptions and interrupts.
 * Vectors 0-31 are exceptions; 32-255 are interrupts, handled by whoever registered them. */
#include "kernel.h"
#include "pvfeatures.h"

struct idt_entry { u16 off_lo, sel; u8 ist, type; u16 off_mid; u32 off_hi, zero; } __attribute__((packed));
static struct idt_entry idt[256] __attribute__((aligned(16)));
static irq_handler_t handlers[256];
static int idt_built;

extern u64 exc_stubs[32];
extern u8 irq_stubs[]; /* 224 stubs of 16 bytes, vector 32 first (boot.S) */

void irq_register(u8 vector, irq_handler_t h) { handlers[vector] = h; }

static void spurious(struct exc_frame *fr) { (void)fr; } /* no EOI for the spurious vector */

void idt_load(void)
{
    if (!idt_built) {
        for (int i = 0; i < 256; i++) {
            u64 h = i < 32 ? exc_stubs[i] : (u64)(irq_stubs + (i - 32) * 16);
            idt[i].off_lo = (u16)h;
            idt[i].sel = 0x18;
            idt[i].ist = 0;
            idt[i].type = 0x8E; /* present, DPL0, 64-bit interrupt gate: IF=0 in handlers */
            idt[i].off_mid = (u16)(h >> 16);
            idt[i].off_hi = (u32)(h >> 32);
            idt[i].zero = 0;
        }
        handlers[APIC_SPURIOUS_VECTOR] = spurious;
        idt_built = 1;
    }
    struct { u16 limit; u64 base; } __attribute__((packed)) p = { sizeof(idt) - 1, (u64)idt };
    __asm__ volatile("lidt %0" ::"m"(p));
}

/* called by boot.S's common stub; returning resumes at fr->rip */
void exception_handler(struct exc_frame *fr)
{
    if (fr->vector >= 32) {
        irq_handler_t h = handlers[fr->vector];
        if (h) { h(fr); return; }
        printf("# unexpected interrupt vector %u at rip=0x%lx\n", (u32)fr->vector, fr->rip);
        apic_eoi();
        return;
    }
    if (pvfeatures_fixup(fr)) return; /* expected #GP of a guarded MSR access: resume */
    /* before user_mode_fixup: the async PF "page not present" #PF is taken in a user_call's ring 3
     * but must resume it, not end it */
    if (pv_asyncpf_fixup(fr)) return;
    if (user_mode_fixup(fr)) return;  /* the end of a user_call's ring 3, or a fault there */
    fatal_exception(fr);
}
