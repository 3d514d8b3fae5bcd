package dev.vmm.boot;

/** One ELF program header, widened to 64-bit fields whatever the ELF class. */
public record ProgramHeader(int type, int flags, long offset, long vaddr, long paddr,
                            long filesz, long memsz, long align) {
    public static final int PT_LOAD = 1;
    public static final int PT_NOTE = 4;
}
