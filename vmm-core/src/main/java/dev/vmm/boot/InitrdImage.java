package dev.vmm.boot;

import java.nio.file.Path;
import java.util.List;

/**
 * The initial RAM disk a loader places: bytes already in memory (tests, a generated initramfs),
 * or a file whose size was checked and whose contents go straight from the file into guest
 * memory ({@link FileWrite}), so that a 300 MB initrd never needs a 300 MB Java heap.
 */
public sealed interface InitrdImage {
    long size();

    /** Adds the plan step that puts the contents at {@code gpa}. */
    void addTo(long gpa, List<MemoryWrite> writes, List<FileWrite> fileWrites);

    record InMemory(byte[] bytes) implements InitrdImage {
        public InMemory {
            bytes = bytes.clone();
        }

        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public void addTo(long gpa, List<MemoryWrite> writes, List<FileWrite> fileWrites) {
            writes.add(new MemoryWrite(gpa, bytes));
        }
    }

    record FromFile(Path file, long size) implements InitrdImage {
        public FromFile {
            if (size < 0) throw new IllegalArgumentException("negative initrd size");
        }

        @Override
        public void addTo(long gpa, List<MemoryWrite> writes, List<FileWrite> fileWrites) {
            fileWrites.add(new FileWrite(gpa, file, size));
        }
    }
}
