package dev.vmm.boot;

import dev.vmm.platform.PlatformLayout;
import static dev.vmm.boot.PvhLoaderTest.at;
import static dev.vmm.boot.TestElf.u32;
import static dev.vmm.boot.TestElf.u64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vmm.firmware.E820Entry;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class MultibootLoaderTest {
    static byte[] elfKernel() {
        return new TestElf(false).entry(0x10000C)
                .prefix(TestElf.multibootHeader(0x3, 0, 0, 0, 0, 0))
                .segment(0x100000, new byte[] {9, 9, 9, 9}, 0x1000).build();
    }

    @Test
    void elfMultiboot() {
        BootOptions opts = BootOptions.of("guest/test.elf", "verbose", 128L << 20, 1);
        assertEquals(KernelLoader.Format.MULTIBOOT, KernelLoader.detect(elfKernel(), "k"));
        BootPlan plan = KernelLoader.load(elfKernel(), opts);
        assertEquals(CpuMode.PROTECTED_32, plan.entry().mode());
        assertEquals(0x10000C, plan.entry().rip());
        assertEquals(0x2BADB002L, plan.entry().rax());
        assertEquals(PlatformLayout.MULTIBOOT_INFO, plan.entry().rbx());
        assertArrayEquals(new byte[] {9, 9, 9, 9}, at(plan, 0x100000));
        assertEquals(List.of(new ZeroFill(0x100004, 0x1000 - 4)), plan.zeroFills());

        byte[] info = at(plan, PlatformLayout.MULTIBOOT_INFO);
        assertEquals(MultibootInfo.SIZE, info.length);
        assertEquals(1 | 4 | 64 | 512, u32(info, 0));
        assertEquals(640, u32(info, 4));
        assertEquals((128 << 10) - 1024, u32(info, 8));
        assertEquals(PlatformLayout.CMDLINE, u32(info, 16));
        assertEquals(opts.memoryMap().size() * 24, u32(info, 44));
        assertEquals(PlatformLayout.MULTIBOOT_MMAP, u32(info, 48));
        assertEquals(PlatformLayout.MULTIBOOT_LOADER_NAME, u32(info, 64));

        assertArrayEquals("guest/test.elf verbose\0".getBytes(StandardCharsets.US_ASCII), at(plan, PlatformLayout.CMDLINE));
        assertArrayEquals("vmm\0".getBytes(StandardCharsets.US_ASCII), at(plan, PlatformLayout.MULTIBOOT_LOADER_NAME));

        byte[] mm = at(plan, PlatformLayout.MULTIBOOT_MMAP);
        for (int i = 0; i < opts.memoryMap().size(); i++) {
            E820Entry e = opts.memoryMap().get(i);
            assertEquals(20, u32(mm, i * 24));
            assertEquals(e.address(), u64(mm, i * 24 + 4));
            assertEquals(e.size(), u64(mm, i * 24 + 12));
            assertEquals(e.type(), u32(mm, i * 24 + 20));
        }
    }

    @Test
    void lowElfLoadsWhereItAsksAndInfoMoves() {
        // a test binary linked at 0x4000 that covers vmm's usual multiboot info page 0x5000
        byte[] img = new TestElf(false).entry(0x4000).prefix(TestElf.multibootHeader(0x3, 0, 0, 0, 0, 0))
                .segment(0x4000, new byte[] {1, 2, 3}, 0x4000).build();
        BootPlan plan = KernelLoader.load(img, BootOptions.of("low.elf", "x", 64L << 20, 1));
        assertArrayEquals(new byte[] {1, 2, 3}, at(plan, 0x4000));
        long info = plan.entry().rbx();
        assertEquals(0x1000, info);
        byte[] mbi = at(plan, info);
        assertEquals(0x1100, u32(mbi, 48), "mmap follows the info block");
        assertEquals(PlatformLayout.CMDLINE, u32(mbi, 16), "the command line page was free");
        assertArrayEquals("low.elf x\0".getBytes(StandardCharsets.US_ASCII), at(plan, PlatformLayout.CMDLINE));
    }

    @Test
    void noRoomForInfoIsOneClearError() {
        // conventional memory 0x1000-0x9fbff taken entirely, and RAM ends right after the kernel's high part
        byte[] img = new TestElf(false).entry(0x1000).prefix(TestElf.multibootHeader(0x3, 0, 0, 0, 0, 0))
                .segment(0x1000, new byte[] {1}, 0x9F000).segment(0x100000, new byte[] {1}, 0x100000).build();
        BootException e = assertThrows(BootException.class, () -> KernelLoader.load(img, BootOptions.of("k", "", 2L << 20, 1)));
        assertEquals("no room for the multiboot information (4096 bytes) below 2 MiB next to the kernel's segments", e.getMessage());
    }

    @Test
    void emptyAppendKeepsQemuTrailingSpace() {
        assertEquals("k.elf ", MultibootLoader.commandLine(BootOptions.of("k.elf", "", 64L << 20, 1)));
    }

    @Test
    void memUpperCappedBelow3GiB() {
        BootPlan plan = KernelLoader.load(elfKernel(), BootOptions.of("k", "", 6L << 30, 1));
        assertEquals((0xC0000000L - 0x100000) / 1024, Integer.toUnsignedLong(u32(at(plan, PlatformLayout.MULTIBOOT_INFO), 8)));
    }

    @Test
    void aoutKludge() {
        // Flat binary: header at file offset 0, loaded at 0x100000, 0x40 bytes + 0x100 BSS.
        byte[] img = new byte[0x40];
        System.arraycopy(TestElf.multibootHeader(0x10003, 0x100000, 0x100000, 0x100040, 0x100140, 0x100020),
                0, img, 0, 32);
        img[0x20] = (byte) 0xF4;
        BootPlan plan = KernelLoader.load(img, BootOptions.of("flat.bin", "", 64L << 20, 1));
        assertEquals(0x100020, plan.entry().rip());
        assertArrayEquals(img, at(plan, 0x100000));
        assertEquals(List.of(new ZeroFill(0x100040, 0x100)), plan.zeroFills());
    }

    @Test
    void multiboot64BitElfRejected() {
        byte[] img = new TestElf(true).prefix(TestElf.multibootHeader(0x3, 0, 0, 0, 0, 0))
                .segment(0x100000, new byte[4], 4).build();
        assertEquals("k: cannot load a 64-bit ELF via multiboot, give a 32-bit one",
                assertThrows(BootException.class, () -> KernelLoader.load(img, BootOptions.of("k", "", 64L << 20, 1)))
                        .getMessage());
    }

    @Test
    void multibootNonElfWithoutKludge() {
        byte[] img = Arrays.copyOf(TestElf.multibootHeader(0x3, 0, 0, 0, 0, 0), 64);
        assertEquals("k: multiboot kernel is neither ELF nor uses the a.out kludge",
                assertThrows(BootException.class, () -> KernelLoader.load(img, BootOptions.of("k", "", 64L << 20, 1)))
                        .getMessage());
    }

    @Test
    void headerBeyond8KiBIgnored() {
        byte[] img = new byte[8192 + 64];
        System.arraycopy(TestElf.multibootHeader(0x3, 0, 0, 0, 0, 0), 0, img, 8192, 32);
        assertEquals("k: not an ELF, PVH, multiboot or Linux bzImage kernel",
                assertThrows(BootException.class, () -> KernelLoader.detect(img, "k")).getMessage());
    }

    @Test
    void badChecksumIgnored() {
        byte[] hdr = TestElf.multibootHeader(0x3, 0, 0, 0, 0, 0);
        hdr[8]++;
        assertThrows(BootException.class, () -> KernelLoader.detect(Arrays.copyOf(hdr, 64), "k"));
    }
}
