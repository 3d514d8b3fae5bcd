package dev.vmm.boot;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Builds small ELF32/ELF64 images for tests: PT_LOAD segments plus optional notes. */
final class TestElf {
    record Segment(long paddr, byte[] data, long memsz) {
    }

    private final boolean is64;
    private long entry = 0x100000;
    private final List<Segment> segments = new ArrayList<>();
    private byte[] notes;
    private byte[] prefix = new byte[0];

    TestElf(boolean is64) {
        this.is64 = is64;
    }

    TestElf entry(long e) {
        entry = e;
        return this;
    }

    TestElf segment(long paddr, byte[] data, long memsz) {
        segments.add(new Segment(paddr, data, memsz));
        return this;
    }

    /** Bytes placed right after the headers, before segment data (e.g. a multiboot header). */
    TestElf prefix(byte[] p) {
        prefix = p;
        return this;
    }

    TestElf note(String name, int type, byte[] desc) {
        byte[] n = (name + "\0").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(12 + pad4(n.length) + pad4(desc.length)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(n.length).putInt(desc.length).putInt(type);
        b.put(n);
        b.position(12 + pad4(n.length));
        b.put(desc);
        notes = b.array();
        return this;
    }

    static TestElf pvh(boolean is64, long entry) {
        byte[] desc = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) entry).array();
        return new TestElf(is64).note("Xen", PvhLoader.XEN_ELFNOTE_PHYS32_ENTRY, desc);
    }

    private static int pad4(int v) {
        return (v + 3) & ~3;
    }

    byte[] build() {
        int ehsize = is64 ? 64 : 52;
        int phentsize = is64 ? 56 : 32;
        int phnum = segments.size() + (notes != null ? 1 : 0);
        int dataStart = ehsize + phnum * phentsize;
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(prefix);
        while (body.size() % 4 != 0) {
            body.write(0);
        }
        long[] offsets = new long[segments.size()];
        for (int i = 0; i < segments.size(); i++) {
            offsets[i] = dataStart + body.size();
            body.writeBytes(segments.get(i).data());
            while (body.size() % 4 != 0) {
                body.write(0);
            }
        }
        long noteOffset = dataStart + body.size();
        if (notes != null) {
            body.writeBytes(notes);
        }
        ByteBuffer b = ByteBuffer.allocate(dataStart + body.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7F, 'E', 'L', 'F', (byte) (is64 ? 2 : 1), 1, 1});
        b.position(16);
        b.putShort((short) 2); // ET_EXEC
        b.putShort((short) (is64 ? 62 : 3));
        b.putInt(1);
        if (is64) {
            b.putLong(entry).putLong(ehsize).putLong(0).putInt(0);
        } else {
            b.putInt((int) entry).putInt(ehsize).putInt(0).putInt(0);
        }
        b.putShort((short) ehsize).putShort((short) phentsize).putShort((short) phnum);
        b.putShort((short) 0).putShort((short) 0).putShort((short) 0);
        b.position(ehsize);
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            phdr(b, ProgramHeader.PT_LOAD, offsets[i], s.paddr(), s.data().length, s.memsz());
        }
        if (notes != null) {
            phdr(b, ProgramHeader.PT_NOTE, noteOffset, 0, notes.length, notes.length);
        }
        b.put(body.toByteArray());
        return b.array();
    }

    private void phdr(ByteBuffer b, int type, long offset, long paddr, long filesz, long memsz) {
        if (is64) {
            b.putInt(type).putInt(5).putLong(offset).putLong(paddr + 0xFFFFFFFF80000000L).putLong(paddr)
                    .putLong(filesz).putLong(memsz).putLong(4);
        } else {
            b.putInt(type).putInt((int) offset).putInt((int) paddr + 0xC0000000).putInt((int) paddr)
                    .putInt((int) filesz).putInt((int) memsz).putInt(5).putInt(4);
        }
    }

    /** A valid multiboot header (magic, flags, checksum) plus the five address fields. */
    static byte[] multibootHeader(int flags, long headerAddr, long loadAddr, long loadEnd, long bssEnd, long entry) {
        ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MultibootHeader.MAGIC).putInt(flags).putInt(-(MultibootHeader.MAGIC + flags));
        b.putInt((int) headerAddr).putInt((int) loadAddr).putInt((int) loadEnd).putInt((int) bssEnd).putInt((int) entry);
        return b.array();
    }

    static int u32(byte[] d, int at) {
        return ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN).getInt(at);
    }

    static long u64(byte[] d, int at) {
        return ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN).getLong(at);
    }
}
