package dev.vmm.tests;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** Drives a running guest through the QMP monitor and reads its console from a socket, as a harness would. */
class QmpTest {
    @TempDir
    Path tmp;
    private Process vmm;
    private Path qmp;
    private Path serial;

    @BeforeEach
    void start() throws Exception {
        RequiresKvm.check();
        qmp = tmp.resolve("q.sock");
        serial = tmp.resolve("s.sock");
        Path launcher = Path.of(System.getProperty("vmm.launcher", "../vmm")).toAbsolutePath().normalize();
        vmm = new ProcessBuilder(launcher.toString(), "run", "--kernel", RequiresKvm.testKernel().toString(),
                "--smp", "2", "--append", "pvtest.spin=user pvtest.leave-msrs=1",
                "--qmp", "unix:" + qmp + ",server=on,wait=off", "--serial", "unix:" + serial + ",server=on,wait=off")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("vmm.log").toFile()).start();
        for (int i = 0; i < 300 && !(Files.exists(qmp) && Files.exists(serial)); i++) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(qmp), "QMP socket appeared");
    }

    @AfterEach
    void stop() throws Exception {
        if (vmm != null && vmm.isAlive()) {
            vmm.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private String serialOutputUntil(String marker) throws Exception {
        return SerialSocketReader.readUntil(serial, marker, 60);
    }

    @Test
    void negotiateQueryAndQuit() throws Exception {
        String console = serialOutputUntil("# spinning in user mode");
        assertTrue(console.contains("ok 3 - smp: all 2 CPUs online"), console);
        try (QmpClient c = new QmpClient(qmp)) {
            assertTrue(c.greeting.path("QMP").path("version").path("qemu").has("major"), c.greeting.toString());
            assertTrue(c.greeting.path("QMP").path("capabilities").isArray());
            assertEquals("CommandNotFound", c.execute("query-status").path("error").path("class").asText());
            assertTrue(c.execute("qmp_capabilities").path("return").isObject());

            c.sendRaw("{\"execute\":\"query-status\",\"id\":\"abc\"}\r\n");
            JsonNode status = c.reply();
            assertEquals("abc", status.path("id").asText(), "id echoed");
            assertEquals("running", status.path("return").path("status").asText());
            assertTrue(status.path("return").path("running").asBoolean());

            JsonNode cpus = c.execute("query-cpus-fast").path("return");
            assertEquals(2, cpus.size());
            for (JsonNode cpu : cpus) {
                int tid = cpu.path("thread-id").asInt();
                assertTrue(Files.exists(Path.of("/proc/" + vmm.pid() + "/task/" + tid)),
                        "thread-id " + tid + " is a real thread of the vmm process");
            }
            assertEquals("CommandNotFound", c.execute("no-such-command").path("error").path("class").asText());
            assertEquals("GenericError", c.execute("system_powerdown").path("error").path("class").asText());

            // Bad input gets an error and the session goes on.
            c.sendRaw("{\"execute\": }\r\n");
            assertEquals("GenericError", c.reply().path("error").path("class").asText());
            c.sendRaw("[1, 2]\r\n");
            assertEquals("GenericError", c.reply().path("error").path("class").asText());
            c.sendRaw("{\"execute\":\"query-status\",\"arguments\":[]}\r\n");
            assertEquals("GenericError", c.reply().path("error").path("class").asText());
            c.sendRaw("{\"execute\":\"query-kvm\",\"arguments\":{\"bogus\":1}}\r\n");
            assertEquals("GenericError", c.reply().path("error").path("class").asText());
            c.sendRaw("{\"execute\":\"x\",\"pad\":\"" + "a".repeat(70_000) + "\"}\r\n");
            assertTrue(c.reply().path("error").path("desc").asText().contains("exceeds"));
            assertTrue(c.execute("query-kvm").path("return").path("enabled").asBoolean(), "still usable");

            c.sendRaw("{\"execute\":\"query-cpu-model-expansion\",\"arguments\":{\"type\":\"full\",\"model\":{\"name\":\"kvm64\"}}}\r\n");
            JsonNode props = c.reply().path("return").path("model").path("props");
            assertTrue(props.path("kvmclock").asBoolean(), props.toString());
            assertFalse(props.path("kvm-pv-ipi").asBoolean(true), props.toString());
            assertFalse(props.path("kvm-pv-enforce-cpuid").asBoolean(true), props.toString());
            c.sendRaw("{\"execute\":\"query-cpu-model-expansion\",\"arguments\":{\"type\":1,\"model\":{\"name\":\"kvm64\"}}}\r\n");
            assertEquals("GenericError", c.reply().path("error").path("class").asText());

            assertTrue(c.execute("quit").path("return").isObject());
            JsonNode event = c.read();
            assertEquals("SHUTDOWN", event.path("event").asText(), event.toString());
            assertEquals("host-qmp-quit", event.path("data").path("reason").asText());
            assertTrue(event.path("timestamp").has("seconds"));
        }
        assertTrue(vmm.waitFor(20, TimeUnit.SECONDS), "vmm ended after quit");
        assertEquals(0, vmm.exitValue());
    }

    /** utime + stime of one thread of the vmm process, in clock ticks (usually 10 ms). */
    private long cpuTicks(int tid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + vmm.pid() + "/task/" + tid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private long ticksOver(int tid, long millis) throws Exception {
        long before = cpuTicks(tid);
        Thread.sleep(millis);
        return cpuTicks(tid) - before;
    }

    /**
     * Whether the thread gains {@code ticks} of CPU time within 20 s. A running vCPU spinning in
     * guest user mode gets there in a fraction of a second on a quiet host; the generous bound keeps
     * the test about progress, not speed, when other work shares the cores.
     */
    private boolean makesProgress(int tid, long ticks) throws Exception {
        long before = cpuTicks(tid);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (cpuTicks(tid) - before >= ticks) return true;
            Thread.sleep(50);
        }
        return false;
    }

    @Test
    void stopParksTheVcpusContResumesThemAndResetRebootsTheGuest() throws Exception {
        serialOutputUntil("# spinning in user mode");
        try (QmpClient c = new QmpClient(qmp)) {
            c.execute("qmp_capabilities");
            int tid = c.execute("query-cpus-fast").path("return").get(0).path("thread-id").asInt();
            assertTrue(makesProgress(tid, 20), "the spinning vCPU uses CPU while running");

            c.sendRaw("{\"execute\":\"stop\"}\r\n");
            JsonNode first = c.read();
            JsonNode second = c.read();
            assertTrue((first.has("return") && second.path("event").asText().equals("STOP"))
                    || (second.has("return") && first.path("event").asText().equals("STOP")), first + " " + second);
            assertEquals("paused", c.execute("query-status").path("return").path("status").asText());
            assertTrue(ticksOver(tid, 500) <= 2, "a paused vCPU makes no progress");

            c.sendRaw("{\"execute\":\"cont\"}\r\n");
            first = c.read();
            second = c.read();
            assertTrue(first.path("event").asText().equals("RESUME") || second.path("event").asText().equals("RESUME"));
            assertEquals("running", c.execute("query-status").path("return").path("status").asText());
            assertTrue(makesProgress(tid, 20), "running again after cont");

            c.sendRaw("{\"execute\":\"system_reset\"}\r\n");
            boolean sawReset = false;
            for (int i = 0; i < 3 && !sawReset; i++) {
                JsonNode n = c.read();
                if (n.path("event").asText().equals("RESET")) {
                    sawReset = true;
                    assertEquals("host-qmp-system-reset", n.path("data").path("reason").asText());
                }
            }
            assertTrue(sawReset, "RESET event");
        }
        // After the reset the guest boots again and prints its report a second time.
        String again = serialOutputUntil("# spinning in user mode");
        assertTrue(again.contains("TAP version 14"), again);
    }

    @Test
    void xQueryPvShowsTheKvmclockTheGuestRegistered() throws Exception {
        String console = serialOutputUntil("# spinning in user mode");
        java.util.regex.Matcher guest = java.util.regex.Pattern
                .compile("^# kvmclock msr=0x4b564d01 gpa=(0x[0-9a-f]+) version=(\\d+)", java.util.regex.Pattern.MULTILINE)
                .matcher(console);
        assertTrue(guest.find(), "the guest printed its kvmclock registration\n" + console);
        long gpa = Long.decode(guest.group(1));
        try (QmpClient c = new QmpClient(qmp)) {
            c.execute("qmp_capabilities");
            JsonNode cpus = c.execute("x-query-pv").path("return");
            assertEquals(2, cpus.size(), cpus.toString());
            JsonNode systemTime = null;
            for (JsonNode m : cpus.get(0).path("msrs")) {
                if (m.path("name").asText().equals("MSR_KVM_SYSTEM_TIME_NEW")) systemTime = m;
            }
            assertNotNull(systemTime, cpus.toString());
            assertEquals(gpa | 1, systemTime.path("value").asLong(), "MSR = the guest's GPA | enable");
            JsonNode clock = systemTime.path("decoded").path("kvmclock");
            assertEquals(gpa, systemTime.path("decoded").path("gpa").asLong());
            assertEquals(0, clock.path("version").asLong() % 2, "even version " + clock);
            assertTrue(clock.path("version").asLong() >= Long.parseLong(guest.group(2)), clock.toString());
            assertTrue(clock.path("systemTime").asLong() > 0, clock.toString());
            assertEquals("running", c.execute("query-status").path("return").path("status").asText(),
                    "the read paused and resumed the guest");
        }
    }

    @Test
    void fiftyClientsInParallelGetEveryReplyWhileTheGuestRuns() throws Exception {
        serialOutputUntil("# spinning in user mode");
        // A client that disconnects in the middle of a message disturbs nobody.
        try (QmpClient quitter = new QmpClient(qmp)) {
            quitter.sendRaw("{\"execute\":\"qmp_capabilities\"}\r\n{\"execute\":\"query-st");
        }
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                results.add(pool.submit(() -> {
                    int ok = 0;
                    try (QmpClient c = new QmpClient(qmp)) {
                        c.execute("qmp_capabilities");
                        for (int k = 0; k < 200; k++) {
                            c.sendRaw("{\"execute\":\"query-status\",\"id\":" + k + "}\r\n");
                            JsonNode r = c.reply();
                            if (r.path("id").asInt() == k && r.path("return").path("status").asText().equals("running")) {
                                ok++;
                            }
                        }
                    }
                    return ok;
                }));
            }
            for (Future<Integer> f : results) {
                assertEquals(200, f.get(120, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(vmm.isAlive(), "the guest kept running");
    }
}
