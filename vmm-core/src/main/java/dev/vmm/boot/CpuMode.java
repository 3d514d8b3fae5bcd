package dev.vmm.boot;

/** The processor mode a boot protocol hands over in. */
public enum CpuMode {
    /**
     * 32-bit protected mode, paging off, as both PVH and multiboot v1 require: CR0.PE=1 only;
     * CS = selector {@link EntryState#CODE_SELECTOR}, flat base 0 limit 4 GiB, 32-bit code;
     * DS/ES/FS/GS/SS = selector {@link EntryState#DATA_SELECTOR}, flat read/write;
     * interrupts off, EFLAGS = {@link EntryState#EFLAGS}.
     */
    PROTECTED_32
    // LONG_64 goes here once a 64-bit entry protocol (e.g. the Linux boot protocol) exists.
}
