package dev.vmm.tests;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tiny flat multiboot kernel built byte by byte: the a.out kludge loads it at 1 MiB and enters
 * the 32-bit protected-mode code right after the 32-byte header, flat segments, paging off.
 */
final class FlatKernel {
    static final long LOAD = 0x100000;
    static final int HEADER = 32;

    private FlatKernel() {
    }

    static Path write(Path file, byte... code) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(HEADER + code.length).order(ByteOrder.LITTLE_ENDIAN);
        int magic = 0x1BADB002, flags = 0x00010000;
        b.putInt(magic).putInt(flags).putInt(-(magic + flags));
        b.putInt((int) LOAD).putInt((int) LOAD).putInt(0).putInt(0).putInt((int) LOAD + HEADER);
        b.position(HEADER);
        b.put(code);
        Files.write(file, b.array());
        return file;
    }

    /** Bytes from ints, for writing machine code inline: {@code bytes(0xEB, 0xFE)}. */
    static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) out[i] = (byte) values[i];
        return out;
    }
}
