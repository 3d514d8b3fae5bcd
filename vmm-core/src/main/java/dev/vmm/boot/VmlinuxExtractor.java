package dev.vmm.boot;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.lz4.BlockLZ4CompressorInputStream;
import org.apache.commons.compress.compressors.lzma.LZMACompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/**
 * Cuts the compressed kernel out of a Linux bzImage (setup header {@code payload_offset} at 0x248 and
 * {@code payload_length} at 0x24c, relative to the protected-mode code at {@code (setup_sects+1)*512};
 * boot protocol 2.08 or later) and decompresses it: gzip, xz, bzip2, lzma, lz4 (legacy frames) or zstd.
 * The result is the kernel's {@code vmlinux} ELF. Errors are one-line {@link BootException}s.
 */
public final class VmlinuxExtractor {
    private static final int LZ4_LEGACY_MAGIC = 0x184C2102;
    private static final int LZ4_LEGACY_BLOCK_MAX = 8 << 20;

    private VmlinuxExtractor() {
    }

    /** The uncompressed vmlinux inside {@code bzImage}. */
    public static byte[] extract(byte[] bzImage) {
        if (bzImage.length < 0x250) {
            throw new BootException("not a bzImage (too short for a setup header)");
        }
        ByteBuffer b = ByteBuffer.wrap(bzImage).order(ByteOrder.LITTLE_ENDIAN);
        if ((b.getShort(0x1fe) & 0xffff) != 0xAA55 || b.getInt(0x202) != 0x53726448) {
            throw new BootException("not a bzImage (no \"HdrS\" setup header)");
        }
        int version = b.getShort(0x206) & 0xffff;
        if (version < 0x0208) {
            throw new BootException(String.format("boot protocol %d.%02d is too old (payload fields need 2.08)",
                    version >> 8, version & 0xff));
        }
        int sects = bzImage[0x1f1] & 0xff;
        if (sects == 0) {
            sects = 4;
        }
        long offset = (long) (sects + 1) * 512 + Integer.toUnsignedLong(b.getInt(0x248));
        long length = Integer.toUnsignedLong(b.getInt(0x24c));
        if (length == 0) {
            throw new BootException("bzImage has no payload (payload_length is 0)");
        }
        if (offset + length > bzImage.length) {
            throw new BootException("truncated payload: " + length + " bytes at offset " + offset
                    + " but the file has " + bzImage.length + " bytes");
        }
        byte[] payload = Arrays.copyOfRange(bzImage, (int) offset, (int) (offset + length));
        byte[] out;
        try {
            out = decompress(payload);
        } catch (EOFException e) {
            throw new BootException("truncated payload (" + formatOf(payload) + " stream ends early)");
        } catch (IOException | RuntimeException e) {
            if (e instanceof BootException) {
                throw (BootException) e;
            }
            throw new BootException("cannot decompress the " + formatOf(payload) + " payload: "
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse(e.toString()));
        }
        if (!ElfFile.isElf(out)) {
            throw new BootException("the decompressed payload is not an ELF file");
        }
        return out;
    }

