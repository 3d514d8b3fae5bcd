package dev.vmm.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class KernelLoaderTest {
    private static final BootOptions OPTS = BootOptions.of("kernel.bin", "", 64L << 20, 1);

    private static String error(byte[] img) {
        return assertThrows(BootException.class, () -> KernelLoader.load(img, OPTS)).getMessage();
    }

    @Test
    void emptyFile() {
        assertEquals("kernel.bin: kernel file is empty", error(new byte[0]));
    }

    @Test
    void garbage() {
        assertEquals("kernel.bin: not an ELF, PVH, multiboot or Linux bzImage kernel", error(new byte[100]));
    }

    @Test
    void plainElf32WithoutPvhOrMultiboot() {
        byte[] img = new TestElf(false).segment(0x100000, new byte[4], 4).build();
        assertEquals("kernel.bin: not an ELF, PVH, multiboot or Linux bzImage kernel", error(img));
    }

    @Test
    void plainElf64IsAVmlinux() {
        byte[] img = new TestElf(true).segment(0x1000000, new byte[4], 4).build();
        assertEquals(KernelLoader.Format.VMLINUX, KernelLoader.detect(img, "k"));
    }

    @Test
    void pvhPreferredOverMultiboot() {
        byte[] img = TestElf.pvh(false, 0x100000).prefix(TestElf.multibootHeader(0x3, 0, 0, 0, 0, 0))
                .segment(0x100000, new byte[4], 4).build();
        assertEquals(KernelLoader.Format.PVH, KernelLoader.detect(img, "k"));
    }

    @Test
    void noLoadableSegments() {
        byte[] img = TestElf.pvh(false, 0x100000).build();
        assertEquals("kernel.bin: ELF file has no loadable segments", error(img));
    }

    @Test
    void planRejectsOverlappingWrites() {
        EntryState e = new EntryState(CpuMode.PROTECTED_32, 0, 0, 0, 0);
        assertThrows(BootException.class, () -> new BootPlan(
                List.of(new MemoryWrite(0x1000, new byte[16]), new MemoryWrite(0x100f, new byte[1])), List.of(), e));
        new BootPlan(List.of(new MemoryWrite(0x1000, new byte[16]), new MemoryWrite(0x1010, new byte[1])), List.of(), e);
    }
}
