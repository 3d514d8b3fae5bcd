package dev.vmm.boot;

import dev.vmm.platform.PlatformLayout;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class LinuxLoaderTest {
    /** A synthetic bzImage: 4 setup sectors + boot sector, then {@code pmSize} bytes of "kernel". */
    static byte[] bzImage(int version, int pmSize) {
        byte[] img = new byte[5 * 512 + pmSize];
        ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
        img[0x1f1] = 4;
        b.putInt(0x1f4, (pmSize + 15) / 16);
        b.putShort(0x1fe, (short) 0xAA55);
        img[0x200] = (byte) 0xeb;
        img[0x201] = 0x66;
        b.putInt(0x202, LinuxLoader.HDRS_MAGIC);
        b.putShort(0x206, (short) version);
        b.putInt(0x214, 0x100000);
        b.putInt(0x22c, 0x7fffffff);
        b.putInt(0x230, 0x200000);
        img[0x234] = 1;
        b.putShort(0x236, (short) 0x1);
        b.putInt(0x238, 0x7ff);
        b.putLong(0x258, 0x1000000);
        b.putInt(0x260, 0x2000000);
        for (int i = 0; i < pmSize; i++) {
            img[5 * 512 + i] = (byte) i;
        }
        return img;
    }

    private static MemoryWrite at(BootPlan plan, long gpa) {
        return plan.writes().stream().filter(w -> w.gpa() == gpa).findFirst().orElseThrow();
    }

    @Test
    void detectedAndEnteredInLongMode() {
        byte[] img = bzImage(0x020f, 4096);
        assertEquals(KernelLoader.Format.BZIMAGE, KernelLoader.detect(img, "bz"));
        BootPlan plan = KernelLoader.load(img, BootOptions.of("bz", "console=ttyS0", 256L << 20, 1)
                .withInitrd(new byte[10000]));
        assertEquals(CpuMode.LONG_64, plan.entry().mode());
        assertEquals(0x100200, plan.entry().rip());
        assertEquals(PlatformLayout.LINUX_BOOT_PARAMS, plan.entry().rsi());
        assertEquals(4096, at(plan, 0x100000).length());
        ByteBuffer z = ByteBuffer.wrap(at(plan, PlatformLayout.LINUX_BOOT_PARAMS).data()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(LinuxLoader.HDRS_MAGIC, z.getInt(0x202));
        assertEquals(0xff, z.get(0x210) & 0xff);
        assertTrue((z.get(0x211) & 0x80) != 0);
        assertEquals(PlatformLayout.CMDLINE, z.getInt(0x228));
        long initrd = Integer.toUnsignedLong(z.getInt(0x218));
        assertEquals(10000, z.getInt(0x21c));
        assertEquals(((256L << 20) - 10000) & ~0xfffL, initrd);
        assertEquals(10000, at(plan, initrd).length());
        assertEquals(4, z.get(0x1e8));
        assertEquals(0, z.getLong(0x2d0));
        assertEquals(0x9fc00, z.getLong(0x2d8));
        assertEquals(1, z.getInt(0x2e0));
        assertEquals(PlatformLayout.ACPI_BASE, z.getLong(0x70));
        assertArrayEquals(new byte[] {'c', 'o', 'n'}, java.util.Arrays.copyOf(at(plan, PlatformLayout.CMDLINE).data(), 3));
        ByteBuffer pt = ByteBuffer.wrap(at(plan, PlatformLayout.PML4).data()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(PlatformLayout.PDPT | 3, pt.getLong(0));
        long lastPde = pt.getLong((int) (PlatformLayout.PAGE_DIRECTORIES - PlatformLayout.PML4) + 8 * 2047);
        assertEquals(0xffe00000L | 0x83, lastPde);
    }

    @Test
    void oldProtocolRefused() {
        BootException e = assertThrows(BootException.class,
                () -> KernelLoader.load(bzImage(0x020b, 4096), BootOptions.of("bz", "", 256L << 20, 1)));
        assertEquals("bz: Linux boot protocol 2.11 is too old: the 64-bit entry needs 2.12 or later", e.getMessage());
    }

    @Test
    void truncatedRefused() {
        byte[] img = java.util.Arrays.copyOf(bzImage(0x020f, 8192), 5 * 512 + 100);
        BootException e = assertThrows(BootException.class,
                () -> KernelLoader.load(img, BootOptions.of("bz", "", 256L << 20, 1)));
        assertTrue(e.getMessage().startsWith("bz: truncated bzImage"), e.getMessage());
    }

    @Test
    void commandLineLongerThanCmdlineSize() {
        BootException e = assertThrows(BootException.class,
                () -> KernelLoader.load(bzImage(0x020f, 4096), BootOptions.of("bz", "x".repeat(2048), 256L << 20, 1)));
        assertEquals("bz: kernel command line is too long (2048 bytes, the kernel accepts at most 2047)", e.getMessage());
    }

    @Test
    void initrdTooLarge() {
        BootException e = assertThrows(BootException.class,
                () -> KernelLoader.load(bzImage(0x020f, 4096), BootOptions.of("bz", "", 64L << 20, 1)
                        .withInitrd(new byte[20 << 20])));
        assertTrue(e.getMessage().startsWith("initrd of 20971520 bytes does not fit"), e.getMessage());
    }
}