    private static boolean startsWith(byte[] p, int... magic) {
        if (p.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((p[i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    private static String formatOf(byte[] p) {
        if (startsWith(p, 0x1f, 0x8b)) {
            return "gzip";
        } else if (startsWith(p, 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) {
            return "xz";
        } else if (startsWith(p, 0x02, 0x21, 0x4c, 0x18)) {
            return "lz4";
        } else if (startsWith(p, 0x28, 0xb5, 0x2f, 0xfd)) {
            return "zstd";
        } else if (startsWith(p, 'B', 'Z', 'h')) {
            return "bzip2";
        } else if (startsWith(p, 0x5d, 0x00, 0x00)) {
            return "lzma";
        }
        return null;
    }

    private static byte[] decompress(byte[] p) throws IOException {
        String format = formatOf(p);
        if (format == null) {
            StringBuilder hex = new StringBuilder();
            for (int i = 0; i < Math.min(4, p.length); i++) {
                hex.append(String.format("%02x", p[i] & 0xff));
            }
            throw new BootException("unknown payload compression (magic " + hex + ")");
        }
        switch (format) {
            case "zstd":
                return zstd(p);
            case "lz4":
                return lz4Legacy(p);
            default:
                break;
        }
        InputStream in = new ByteArrayInputStream(p);
        try (InputStream d = switch (format) {
            case "gzip" -> new GzipCompressorInputStream(in);
            case "xz" -> new XZCompressorInputStream(in);
            case "bzip2" -> new BZip2CompressorInputStream(in);
            default -> new LZMACompressorInputStream(in);
        }) {
            return readBounded(d);
        }
    }

    /**
     * The most a payload may decompress to: a third of the Java heap (the output, the loader's
     * copies of its segments and the plan must fit together). A small payload that inflates
     * without end (a decompression bomb) is refused here instead of exhausting the heap.
     */
    static long maxOutput() {
        return Runtime.getRuntime().maxMemory() / 3;
    }

    private static byte[] readBounded(InputStream d) throws IOException {
        int limit = (int) Math.min(maxOutput(), Integer.MAX_VALUE - 16);
        byte[] out = d.readNBytes(limit);
        if (out.length == limit && d.read() >= 0) {
            throw new BootException("the payload decompresses to more than " + (limit >> 20)
                    + " MiB (a third of vmm's Java heap, -Xmx)");
        }
        return out;
    }

    /**
     * zstd: the kernel build writes one frame and then the 4-byte uncompressed size (size_append).
     * A zstd stream decoder would take that word for the start of a second frame and fail, so, as
     * the kernel's own single-pass decompressor does, only the first frame is decoded.
     */
    static byte[] zstd(byte[] p) throws IOException {
        long frame;
        try {
            frame = Zstd.findFrameCompressedSize(p);
        } catch (ZstdException e) {
            if (e.getErrorCode() == Zstd.errSrcSizeWrong()) {
                throw new EOFException(); // the last block runs past the end of the payload
            }
            throw e;
        } catch (LinkageError e) {
            // zstd-jni unpacks its native library to java.io.tmpdir on first use; that can fail.
            throw new BootException("zstd payloads need zstd-jni's native library, which did not load ("
                    + e + ")");
        }
        try (InputStream d = new ZstdCompressorInputStream(new ByteArrayInputStream(p, 0, (int) frame))) {
            return readBounded(d);
        }
    }

    /**
     * The lz4 legacy format: magic 0x184C2102, then blocks of [u32 compressed size][lz4 block], each
     * at most 8 MiB uncompressed; a trailing 4-byte word alone is the kernel build's uncompressed size.
     */
    static byte[] lz4Legacy(byte[] p) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != LZ4_LEGACY_MAGIC) {
            throw new BootException("not an lz4 legacy stream");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pos = 4;
        while (pos < p.length) {
            if (p.length - pos == 4) {
                break; // the kernel build appends the uncompressed size (size_append) after the stream
            }
            if (p.length - pos < 4) {
                throw new EOFException();
            }
            int size = b.getInt(pos);
            pos += 4;
            if (size == LZ4_LEGACY_MAGIC) {
                continue; // concatenated streams (the kernel's decompressor accepts them)
            }
            long usize = Integer.toUnsignedLong(size);
            if (usize > p.length - pos) {
                throw new EOFException();
            }
            if (usize > LZ4_LEGACY_BLOCK_MAX + LZ4_LEGACY_BLOCK_MAX / 255 + 16) {
                throw new BootException("corrupt lz4 payload: block of " + usize + " bytes");
            }
            try (InputStream d = new BlockLZ4CompressorInputStream(new ByteArrayInputStream(p, pos, size))) {
                byte[] block = d.readNBytes(LZ4_LEGACY_BLOCK_MAX + 1);
                if (block.length > LZ4_LEGACY_BLOCK_MAX) {
                    throw new BootException("corrupt lz4 payload: a block decompresses to more than 8 MiB");
                }
                out.write(block);
                if (out.size() > maxOutput()) {
                    throw new BootException("the payload decompresses to more than " + (maxOutput() >> 20)
                            + " MiB (a third of vmm's Java heap, -Xmx)");
                }
            }
            pos += size;
        }
        return out.toByteArray();
    }
}
