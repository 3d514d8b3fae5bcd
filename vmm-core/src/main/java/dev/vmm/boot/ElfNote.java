package dev.vmm.boot;

/** One entry of an ELF note segment: owner name (without NUL), type and descriptor bytes. */
public record ElfNote(String name, int type, byte[] desc) {
    public ElfNote {
        desc = desc.clone();
    }

    @Override
    public byte[] desc() {
        return desc.clone();
    }
}
