package dev.vmm.kvm;

import dev.vmm.host.LibC;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * KVM's binary statistics (KVM_GET_STATS_FD, Documentation/virt/kvm/api.rst): a file with a
 * header, a table of descriptors and a data block, read with pread(2). The descriptors never
 * change for a given fd, so they are parsed once; {@link #read()} re-reads only the data block.
 *
 * <pre>
 * struct kvm_stats_header { u32 flags, name_size, num_desc, id_offset, desc_offset, data_offset; };
 * struct kvm_stats_desc   { u32 flags; s16 exponent; u16 size; u32 offset; u32 bucket_size; char name[name_size]; };
 * </pre>
 * Each stat's data is {@code size} u64 values at {@code data_offset + desc.offset}; {@link #read()}
 * reports the first one (histograms have more).
 */
public final class KvmStats implements AutoCloseable {
    /** Reads {@code len} bytes at {@code offset}; returns fewer only at end of file. */
    @FunctionalInterface
    public interface Reader {
        byte[] read(long offset, int len);
    }

    /** One stat: its name, where its first u64 lives relative to the data block, and its u64 count. */
    public record Desc(String name, int flags, int exponent, int size, long offset, long bucketSize) {}

    /** The parsed header and descriptors. */
    public record Layout(long dataOffset, List<Desc> descs) {
        /** Bytes of the data block that cover every descriptor. */
        public int dataSize() {
            long end = 0;
            for (Desc d : descs) end = Math.max(end, d.offset() + 8L * Math.max(1, d.size()));
            return (int) end;
        }
    }

    public static final int HEADER_SIZE = 24;
    /** Fixed part of kvm_stats_desc before the name. */
    public static final int DESC_FIXED_SIZE = 16;

    private final int fd;
    private final Reader reader;
    private final Layout layout;
    private boolean closed;

    private KvmStats(int fd, Reader reader) {
        this.fd = fd;
        this.reader = reader;
        this.layout = parseLayout(reader);
    }

    /** Takes ownership of a stats fd from {@link VcpuFd#statsFd()} or {@link VmFd#statsFd()}. */
    public static KvmStats open(int fd) {
        try {
            return new KvmStats(fd, (offset, len) -> pread(fd, offset, len));
        } catch (RuntimeException e) {
            LibC.close(fd);
            throw e;
        }
    }

    /** For tests: stats over any reader, nothing to close. */
    public static KvmStats of(Reader reader) {
        return new KvmStats(-1, reader);
    }

    private static byte[] pread(int fd, long offset, int len) {
        byte[] buf = new byte[len];
        int done = 0;
        while (done < len) {
            byte[] chunk = done == 0 ? buf : new byte[len - done];
            long n = LibC.pread(fd, chunk, len - done, offset + done);
            if (n < 0) {
                throw KvmException.lastError("pread(kvm stats)");
            }
            if (n == 0) break;
            if (chunk != buf) System.arraycopy(chunk, 0, buf, done, (int) n);
            done += (int) n;
        }
        return done == len ? buf : java.util.Arrays.copyOf(buf, done);
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Parses the header and descriptor table. Pure: all I/O goes through {@code reader}. */
    public static Layout parseLayout(Reader reader) {
        byte[] hb = reader.read(0, HEADER_SIZE);
        if (hb.length < HEADER_SIZE) {
            throw new IllegalArgumentException("kvm stats: short header (" + hb.length + " bytes)");
        }
        ByteBuffer h = le(hb);
        h.getInt(); // flags
        long nameSize = Integer.toUnsignedLong(h.getInt());
        long numDesc = Integer.toUnsignedLong(h.getInt());
        h.getInt(); // id_offset
        long descOffset = Integer.toUnsignedLong(h.getInt());
        long dataOffset = Integer.toUnsignedLong(h.getInt());
        long descSize = DESC_FIXED_SIZE + nameSize;
        if (nameSize > 4096 || numDesc > 65536) {
            throw new IllegalArgumentException("kvm stats: implausible header name_size=" + nameSize
                    + " num_desc=" + numDesc);
        }
        byte[] table = reader.read(descOffset, (int) (descSize * numDesc));
        if (table.length < descSize * numDesc) {
            throw new IllegalArgumentException("kvm stats: short descriptor table");
        }
        ByteBuffer t = le(table);
        List<Desc> descs = new ArrayList<>((int) numDesc);
        for (int i = 0; i < numDesc; i++) {
            int base = (int) (i * descSize);
            int flags = t.getInt(base);
            short exponent = t.getShort(base + 4);
            int size = Short.toUnsignedInt(t.getShort(base + 6));
            long offset = Integer.toUnsignedLong(t.getInt(base + 8));
            long bucket = Integer.toUnsignedLong(t.getInt(base + 12));
            int nameStart = base + DESC_FIXED_SIZE;
            int end = nameStart;
            while (end < nameStart + nameSize && table[end] != 0) end++;
            String name = new String(table, nameStart, end - nameStart, StandardCharsets.US_ASCII);
            descs.add(new Desc(name, flags, exponent, size, offset, bucket));
        }
        return new Layout(dataOffset, List.copyOf(descs));
    }

    /** The first u64 of every stat, by name, in descriptor order. Pure over {@code reader}. */
    public static Map<String, Long> readValues(Layout layout, Reader reader) {
        int size = layout.dataSize();
        byte[] data = size == 0 ? new byte[0] : reader.read(layout.dataOffset(), size);
        ByteBuffer d = le(data);
        Map<String, Long> out = new LinkedHashMap<>();
        for (Desc desc : layout.descs()) {
            if (desc.offset() + 8 <= data.length) {
                out.put(desc.name(), d.getLong((int) desc.offset()));
            }
        }
        return out;
    }

    public Layout layout() {
        return layout;
    }

    /** The stat names, in descriptor order. */
    public List<String> names() {
        List<String> names = new ArrayList<>();
        for (Desc d : layout.descs()) names.add(d.name());
        return Collections.unmodifiableList(names);
    }

    /** Current values: the first u64 of each stat. */
    public Map<String, Long> read() {
        if (closed) throw new IllegalStateException("kvm stats closed");
        return readValues(layout, reader);
    }

    /**
     * Every name of {@code after} with its change since {@code before}, unchanged ones as 0 (a name
     * that is missing is a counter this host's KVM does not have), in {@code after}'s order.
     */
    public static Map<String, Long> change(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> out = new LinkedHashMap<>(after);
        out.replaceAll((name, v) -> v - before.getOrDefault(name, 0L));
        return out;
    }

    /** Names whose value changed from {@code before} to {@code after}, with the difference, in {@code after}'s order. */
    public static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> out = change(before, after);
        out.values().removeIf(v -> v == 0);
        return out;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (fd >= 0) LibC.close(fd);
        }
    }
}
