package dev.vmm.testkernel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The bundled test kernel, {@code pvtest.elf}: a freestanding kernel with a PVH note and a
 * multiboot header that prints TAP on COM1 and ends through the isa-debug-exit port (see the
 * project's {@code guest-images/README.md} for its {@code pvtest.*} switches).
 *
 * <p>It travels inside this jar as a resource; a VMM needs a file, so {@link #path()} copies it
 * once per JVM to a temporary file.
 */
public final class TestKernel {
    /** The kernel's name as a class-path resource, next to this class. */
    static final String RESOURCE = "pvtest.elf";

    private TestKernel() {
    }

    /**
     * The test kernel as a readable file: extracted from this jar on the first call (to a
     * temporary file deleted when the JVM exits), the same path on every later call.
     *
     * @return the path of {@code pvtest.elf}
     * @throws UncheckedIOException if the temporary file cannot be written
     * @throws IllegalStateException if the jar was built without the kernel
     */
    public static Path path() {
        return Extracted.PATH;
    }

    /** Holder idiom: the JVM runs the extraction once, on first use, and makes it thread-safe. */
    private static final class Extracted {
        static final Path PATH = extract();
    }

    private static Path extract() {
        try (InputStream in = TestKernel.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE + " is missing next to "
                        + TestKernel.class.getName() + ": the jar was built without running make");
            }
            Path file = Files.createTempFile("pvtest-", ".elf");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the test kernel to a temporary file", e);
        }
    }
}
