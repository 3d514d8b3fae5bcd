package dev.vmm.testkernel;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class TestKernelTest {
    @Test
    void extractsTheKernelMakeBuiltOnce() throws IOException {
        Path p = TestKernel.path();
        assertSame(p, TestKernel.path(), "extracted once, the same path afterwards");
        byte[] built = Files.readAllBytes(Path.of("target", TestKernel.RESOURCE));
        assertArrayEquals(built, Files.readAllBytes(p), "the jar carries the kernel make built");
        assertEquals(0x7f, built[0]);
        assertEquals("ELF", new String(built, 1, 3, java.nio.charset.StandardCharsets.US_ASCII));
    }
}
