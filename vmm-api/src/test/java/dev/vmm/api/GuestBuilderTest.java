package dev.vmm.api;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/** What the builder checks itself, before anything touches KVM. */
class GuestBuilderTest {
    @Test
    void defaultsAreTheCommandsDefaults() {
        GuestBuilder b = Guest.builder();
        assertEquals(MemorySize.ofMiB(128), b.memorySize());
        assertEquals(1, b.cpuCount());
        assertEquals("host", b.cpuSpec());
        assertEquals(Irqchip.IN_KERNEL, b.irqchipMode());
        assertEquals(Optional.empty(), b.commandLine(), "no append: the kernel format's default command line");
    }

    @Test
    void anEmptyCommandLineIsNotTheDefault() {
        assertEquals(Optional.of(""), Guest.builder().append("").commandLine());
        assertThrows(NullPointerException.class, () -> Guest.builder().append(null));
    }

    @Test
    void badValuesFailAtTheSetter() {
        assertThrows(IllegalArgumentException.class, () -> Guest.builder().cpus(0));
        assertThrows(IllegalArgumentException.class, () -> Guest.builder().cpus(256));
        assertThrows(IllegalArgumentException.class, () -> Guest.builder().memory(MemorySize.ofBytes(4096)));
        assertThrows(IllegalArgumentException.class, () -> Guest.builder().memory(MemorySize.ofBytes((4L << 20) + 1)));
        assertThrows(IllegalArgumentException.class, () -> Guest.builder().cpu(" "));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Guest.builder().start());
        assertTrue(e.getMessage().startsWith("no kernel"), e.getMessage());
    }

    @Test
    void testKernelIsTheBundledOne() {
        assertTrue(Files.isRegularFile(Guest.builder().testKernel().kernelFile()));
    }
}
