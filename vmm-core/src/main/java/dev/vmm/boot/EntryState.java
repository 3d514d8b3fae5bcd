package dev.vmm.boot;

/**
 * Initial vCPU 0 state for a boot plan. Registers not named here are zero.
 *
 * @param mode processor mode, which fixes segment and control register contents
 * @param rip  entry point (guest-physical; paging is off)
 * @param rax  multiboot: the 0x2BADB002 magic
 * @param rbx  multiboot: info address; PVH: hvm_start_info address
 * @param rsi  reserved for protocols passing a pointer in RSI (Linux boot protocol)
 */
public record EntryState(CpuMode mode, long rip, long rax, long rbx, long rsi) {
    /** Flat 32-bit code segment selector (GDT index 1). */
    public static final int CODE_SELECTOR = 0x08;
    /** Flat data segment selector (GDT index 2). */
    public static final int DATA_SELECTOR = 0x10;
    /** Linux boot protocol __BOOT_CS: flat 64-bit code (GDT index 2). */
    public static final int LINUX_CODE_SELECTOR = 0x10;
    /** Linux boot protocol __BOOT_DS: flat data (GDT index 3). */
    public static final int LINUX_DATA_SELECTOR = 0x18;
    /** Only the always-one bit 1: interrupts disabled. */
    public static final long EFLAGS = 0x2;

    public EntryState {
        if (mode == null) {
            throw new IllegalArgumentException("mode is required");
        }
    }
}
