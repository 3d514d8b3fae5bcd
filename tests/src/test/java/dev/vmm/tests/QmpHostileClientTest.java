package dev.vmm.tests;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 14: one bad QMP message must not poison the session (before, every later command got the
 * same stale error, after a 1 MB message a 131 KB hex dump each), memory stays bounded, and
 * operator resets are not a guest reset loop (101 system_reset ended the VM with status 125).
 */
class QmpHostileClientTest {
    @TempDir
    Path tmp;
    private Process vmm;

    private Path start(String... extra) throws Exception {
        RequiresKvm.check();
        Path qmp = tmp.resolve("q.sock");
        Path launcher = Path.of(System.getProperty("vmm.launcher", "../vmm")).toAbsolutePath().normalize();
        List<String> cmd = new java.util.ArrayList<>(List.of(launcher.toString(), "run", "--kernel",
                RequiresKvm.testKernel().toString(), "--append", "pvtest.spin=user", "--serial", "null",
                "--qmp", "unix:" + qmp + ",server=on,wait=off"));
        cmd.addAll(List.of(extra));
        vmm = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("vmm.log").toFile()).start();
        for (int i = 0; i < 300 && !Files.exists(qmp); i++) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(qmp), "QMP socket appeared");
        return qmp;
    }

    @AfterEach
    void stop() throws Exception {
        if (vmm != null && vmm.isAlive()) {
            vmm.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private long rssKib() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + vmm.pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        throw new AssertionError("no VmRSS");
    }

    @Test
    void everyBadMessageGetsOneErrorAndTheNextCommandWorks() throws Exception {
        Path qmp = start();
        try (QmpClient c = new QmpClient(qmp)) {
            assertTrue(c.execute("qmp_capabilities").path("return").isObject());
            String mb = "{\"execute\":\"query-status\",\"pad\":\"" + "a".repeat(1 << 20) + "\"}";
            for (String bad : List.of("garbage", "\"str\"", "123", "}}}}", mb, "[1,2]", "{\"execute\":1}", "\u00ff\u00fe")) {
                c.sendRaw(bad + "\r\n");
                JsonNode err = c.reply();
                assertEquals("GenericError", err.path("error").path("class").asText(), bad.length() > 40 ? "1 MB" : bad);
                assertTrue(err.toString().length() < 500, "a short error: " + err.toString().length() + " chars");
                JsonNode status = c.execute("query-status");
                assertEquals("running", status.path("return").path("status").asText(),
                        "after " + (bad.length() > 40 ? "1 MB" : bad) + ": " + status);
            }
            c.sendRaw("{\"execute\":\"x-query-pv\",\"arguments\":{\"foo\":1}}\r\n");
            assertEquals("Parameter 'foo' is unexpected", c.reply().path("error").path("desc").asText(),
                    "x-query-pv takes no arguments, as query-status");
        }
    }

    @Test
    void megabyteMessagesDoNotGrowTheProcess() throws Exception {
        Path qmp = start();
        try (QmpClient c = new QmpClient(qmp)) {
            c.execute("qmp_capabilities");
            c.execute("query-status");
            long before = rssKib();
            String mb = "{\"execute\":\"query-status\",\"pad\":\"" + "a".repeat(1 << 20) + "\"}\r\n";
            for (int i = 0; i < 40; i++) {
                c.sendRaw(mb);
                assertTrue(c.reply().path("error").path("desc").asText().contains("exceeds"));
            }
            assertEquals("running", c.execute("query-status").path("return").path("status").asText());
            long growth = rssKib() - before;
            System.out.println("QMP 40 x 1 MB: RSS growth " + growth + " KiB");
            assertTrue(growth < 64 * 1024, "RSS grew by " + growth + " KiB after 40 MB of oversized messages");
        }
    }

    @Test
    void operatorResetsAreNotAGuestResetLoop() throws Exception {
        Path qmp = start("--timeout", "120");
        try (QmpClient c = new QmpClient(qmp)) {
            c.execute("qmp_capabilities");
            long t0 = System.nanoTime();
            for (int i = 0; i < 105; i++) {
                c.sendRaw("{\"execute\":\"system_reset\"}\r\n");
                boolean returned = false;
                boolean resetDone = false;
                while (!returned || !resetDone) { // the RESET event may come before or after the return
                    JsonNode m = c.read();
                    returned |= m.has("return");
                    resetDone |= "RESET".equals(m.path("event").asText());
                    assertTrue(!m.has("error") && !"SHUTDOWN".equals(m.path("event").asText()), "reset " + i + ": " + m);
                }
            }
            System.out.println("105 operator resets in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            assertEquals("running", c.execute("query-status").path("return").path("status").asText(),
                    "105 operator resets later the guest still runs");
        }
        assertTrue(vmm.isAlive(), "vmm still running");
    }
}
