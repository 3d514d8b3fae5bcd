/* serial_input.c: pvtest.echo — the console's input path, interrupt-driven as Linux's 8250 driver
 * uses it: COM1's "received data available" interrupt (IER bit 0) on ISA IRQ 4, routed by the
 * IOAPIC (in KVM, or vmm's own with kernel-irqchip=split) to the BSP. Each received line is
 * printed back as "# echo: <line>"; the line "quit" ends the check. */
#include "kernel.h"
#include "serial_input.h"

#define COM1 0x3f8
#define IOAPIC 0xFEC00000UL
#define COM1_IRQ 4
#define RX_VECTOR 0x44

static char line[128];
static volatile u32 len, interrupts, done, lines;

static void ioapic_write(u32 reg, u32 v)
{
    mmio_w32(IOAPIC, reg);
    mmio_w32(IOAPIC + 0x10, v);
}

static void rx_interrupt(struct exc_frame *fr)
{
    (void)fr;
    interrupts++;
    while (inb(COM1 + 5) & 0x01) { /* LSR.DR: a byte is waiting */
        char c = (char)inb(COM1);
        if (c == '\r') continue;
        if (c != '\n' && len < sizeof(line) - 1) { line[len++] = c; continue; }
        if (c != '\n') continue; /* overlong line: keep the start */
        line[len] = 0;
        lines++;
        if (len == 4 && line[0] == 'q' && line[1] == 'u' && line[2] == 'i' && line[3] == 't') done = 1;
        else printf("# echo: %s\n", line);
        len = 0;
    }
    apic_eoi();
}

int serial_input_run(void)
{
    irq_register(RX_VECTOR, rx_interrupt);
    apic_enable();
    /* pin 4: fixed, physical, active high, edge, unmasked, to this CPU */
    ioapic_write(0x10 + 2 * COM1_IRQ + 1, apic_id() << 24); /* the BSP's ID is below 256 */
    ioapic_write(0x10 + 2 * COM1_IRQ, RX_VECTOR);
    outb(COM1 + 4, 0x0B); /* MCR: DTR, RTS, OUT2 (PCs gate the UART's IRQ with OUT2) */
    outb(COM1 + 1, 0x01); /* IER: received data available */
    printf("# echo: type lines, \"quit\" ends\n");
    while (!done) __asm__ volatile("sti; hlt; cli" ::: "memory");
    outb(COM1 + 1, 0x00);
    ioapic_write(0x10 + 2 * COM1_IRQ, 1u << 16); /* masked again */
    printf("# echo: %u lines in %u interrupts\n", lines, interrupts);
    return interrupts > 0 && lines > 0;
}
