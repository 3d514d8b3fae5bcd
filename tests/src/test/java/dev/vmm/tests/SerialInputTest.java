package dev.vmm.tests;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Keystrokes reach a guest that reads the console by interrupt, as Linux's 8250 driver does:
 * the test kernel's pvtest.echo enables COM1's receive interrupt, routes IRQ 4 through the IOAPIC
 * and echoes every line until "quit". Once from vmm's stdin with KVM's IOAPIC, once from a
 * serial Unix socket with vmm's own IOAPIC (kernel-irqchip=split).
 */
class SerialInputTest {
    private static final String READY = "# echo: type lines, \"quit\" ends";
    private static final Pattern PASSED = Pattern.compile("(?m)^ok \\d+ - serial: input lines arrive by IRQ 4 interrupts$");

    @TempDir
    Path tmp;

    @BeforeEach
    void kvm() {
        RequiresKvm.check();
    }

    private static Process start(String... extra) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of("../vmm").toAbsolutePath().normalize().toString(),
                "run", "--kernel", RequiresKvm.testKernel().toString(), "--append", "pvtest.echo", "--timeout", "60"));
        cmd.addAll(List.of(extra));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** Reads until the text contains {@code marker} (or the stream ends); returns all read. */
    private static String readUntil(InputStream in, String marker) throws Exception {
        StringBuilder sb = new StringBuilder();
        byte[] buf = new byte[4096];
        while (!sb.toString().contains(marker)) {
            int n = in.read(buf);
            if (n < 0) break;
            sb.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    private static void converse(InputStream fromGuest, OutputStream toGuest, Process vmm) throws Exception {
        String before = readUntil(fromGuest, READY);
        assertTrue(before.contains(READY), "the guest waits for input\n" + before);
        toGuest.write("hello from the host\r\nsecond line\n".getBytes(StandardCharsets.US_ASCII));
        toGuest.flush();
        String echoed = readUntil(fromGuest, "# echo: second line");
        toGuest.write("quit\n".getBytes(StandardCharsets.US_ASCII));
        toGuest.flush();
        String rest = readUntil(fromGuest, "serial: input lines");
        rest += readUntil(fromGuest, "\n");
        assertTrue(vmm.waitFor(60, TimeUnit.SECONDS), "vmm ends after quit");
        String all = before + echoed + rest;
        assertTrue(all.contains("# echo: hello from the host\n"), all);
        assertTrue(all.contains("# echo: second line\n"), all);
        assertFalse(all.contains("not ok"), all);
        assertTrue(PASSED.matcher(all).find(), all);
        assertEquals(0, vmm.exitValue(), all);
    }

    @Test
    void stdinReachesTheGuestThroughKvmsIoapic() throws Exception {
        Process vmm = start();
        try {
            converse(vmm.getInputStream(), vmm.getOutputStream(), vmm);
        } finally {
            vmm.destroyForcibly();
        }
    }

    @Test
    void serialSocketReachesTheGuestThroughVmmsIoapic() throws Exception {
        Path sock = tmp.resolve("serial.sock");
        Process vmm = start("-M", "kernel-irqchip=split", "--serial", "unix:" + sock + ",server=on,wait=off");
        try {
            for (int i = 0; i < 300 && !Files.exists(sock); i++) Thread.sleep(20);
            try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
                converse(Channels.newInputStream(ch), new OutputStream() {
                    @Override
                    public void write(int b) throws java.io.IOException {
                        write(new byte[] {(byte) b}, 0, 1);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws java.io.IOException {
                        ByteBuffer bb = ByteBuffer.wrap(b, off, len);
                        while (bb.hasRemaining()) ch.write(bb);
                    }
                }, vmm);
            }
        } finally {
            vmm.destroyForcibly();
        }
    }
}
