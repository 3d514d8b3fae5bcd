package dev.vmm.tests;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The gdb stub end to end on this host's /dev/kvm: Debian's gdb in batch mode through
 * scripts/gdb-check (which asserts the documented refusal of int3 breakpoints where {@code vmm
 * doctor} finds that an int3 does not stop the guest), and the protocol's edge cases with a raw
 * socket: malformed and oversized packets answered with errors, a second debugger refused, a port
 * in use, bad option spellings.
 */
class GdbStubTest {
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static boolean gdbInstalled() {
        try {
            return new ProcessBuilder("gdb", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void gdbBatchSessionOnTheTestKernel() throws Exception {
        RequiresKvm.check();
        RequiresKvm.testKernel();
        Assumptions.assumeTrue(gdbInstalled(), "skipped: gdb is not installed (scripts/setup installs it)");
        Process p = new ProcessBuilder(Path.of("../scripts/gdb-check").toAbsolutePath().normalize().toString(),
                String.valueOf(freePort())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("ok - run 1: stopped at the breakpoint in kmain"), out);
        assertTrue(!out.contains("not ok"), out);
    }

    /** A minimal gdb: sends framed packets and reads the acknowledgements and replies. */
    private static final class RawGdb implements AutoCloseable {
        final Socket socket;
        final InputStream in;
        final OutputStream out;

        RawGdb(int port) throws IOException {
            socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(20_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        void sendRaw(String bytes) throws IOException {
            out.write(bytes.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        static String frame(String payload) {
            int sum = 0;
            for (byte b : payload.getBytes(StandardCharsets.ISO_8859_1)) sum += b & 0xff;
            return "$" + payload + "#" + String.format("%02x", sum & 0xff);
        }

        /** Sends a packet; returns the reply payload (after the '+' ack). */
        String ask(String payload) throws IOException {
            sendRaw(frame(payload));
            return reply();
        }

        String reply() throws IOException {
            int c;
            while ((c = in.read()) != '$') {
                if (c < 0) throw new IOException("connection closed");
            }
            StringBuilder sb = new StringBuilder();
            while ((c = in.read()) != '#') {
                if (c < 0) throw new IOException("connection closed");
                sb.append((char) c);
            }
            in.read();
            in.read();
            return sb.toString();
        }

        int readByte() throws IOException {
            return in.read();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static Process startVmm(int port, Path stderr, String... extra) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of("../vmm").toAbsolutePath().normalize().toString(), "run",
                "--kernel", RequiresKvm.testKernel().toString(), "-gdb", "tcp:127.0.0.1:" + port, "-S", "--timeout", "60"));
        cmd.addAll(List.of(extra));
        return new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(stderr.toFile()).start();
    }

    private static RawGdb connect(int port, Process vmm) throws Exception {
        for (int i = 0; i < 200; i++) {
            try {
                return new RawGdb(port);
            } catch (IOException notYet) {
                if (!vmm.isAlive()) fail("vmm ended before listening");
                Thread.sleep(100);
            }
        }
        throw new AssertionError("vmm did not listen on " + port);
    }

    @Test
    void badPacketsGetErrorsAndTheSessionGoesOn_secondDebuggerRefused() throws Exception {
        RequiresKvm.check();
        int port = freePort();
        Path err = Files.createTempFile("vmm-gdb", ".err");
        Process vmm = startVmm(port, err);
        try (RawGdb gdb = connect(port, vmm)) {
            assertTrue(gdb.ask("qSupported:swbreak+").contains("PacketSize=4000"));
            // a bad checksum: '-' (gdb resends), nothing else
            gdb.sendRaw("$g#00");
            int c;
            while ((c = gdb.readByte()) == '+') { }
            assertEquals('-', c);
            // oversized: the protocol's error reply
            assertEquals("E01", gdb.ask("m" + "0".repeat(20_000)));
            // malformed arguments, unknown thread, unknown packet, unmapped memory
            assertEquals("E01", gdb.ask("mzz,4"));
            assertEquals("E01", gdb.ask("Z0,xyz"));
            assertEquals("E02", gdb.ask("Hg9"));
            assertEquals("", gdb.ask("qNoSuchThing"));
            assertEquals("E03", gdb.ask("m10000000,4"), "beyond the 128 MiB of RAM (paging is off at the entry)");
            // still a working session: the stop reason and the registers of vCPU 0 at the PVH entry
            assertEquals("T05thread:1;", gdb.ask("?"));
            assertTrue(gdb.ask("p10").startsWith("0c00100000000000"), "rip at _start (0x10000c)");
            // a second debugger is closed at once; the first one is not disturbed
            try (RawGdb second = new RawGdb(port)) {
                assertEquals(-1, second.readByte(), "second connection closed");
            }
            assertEquals("m1", gdb.ask("qfThreadInfo"));
            gdb.sendRaw(RawGdb.frame("k"));
        }
        assertTrue(vmm.waitFor(30, TimeUnit.SECONDS), "kill ends vmm");
        assertEquals(0, vmm.exitValue(), "kill ends the run with status 0, as QEMU's gdbstub");
        assertTrue(Files.readString(err).contains("refused a second debugger"), Files.readString(err));
        Files.delete(err);
    }

    /**
     * The debugger and the monitor hold the guest independently: QMP cont ends -S, but while gdb
     * has the guest stopped it stays stopped (status "debug", RIP still at the entry) until gdb lets it go.
     */
    @Test
    void monitorContDoesNotEndADebuggersStop(@TempDir Path socketDir) throws Exception {
        RequiresKvm.check();
        int port = freePort();
        Path err = Files.createTempFile("vmm-gdb", ".err");
        Path qmp = socketDir.resolve("q.sock");
        Process vmm = startVmm(port, err, "--qmp", "unix:" + qmp + ",server=on,wait=off");
        try (RawGdb gdb = connect(port, vmm)) {
            assertEquals("T05thread:1;", gdb.ask("?"));
            for (int i = 0; i < 300 && !Files.exists(qmp); i++) {
                Thread.sleep(100);
            }
            try (QmpClient monitor = new QmpClient(qmp)) {
                monitor.execute("qmp_capabilities");
                assertEquals("paused", monitor.execute("query-status").path("return").path("status").asText(), "-S");
                monitor.execute("cont");
                assertEquals("debug", monitor.execute("query-status").path("return").path("status").asText(),
                        "cont ended -S, not gdb's stop");
                Thread.sleep(500);
                assertTrue(gdb.ask("p10").startsWith("0c00100000000000"), "vCPU 0 has not run: rip still at _start");
            }
            gdb.sendRaw(RawGdb.frame("k"));
        }
        assertTrue(vmm.waitFor(30, TimeUnit.SECONDS), "kill ends vmm");
        assertEquals(0, vmm.exitValue(), Files.readString(err));
        Files.delete(err);
    }

    @Test
    void portInUseIsAOneLineError() throws Exception {
        RequiresKvm.check();
        try (ServerSocket busy = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            VmmProcess r = VmmProcess.run("run", "--kernel", RequiresKvm.testKernel().toString(), "-gdb",
                    "tcp:127.0.0.1:" + busy.getLocalPort());
            r.assertOneLineError("cannot listen on tcp:127.0.0.1:" + busy.getLocalPort());
        }
    }

    /**
     * In a network namespace whose interfaces are all down (as in a container or the kvm-lab guest
     * before its loopback was brought up) the stub and the monitor still listen and the guest runs
     * to its end; nothing of Netty's host-network diagnostics (warnings with stack traces about a
     * missing loopback or MAC address) reaches the user's stderr.
     */
    @Test
    void noNetworkInterfacesUpLeavesStderrClean() throws Exception {
        RequiresKvm.check();
        Assumptions.assumeTrue(new ProcessBuilder("unshare", "-rn", "true").start().waitFor() == 0,
                "skipped: unshare -rn (a user and network namespace) is not allowed here");
        VmmProcess r = VmmProcess.run(List.of("unshare", "-rn"), "run", "--kernel",
                RequiresKvm.testKernel().toString(), "-gdb", "tcp:127.0.0.1:1234", "-qmp", "tcp:127.0.0.1:4444,server,nowait");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.stdout().contains("ok 22 "), r.toString());
        assertEquals("", r.stderr(), r.toString());
    }

    @Test
    void badSpellingsAreOneLineErrors() {
        VmmProcess.run("run", "--kernel", "../guest-images/target/pvtest.elf", "-gdb", "serial:1234")
                .assertOneLineError("expected unix:PATH, tcp:HOST:PORT");
        VmmProcess.run("run", "--kernel", "../guest-images/target/pvtest.elf", "-s", "-gdb", "tcp::1235")
                .assertOneLineError("give one of -s and -gdb");
        VmmProcess.run("run", "--kernel", "../guest-images/target/pvtest.elf", "--trace", "mmio")
                .assertOneLineError("the only trace is 'exits'");
        VmmProcess.run("run", "--kernel", "../guest-images/target/pvtest.elf", "--trace", "exits,fil=x")
                .assertOneLineError("unknown option 'fil=x'");
    }
}
