package dev.vmm.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.lz4.BlockLZ4CompressorOutputStream;
import org.apache.commons.compress.compressors.lzma.LZMACompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;
import org.junit.jupiter.api.Test;

class VmlinuxExtractorTest {
    private static final int SETUP_SECTS = 4;
    private static final int PAYLOAD_OFFSET = 0x3c0; // inside the protected-mode code, as in real kernels

    /** A fake vmlinux: the ELF64 magic, then a mix of repetitive and random bytes. */
    static byte[] fakeElf(int size) {
        byte[] e = new byte[size];
        Random r = new Random(size);
        for (int i = 0; i < size; i++) {
            e[i] = (byte) ((i / 4096) % 3 == 0 ? r.nextInt(256) : i % 61);
        }
        System.arraycopy(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1}, 0, e, 0, 7);
        return e;
    }

    /** A minimal bzImage: setup header (protocol {@code version}) and {@code payload} at payload_offset. */
    static byte[] bzImage(int version, byte[] payload) {
        int pm = (SETUP_SECTS + 1) * 512;
        byte[] img = new byte[pm + PAYLOAD_OFFSET + payload.length + 0x200];
        ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
        img[0x1f1] = SETUP_SECTS;
        b.putInt(0x1f4, (img.length - pm + 15) / 16);
        b.putShort(0x1fe, (short) 0xAA55);
        img[0x201] = 0x66;
        b.putInt(0x202, 0x53726448);
        b.putShort(0x206, (short) version);
        b.putInt(0x248, PAYLOAD_OFFSET);
        b.putInt(0x24c, payload.length);
        System.arraycopy(payload, 0, img, pm + PAYLOAD_OFFSET, payload.length);
        return img;
    }

    /** The kernel build appends the uncompressed size (size_append) to every payload. */
    static byte[] withSize(byte[] compressed, int size) {
        byte[] p = Arrays.copyOf(compressed, compressed.length + 4);
        ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN).putInt(compressed.length, size);
        return p;
    }

    interface Compressor {
        OutputStream wrap(OutputStream o) throws IOException;
    }

    static byte[] compress(byte[] data, Compressor c) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (OutputStream o = c.wrap(bo)) {
            o.write(data);
        }
        return bo.toByteArray();
    }

    /** lz4 legacy: magic 0x184C2102, then [u32 size][lz4 block] per 8 MiB of input. */
    static byte[] lz4Legacy(byte[] data) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        bo.write(new byte[] {0x02, 0x21, 0x4c, 0x18});
        for (int off = 0; off < data.length; off += 8 << 20) {
            byte[] block = compress(Arrays.copyOfRange(data, off, Math.min(data.length, off + (8 << 20))),
                    BlockLZ4CompressorOutputStream::new);
            bo.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(block.length).array());
            bo.write(block);
        }
        return bo.toByteArray();
    }

    @Test
    void gzip() throws IOException {
        byte[] elf = fakeElf(300_000);
        byte[] img = bzImage(0x020f, withSize(compress(elf, GzipCompressorOutputStream::new), elf.length));
        assertArrayEquals(elf, VmlinuxExtractor.extract(img));
    }

    @Test
    void xz() throws IOException {
        byte[] elf = fakeElf(300_000);
        byte[] img = bzImage(0x020f, withSize(compress(elf, XZCompressorOutputStream::new), elf.length));
        assertArrayEquals(elf, VmlinuxExtractor.extract(img));
    }

    /** As the kernel build's {@code zstd -22 --ultra}: one frame with a content checksum (the CLI's default). */
    static byte[] zstd(byte[] data) throws IOException {
        return compress(data, o -> new ZstdCompressorOutputStream(o, 19, false, true));
    }

    @Test
    void zstdWithAndWithoutTheSizeWord() throws IOException {
        byte[] elf = fakeElf(300_000);
        byte[] z = zstd(elf);
        assertArrayEquals(elf, VmlinuxExtractor.extract(bzImage(0x020f, withSize(z, elf.length))));
        assertArrayEquals(elf, VmlinuxExtractor.extract(bzImage(0x020f, z)));
    }

    @Test
    void zstdCorruptFrame() throws IOException {
        byte[] z = zstd(fakeElf(300_000));
        z[z.length / 2] ^= 0x55; // inside the compressed data: the content checksum cannot match
        String m = error(bzImage(0x020f, withSize(z, 300_000)));
        assertTrue(m.startsWith("cannot decompress the zstd payload: "), m);
        assertFalse(m.contains("\n"), m);
    }

    @Test
    void lz4LegacyWithSeveralBlocks() throws IOException {
        byte[] elf = fakeElf((8 << 20) + 12345); // two blocks, the second one short
        byte[] lz4 = lz4Legacy(elf);
        byte[] img = bzImage(0x020f, withSize(lz4, elf.length));
        assertArrayEquals(elf, VmlinuxExtractor.extract(img));
        // and without the size word at the end
        assertArrayEquals(elf, VmlinuxExtractor.extract(bzImage(0x0208, lz4)));
    }

    @Test
    void bzip2AndLzma() throws IOException {
        byte[] elf = fakeElf(100_000);
        assertArrayEquals(elf, VmlinuxExtractor.extract(
                bzImage(0x020f, withSize(compress(elf, BZip2CompressorOutputStream::new), elf.length))));
        assertArrayEquals(elf, VmlinuxExtractor.extract(
                bzImage(0x020f, withSize(compress(elf, LZMACompressorOutputStream::new), elf.length))));
    }

    private static String error(byte[] img) {
        return assertThrows(BootException.class, () -> VmlinuxExtractor.extract(img)).getMessage();
    }

    @Test
    void notABzImage() {
        byte[] random = new byte[8192];
        new Random(1).nextBytes(random);
        assertTrue(error(random).startsWith("not a bzImage"), error(random));
        assertTrue(error(new byte[10]).startsWith("not a bzImage"));
    }

    @Test
    void protocolTooOld() throws IOException {
        byte[] img = bzImage(0x0207, compress(fakeElf(1000), GzipCompressorOutputStream::new));
        assertEquals("boot protocol 2.07 is too old (payload fields need 2.08)", error(img));
    }

    @Test
    void unknownCompression() {
        assertEquals("unknown payload compression (magic 12345678)",
                error(bzImage(0x020f, new byte[] {0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0})));
    }

    @Test
    void truncatedPayload() throws IOException {
        byte[] elf = fakeElf(300_000);
        byte[] img = bzImage(0x020f, compress(elf, GzipCompressorOutputStream::new));
        // the file ends before payload_offset + payload_length
        String m = error(Arrays.copyOf(img, (SETUP_SECTS + 1) * 512 + PAYLOAD_OFFSET + 1000));
        assertTrue(m.startsWith("truncated payload"), m);
        // payload_length claims less than the stream: each format reports a truncated payload
        for (byte[] p : new byte[][] {compress(elf, GzipCompressorOutputStream::new),
                compress(elf, XZCompressorOutputStream::new), lz4Legacy(elf), zstd(elf)}) {
            byte[] cut = bzImage(0x020f, Arrays.copyOf(p, p.length / 2));
            String mm = error(cut);
            assertTrue(mm.startsWith("truncated payload"), mm);
            assertFalse(mm.contains("\n"), mm);
        }
    }

    @Test
    void decompressedPayloadMustBeElf() throws IOException {
        byte[] notElf = new byte[1000];
        assertEquals("the decompressed payload is not an ELF file",
                error(bzImage(0x020f, compress(notElf, GzipCompressorOutputStream::new))));
    }
}
