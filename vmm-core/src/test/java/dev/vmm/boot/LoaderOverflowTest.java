package dev.vmm.boot;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 14: bounds checks must not overflow. Every header field of every kernel format is set,
 * one at a time, to the values where additions wrap (near 2^31, 2^32, 2^63, 2^64); the loader
 * must then either build a plan or refuse with a {@link BootException}, never an index or
 * arithmetic exception (before the fix an ELF64 e_phoff near 2^63 gave IndexOutOfBoundsException).
 */
class LoaderOverflowTest {
    private static final BootOptions OPTIONS = BootOptions.of("k", "", 64L << 20, 1).withInitrd(new byte[4096]);
    private static final long[] EXTREME_64 = {Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 7, -1L, -4096L,
            0x7fff_ffffL, 0xffff_ffffL, 0x1_0000_0000L};
    private static final int[] EXTREME_32 = {-1, Integer.MAX_VALUE, Integer.MIN_VALUE, -4096, 0x7fff_fff0, 0};

    static List<byte[]> kernels() {
        List<byte[]> out = new ArrayList<>();
        byte[] seg = new byte[256];
        out.add(TestElf.pvh(true, 0x100000).segment(0x100000, seg, 0x2000).build());
        out.add(TestElf.pvh(false, 0x100000).segment(0x100000, seg, 0x2000).build());
        out.add(new TestElf(true).segment(0x1000000, seg, 0x2000).entry(0x1000000).build()); // vmlinux
        out.add(MultibootLoaderTest.elfKernel());
        out.add(LinuxLoaderTest.bzImage(0x020f, 4096));
        byte[] aout = new byte[8192];
        System.arraycopy(TestElf.multibootHeader(MultibootHeader.FLAG_AOUT_KLUDGE, 0x100000, 0x100000, 0x101000,
                0x102000, 0x100020), 0, aout, 0, 32);
        out.add(aout);
        return out;
    }

    private static void loadOrRefuse(byte[] image, String what) {
        try {
            KernelLoader.load(image, OPTIONS);
        } catch (BootException e) {
            assertTrue(e.getMessage().lines().count() == 1, "one line: " + e.getMessage());
        } catch (RuntimeException e) {
            fail(what + ": " + e, e);
        }
    }

    @Test
    void everyHeaderFieldAtItsOverflowValuesIsRefusedCleanly() {
        int k = 0;
        for (byte[] kernel : kernels()) {
            int limit = Math.min(kernel.length, 0x300);
            for (int at = 0; at + 4 <= limit; at += 4) {
                for (int v : EXTREME_32) {
                    byte[] m = kernel.clone();
                    ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).putInt(at, v);
                    fixMultibootChecksum(m);
                    loadOrRefuse(m, "kernel " + k + " u32 at 0x" + Integer.toHexString(at) + " = 0x" + Integer.toHexString(v));
                }
                if (at + 8 <= limit) {
                    for (long v : EXTREME_64) {
                        byte[] m = kernel.clone();
                        ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).putLong(at, v);
                        fixMultibootChecksum(m);
                        loadOrRefuse(m, "kernel " + k + " u64 at 0x" + Integer.toHexString(at) + " = 0x" + Long.toHexString(v));
                    }
                }
            }
            k++;
        }
    }

    /** Keeps a mutated multiboot header valid, so that the fields behind it are what gets tested. */
    private static void fixMultibootChecksum(byte[] m) {
        ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
        for (int off = 0; off + 12 <= Math.min(m.length, MultibootHeader.SEARCH_LIMIT); off += 4) {
            if (b.getInt(off) == MultibootHeader.MAGIC) {
                b.putInt(off + 8, -(MultibootHeader.MAGIC + b.getInt(off + 4)));
                return;
            }
        }
    }

    @Test
    void elf64ProgramHeaderOffsetNearTwoToTheSixtyThreeIsOneLine() {
        byte[] elf = new TestElf(true).segment(0x1000000, new byte[16], 16).build();
        ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN).putLong(32, Long.MAX_VALUE - 16);
        BootException e = assertThrows(BootException.class, () -> KernelLoader.load(elf, OPTIONS));
        assertTrue(e.getMessage().contains("program headers"), e.getMessage());
    }

    /** The multiboot spec: bits 0-15 are requirements; a loader that does not know one must refuse (GRUB does). */
    @Test
    void multibootHeaderWithAnUnknownRequiredFlagIsRefused() {
        byte[] img = new byte[8192];
        System.arraycopy(TestElf.multibootHeader(MultibootHeader.FLAG_AOUT_KLUDGE | (1 << 5), 0x100000, 0x100000,
                0x101000, 0x102000, 0x100020), 0, img, 0, 32);
        BootException e = assertThrows(BootException.class, () -> KernelLoader.load(img, OPTIONS));
        assertEquals("k: multiboot header requires features this loader does not have (flags 0x20)", e.getMessage());
    }
}
