package dev.vmm.vm;

/**
 * A KVM_EXIT_DEBUG: the vCPU stopped for a debugger.
 *
 * @param exception 1 (#DB: single step or a hardware breakpoint/watchpoint) or 3 (#BP: an int3)
 * @param pc        linear address of the instruction (RIP plus CS base)
 * @param dr6       DR6: bits 0-3 = which of DR0-DR3 matched, bit 14 (BS) = single step
 */
public record DebugExit(int exception, long pc, long dr6, long dr7) {
    public static final int DB_VECTOR = 1;
    public static final int BP_VECTOR = 3;
    public static final long DR6_SINGLE_STEP = 1L << 14;

    /** Index 0-3 of the debug register whose breakpoint matched, or -1. */
    public int hardwareSlot() {
        if (exception != DB_VECTOR) {
            return -1;
        }
        for (int i = 0; i < 4; i++) {
            if ((dr6 & (1L << i)) != 0) {
                return i;
            }
        }
        return -1;
    }
}
