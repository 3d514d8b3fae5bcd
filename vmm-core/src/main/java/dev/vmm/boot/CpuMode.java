package dev.vmm.boot;

import dev.vmm.platform.PlatformLayout;
/** The processor mode a boot protocol hands over in. */
public enum CpuMode {
    /**
     * 32-bit protected mode, paging off, as both PVH and multiboot v1 require: CR0.PE=1 only;
     * CS = selector {@link EntryState#CODE_SELECTOR}, flat base 0 limit 4 GiB, 32-bit code;
     * DS/ES/FS/GS/SS = selector {@link EntryState#DATA_SELECTOR}, flat read/write;
     * interrupts off, EFLAGS = {@link EntryState#EFLAGS}.
     */
    PROTECTED_32,
    /**
     * 64-bit long mode as the Linux boot protocol's 64-bit entry requires: CR0.PE|PG, CR4.PAE,
     * EFER.LME|LMA, CR3 = {@link PlatformLayout#PML4} (identity map of the first 4 GiB with 2 MiB
     * pages, written by the loader), GDT at {@link PlatformLayout#BOOT_GDT} with a flat 64-bit code
     * segment at {@link EntryState#LINUX_CODE_SELECTOR} and data at {@link EntryState#LINUX_DATA_SELECTOR};
     * interrupts off.
     */
    LONG_64
}
