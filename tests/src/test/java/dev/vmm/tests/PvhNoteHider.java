package dev.vmm.tests;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Turns a vmlinux with a PVH entry note into one without, so that vmm boots it by the Linux boot
 * protocol's 64-bit entry at ELF {@code e_entry} instead of by PVH. Only the type field of the
 * "Xen" note of type 18 (XEN_ELFNOTE_PHYS32_ENTRY) changes, to {@link #HIDDEN_TYPE}: everything the
 * kernel loads stays byte-identical, so the same kernel is booted by the other protocol.
 * The notes are found by walking the ELF64 program headers' PT_NOTE segments note by note (not by a
 * byte search, which could hit the same pattern in code or data). vmm-core's ElfFile parses notes
 * too, but does not say where in the file a note lies, which is what rewriting needs.
 */
final class PvhNoteHider {
    static final int XEN_ELFNOTE_PHYS32_ENTRY = 18;
    /** A note type no Xen interface defines (they are small numbers), so no loader acts on it. */
    static final int HIDDEN_TYPE = 0x7f00_0000 | XEN_ELFNOTE_PHYS32_ENTRY;

    private static final int PT_NOTE = 4;

    private PvhNoteHider() {
    }

    /**
     * A copy of {@code elf64} with every PVH entry note's type replaced.
     *
     * @throws IllegalArgumentException if it is not a little-endian ELF64, a note runs past its
     *                                  segment, or there is no PVH entry note to hide
     */
    static byte[] hide(byte[] elf64) {
        byte[] out = elf64.clone();
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        if (out.length < 64 || b.getInt(0) != 0x464c457f || out[4] != 2 || out[5] != 1) {
            throw new IllegalArgumentException("not a little-endian ELF64 file");
        }
        long phoff = b.getLong(32);
        int phentsize = Short.toUnsignedInt(b.getShort(54));
        int phnum = Short.toUnsignedInt(b.getShort(56));
        int hidden = 0;
        for (int i = 0; i < phnum; i++) {
            int ph = Math.toIntExact(phoff + (long) i * phentsize);
            if (b.getInt(ph) != PT_NOTE) {
                continue;
            }
            long pos = b.getLong(ph + 8);               // p_offset
            long end = pos + b.getLong(ph + 32);        // + p_filesz
            if (end > out.length) {
                throw new IllegalArgumentException("PT_NOTE segment " + i + " ends beyond the file");
            }
            // Each note: namesz, descsz, type (u32 each), then name and desc, each padded to 4 bytes.
            while (pos + 12 <= end) {
                int at = (int) pos;
                long namesz = Integer.toUnsignedLong(b.getInt(at));
                long descsz = Integer.toUnsignedLong(b.getInt(at + 4));
                long next = pos + 12 + align4(namesz) + align4(descsz);
                if (next > end) {
                    throw new IllegalArgumentException("note at file offset " + pos + " runs past its segment");
                }
                String name = new String(out, at + 12, (int) namesz, StandardCharsets.US_ASCII).replace("\0", "");
                if (name.equals("Xen") && b.getInt(at + 8) == XEN_ELFNOTE_PHYS32_ENTRY) {
                    b.putInt(at + 8, HIDDEN_TYPE);
                    hidden++;
                }
                pos = next;
            }
        }
        if (hidden == 0) {
            throw new IllegalArgumentException("no Xen PHYS32_ENTRY (PVH) note found");
        }
        return out;
    }

    private static long align4(long v) {
        return (v + 3) & ~3L;
    }
}
