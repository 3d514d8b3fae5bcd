package dev.vmm.boot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A parsed little-endian x86 ELF32 or ELF64 image: the header fields loaders need, the
 * program headers, and the notes from PT_NOTE segments. Sections are ignored — loaders
 * work from program headers like QEMU and firmware do. Every offset is bounds-checked
 * so a truncated file gives a {@link BootException}, never an index exception.
 */
public final class ElfFile {
    public static final int ELFCLASS32 = 1;
    public static final int ELFCLASS64 = 2;
    public static final int EM_386 = 3;
    public static final int EM_X86_64 = 62;

    private final String fileName;
    private final byte[] image;
    private final int elfClass;
    private final int machine;
    private final long entry;
    private final List<ProgramHeader> programHeaders;

    private ElfFile(String fileName, byte[] image, int elfClass, int machine, long entry,
                    List<ProgramHeader> programHeaders) {
        this.fileName = fileName;
        this.image = image;
        this.elfClass = elfClass;
        this.machine = machine;
        this.entry = entry;
        this.programHeaders = programHeaders;
    }

    /** True when the bytes start with the ELF magic. */
    public static boolean isElf(byte[] image) {
        return image.length >= 4 && image[0] == 0x7F && image[1] == 'E' && image[2] == 'L' && image[3] == 'F';
    }

    /**
     * Parses {@code image}; {@code fileName} only labels error messages.
     *
     * @throws BootException for non-ELF, big-endian, non-x86 or truncated images
     */
    public static ElfFile parse(String fileName, byte[] image) {
        if (!isElf(image)) {
            throw new BootException(fileName + ": not an ELF file");
        }
        if (image.length < 52) {
            throw new BootException(fileName + ": truncated ELF header (" + image.length + " bytes)");
        }
        int elfClass = image[4];
        if (elfClass != ELFCLASS32 && elfClass != ELFCLASS64) {
            throw new BootException(fileName + ": unknown ELF class " + elfClass);
        }
        if (image[5] != 1) {
            throw new BootException(fileName + ": not a little-endian ELF file");
        }
        boolean is64 = elfClass == ELFCLASS64;
        if (is64 && image.length < 64) {
            throw new BootException(fileName + ": truncated ELF header (" + image.length + " bytes)");
        }
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        int machine = Short.toUnsignedInt(b.getShort(18));
        if (machine != EM_386 && machine != EM_X86_64) {
            throw new BootException(fileName + ": not an x86 ELF file (e_machine " + machine + ")");
        }
        long entry = is64 ? b.getLong(24) : Integer.toUnsignedLong(b.getInt(24));
        long phoff = is64 ? b.getLong(32) : Integer.toUnsignedLong(b.getInt(28));
        int phentsize = Short.toUnsignedInt(b.getShort(is64 ? 54 : 42));
        int phnum = Short.toUnsignedInt(b.getShort(is64 ? 56 : 44));
        int minEntSize = is64 ? 56 : 32;
        if (phnum > 0 && phentsize < minEntSize) {
            throw new BootException(fileName + ": bad ELF program header size " + phentsize);
        }
        if (!FileRange.fits(phoff, FileRange.times(phnum, phentsize), image.length)) {
            throw new BootException(fileName + ": truncated ELF file: program headers end beyond the file ("
                    + image.length + " bytes)");
        }
        List<ProgramHeader> phdrs = new ArrayList<>(phnum);
        for (int i = 0; i < phnum; i++) {
            int o = (int) (phoff + (long) i * phentsize);
            ProgramHeader ph = is64
                    ? new ProgramHeader(b.getInt(o), b.getInt(o + 4), b.getLong(o + 8), b.getLong(o + 16),
                            b.getLong(o + 24), b.getLong(o + 32), b.getLong(o + 40), b.getLong(o + 48))
                    : new ProgramHeader(b.getInt(o), b.getInt(o + 24), u32(b, o + 4), u32(b, o + 8),
                            u32(b, o + 12), u32(b, o + 16), u32(b, o + 20), u32(b, o + 28));
            if (ph.type() == ProgramHeader.PT_LOAD || ph.type() == ProgramHeader.PT_NOTE) {
                if (!FileRange.fits(ph.offset(), ph.filesz(), image.length)) {
                    throw new BootException(String.format(
                            "%s: truncated ELF file: segment %d (file offset 0x%x, size 0x%x) ends beyond the file (%d bytes)",
                            fileName, i, ph.offset(), ph.filesz(), image.length));
                }
                if (ph.type() == ProgramHeader.PT_LOAD && Long.compareUnsigned(ph.memsz(), ph.filesz()) < 0) {
                    throw new BootException(fileName + ": bad ELF segment " + i + ": memsz smaller than filesz");
                }
            }
            phdrs.add(ph);
        }
        return new ElfFile(fileName, image, elfClass, machine, entry, List.copyOf(phdrs));
    }

    private static long u32(ByteBuffer b, int at) {
        return Integer.toUnsignedLong(b.getInt(at));
    }

    public boolean is64() {
        return elfClass == ELFCLASS64;
    }

    public int elfClass() {
        return elfClass;
    }

    public int machine() {
        return machine;
    }

    public long entry() {
        return entry;
    }

    public String fileName() {
        return fileName;
    }

    public List<ProgramHeader> programHeaders() {
        return programHeaders;
    }

    public List<ProgramHeader> loadSegments() {
        return programHeaders.stream().filter(p -> p.type() == ProgramHeader.PT_LOAD).toList();
    }

    /** The file bytes of a segment (its {@code filesz} bytes from {@code offset}). */
    public byte[] segmentData(ProgramHeader ph) {
        byte[] out = new byte[(int) ph.filesz()];
        System.arraycopy(image, (int) ph.offset(), out, 0, out.length);
        return out;
    }

    /**
     * All notes from all PT_NOTE segments. Entries are 4-byte aligned (the layout used by
     * both ELF classes in practice, including Xen's notes).
     */
    public List<ElfNote> notes() {
        List<ElfNote> notes = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        for (ProgramHeader ph : programHeaders) {
            if (ph.type() != ProgramHeader.PT_NOTE) {
                continue;
            }
            long pos = ph.offset();
            long end = ph.offset() + ph.filesz();
            while (pos + 12 <= end) {
                long namesz = u32(b, (int) pos);
                long descsz = u32(b, (int) pos + 4);
                int type = b.getInt((int) pos + 8);
                long nameAt = pos + 12;
                long descAt = nameAt + align4(namesz);
                long next = descAt + align4(descsz);
                if (!FileRange.fits(nameAt, namesz, end) || !FileRange.fits(descAt, descsz, end)) {
                    throw new BootException(fileName + ": truncated ELF note");
                }
                int nameLen = (int) namesz;
                while (nameLen > 0 && image[(int) nameAt + nameLen - 1] == 0) {
                    nameLen--; // drop the NUL terminator
                }
                String name = new String(image, (int) nameAt, nameLen, StandardCharsets.US_ASCII);
                byte[] desc = new byte[(int) descsz];
                System.arraycopy(image, (int) descAt, desc, 0, desc.length);
                notes.add(new ElfNote(name, type, desc));
                pos = next;
            }
        }
        return notes;
    }

    private static long align4(long v) {
        return (v + 3) & ~3L;
    }
}
