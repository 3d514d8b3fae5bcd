package dev.vmm.cli.monitor;

/**
 * The guest as the human monitor and {@code memsave} look at it, while every vCPU is held outside
 * {@code KVM_RUN} ({@link MonitorTarget#inspect}): registers, guest virtual memory through a
 * vCPU's page tables, guest physical memory.
 */
public interface GuestView {
    int cpuCount();

    /** vCPU {@code cpu}'s registers in QEMU's {@code info registers} layout (x87/SSE included). */
    String registers(int cpu);

    /** A register by the names QEMU's monitor knows for {@code $name} (pc, rip, rax…r15, eflags, cr3, …); null if unknown. */
    Long register(int cpu, String name);

    /** Guest physical address of virtual {@code address} in {@code cpu}'s address space, or -1 when not mapped. */
    long translate(int cpu, long address);

    /** {@code length} bytes of guest physical memory; null unless every one of them is RAM. */
    byte[] readPhysical(long address, int length);

    /** {@code length} bytes at guest virtual {@code address} as {@code cpu} sees it; null when any page is unmapped or not RAM. */
    default byte[] readVirtual(int cpu, long address, int length) {
        byte[] out = new byte[length];
        int done = 0;
        while (done < length) {
            long va = address + done;
            int chunk = (int) Math.min(length - done, 4096 - (va & 0xfff));
            long pa = translate(cpu, va);
            if (pa < 0) return null;
            byte[] part = readPhysical(pa, chunk);
            if (part == null) return null;
            System.arraycopy(part, 0, out, done, chunk);
            done += chunk;
        }
        return out;
    }

    /** Whether every byte of {@code [address, address + length)} is guest RAM (one region). */
    boolean isRam(long address, long length);

    /** Bytes of guest RAM, for the bound {@code memsave} and {@code pmemsave} put on sizes. */
    long ramSize();
}
