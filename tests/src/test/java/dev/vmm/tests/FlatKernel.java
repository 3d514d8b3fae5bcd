package dev.vmm.tests;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tiny guest built byte by byte: a flat multiboot image (the a.out kludge: loaded at 1 MiB,
 * entered in 32-bit protected mode just after its 32-byte header, flat segments, paging off).
 */
final class FlatKernel {
    static final int LOAD = 0x100000;
    static final int HEADER = 32;

    private FlatKernel() {
    }

    /** Writes {@code code} as such an image to {@code file}. */
    static Path write(Path file, byte... code) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(HEADER + code.length).order(ByteOrder.LITTLE_ENDIAN);
        int magic = 0x1BADB002, flags = 0x00010000; // flags: bit 16, the load addresses below are valid
        b.putInt(magic).putInt(flags).putInt(-(magic + flags));
        b.putInt(LOAD).putInt(LOAD).putInt(0).putInt(0).putInt(LOAD + HEADER);
        b.position(HEADER);
        b.put(code);
        return Files.write(file, b.array());
    }

    /** Writes {@code code} as such an image to {@code dir/name}. */
    static Path write(Path dir, String name, byte... code) throws IOException {
        return write(dir.resolve(name), code);
    }

    /** Bytes from ints, for writing machine code inline: {@code bytes(0xEB, 0xFE)}. */
    static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) out[i] = (byte) values[i];
        return out;
    }
}
