package dev.vmm.cli.monitor;

/**
 * QMP's {@code memsave} (guest virtual memory as a vCPU sees it) and {@code pmemsave} (guest
 * physical memory) to a file, with QEMU's error texts. Unlike QEMU, the whole range is checked
 * before the file is opened, so a bad address leaves an existing file alone instead of truncated,
 * and physical ranges must be RAM (QEMU reads unassigned addresses as 0xff and device registers
 * with their side effects).
 */
final class MemorySave {
    private static final int CHUNK = 64 * 1024;

    private MemorySave() {
    }

    /** @param cpu the vCPU whose page tables translate {@code address}, or -1 for guest physical memory */
    static void save(GuestView view, int cpu, long address, long size, String filename) {
        String invalid = String.format("Invalid addr 0x%016x/size %d specified", address, size);
        if (size < 0 || size > view.ramSize()) {
            throw QmpError.generic(invalid);
        }
        // every page first: nothing is written (or truncated) for a range that cannot be read whole
        for (long done = 0; done < size; ) {
            long a = address + done;
            int chunk = (int) Math.min(size - done, cpu < 0 ? CHUNK : 4096 - (a & 0xfff));
            long pa = cpu < 0 ? a : view.translate(cpu, a);
            if (pa < 0 || !view.isRam(pa, chunk)) {
                throw QmpError.generic(invalid);
            }
            done += chunk;
        }
        try (DumpFile file = DumpFile.create(filename)) {
            for (long done = 0; done < size; ) {
                int chunk = (int) Math.min(size - done, CHUNK);
                byte[] bytes = cpu < 0 ? view.readPhysical(address + done, chunk) : view.readVirtual(cpu, address + done, chunk);
                if (bytes == null) {
                    throw QmpError.generic(invalid);
                }
                file.write(bytes);
                done += chunk;
            }
        }
    }
}
