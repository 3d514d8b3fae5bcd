package dev.vmm.boot;

import dev.vmm.platform.PlatformLayout;
import static dev.vmm.boot.TestElf.u32;
import static dev.vmm.boot.TestElf.u64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmm.firmware.E820Entry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PvhLoaderTest {
    static byte[] at(BootPlan plan, long gpa) {
        return plan.writes().stream().filter(w -> w.gpa() == gpa).findFirst().orElseThrow().data();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void buildsPlan(boolean is64) {
        byte[] code = {(byte) 0xF4, (byte) 0xEB, (byte) 0xFE};
        byte[] img = TestElf.pvh(is64, 0x100000).segment(0x100000, code, 0x3000).build();
        BootOptions opts = BootOptions.of("k.elf", "console=ttyS0", 256L << 20, 2);
        BootPlan plan = KernelLoader.load(img, opts);

        assertEquals(CpuMode.PROTECTED_32, plan.entry().mode());
        assertEquals(0x100000, plan.entry().rip());
        assertEquals(PlatformLayout.PVH_START_INFO, plan.entry().rbx());
        assertArrayEquals(code, at(plan, 0x100000));
        assertEquals(List.of(new ZeroFill(0x100003, 0x3000 - 3)), plan.zeroFills());

        byte[] si = at(plan, PlatformLayout.PVH_START_INFO);
        assertEquals(HvmStartInfo.SIZE, si.length);
        assertEquals(0x336ec578, u32(si, 0));
        assertEquals(1, u32(si, 4));
        assertEquals(0, u32(si, 8));
        assertEquals(0, u32(si, 12));
        assertEquals(0, u64(si, 16));
        assertEquals(PlatformLayout.CMDLINE, u64(si, 24));
        assertEquals(PlatformLayout.ACPI_BASE, u64(si, 32));
        assertEquals(PlatformLayout.PVH_MEMMAP, u64(si, 40));
        assertEquals(opts.memoryMap().size(), u32(si, 48));
        assertEquals(0, u32(si, 52));

        byte[] mm = at(plan, PlatformLayout.PVH_MEMMAP);
        assertEquals(opts.memoryMap().size() * 24, mm.length);
        for (int i = 0; i < opts.memoryMap().size(); i++) {
            E820Entry e = opts.memoryMap().get(i);
            assertEquals(e.address(), u64(mm, i * 24));
            assertEquals(e.size(), u64(mm, i * 24 + 8));
            assertEquals(e.type(), u32(mm, i * 24 + 16));
            assertEquals(0, u32(mm, i * 24 + 20));
        }
        assertArrayEquals("console=ttyS0\0".getBytes(StandardCharsets.US_ASCII), at(plan, PlatformLayout.CMDLINE));
        // The loader only passes the tables' address on: the machine builds and writes them.
        assertTrue(plan.writes().stream().noneMatch(w -> w.gpa() == PlatformLayout.ACPI_BASE));
        BootPlan elsewhere = KernelLoader.load(img, new BootOptions(opts.kernelFileName(), opts.cmdline(),
                opts.ramSize(), opts.cpuCount(), opts.memoryMap(), opts.initrd(), opts.apicIds(), 0xE0000));
        assertEquals(0xE0000, u64(at(elsewhere, PlatformLayout.PVH_START_INFO), 32));
    }

    @Test
    void u64EntryNote() {
        byte[] desc = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0x200000).array();
        byte[] img = new TestElf(true).note("Xen", 18, desc).segment(0x200000, new byte[8], 8).build();
        assertEquals(0x200000, KernelLoader.load(img, BootOptions.of("k", "", 64L << 20, 1)).entry().rip());
    }

    @Test
    void segmentOutsideRam() {
        byte[] img = TestElf.pvh(false, 0x100000).segment(0x4000000, new byte[16], 0x1000).build();
        BootException e = assertThrows(BootException.class,
                () -> KernelLoader.load(img, BootOptions.of("k.elf", "", 64L << 20, 1)));
        assertEquals("k.elf: kernel segment 0x4000000-0x4000fff lies outside guest RAM (RAM size 64 MiB)", e.getMessage());
    }

    @Test
    void lowSegmentLoadsAndStartInfoMovesOutOfItsWay() {
        // a kernel over 0x5000-0x7fff (where start info and memmap usually go) and the command line page
        byte[] img = TestElf.pvh(false, 0x5000).segment(0x5000, new byte[16], 0x3000)
                .segment(0x20000, new byte[16], 16).build();
        BootPlan plan = KernelLoader.load(img, BootOptions.of("k", "hello", 64L << 20, 1));
        long info = plan.entry().rbx();
        assertEquals(0x1000, info, "start info at the first free page");
        assertEquals(0x5000, plan.entry().rip());
        assertArrayEquals(new byte[16], at(plan, 0x5000));
        byte[] start = at(plan, info);
        long cmdline = TestElf.u64(start, 24);
        assertTrue(cmdline != 0x20000 && cmdline < 0xA0000, "command line moved: 0x" + Long.toHexString(cmdline));
        assertArrayEquals("hello\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII), at(plan, cmdline));
    }

    @Test
    void segmentOnPageZeroOrAcpiStillRefused() {
        byte[] zero = TestElf.pvh(false, 0x100).segment(0x100, new byte[16], 16).build();
        BootException e = assertThrows(BootException.class,
                () -> KernelLoader.load(zero, BootOptions.of("k", "", 64L << 20, 1)));
        assertEquals("k: kernel segment 0x100-0x10f overlaps the page 0 area 0x0-0xfff", e.getMessage());
        byte[] acpi = TestElf.pvh(false, 0xF8000).segment(0xF8000, new byte[16], 16).build();
        e = assertThrows(BootException.class, () -> KernelLoader.load(acpi, BootOptions.of("k", "", 64L << 20, 1)));
        assertEquals("k: kernel segment 0xf8000-0xf800f overlaps the ACPI tables area 0xf0000-0xfffff", e.getMessage());
    }

    @Test
    void overlappingSegmentsRejected() {
        byte[] img = TestElf.pvh(false, 0x100000)
                .segment(0x100000, new byte[16], 0x100).segment(0x100080, new byte[16], 16).build();
        BootException e = assertThrows(BootException.class,
                () -> KernelLoader.load(img, BootOptions.of("k", "", 64L << 20, 1)));
        assertEquals("boot plan overlap: zero fill 0x100010-0x1000ff and write 0x100080-0x10008f", e.getMessage());
    }

    @Test
    void cmdlineTooLong() {
        byte[] img = TestElf.pvh(false, 0x100000).segment(0x100000, new byte[16], 16).build();
        BootException e = assertThrows(BootException.class,
                () -> KernelLoader.load(img, BootOptions.of("k", "a".repeat(0x10000), 64L << 20, 1)));
        assertEquals("kernel command line is too long (65536 bytes, at most 65535)", e.getMessage());
    }
}
