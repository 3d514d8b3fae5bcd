package dev.vmm.tests;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmm.cli.monitor.ChardevSpec;
import dev.vmm.cli.monitor.MonitorTarget;
import dev.vmm.cli.monitor.QmpServer;
import dev.vmm.cli.monitor.SerialSocket;
import dev.vmm.cpu.IrqchipMode;
import dev.vmm.machine.MachineConfig;
import dev.vmm.machine.PcMachine;
import dev.vmm.machine.TestDevice;
import dev.vmm.vm.VmOutcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.vmm.tests.FlatKernel.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 14, soak: in-process create → boot → close cycles with every optional part (page-eviction
 * port on anonymous RAM and on --mem-path RAM in turn, QMP and serial sockets with a client each
 * cycle, split irqchip, host contention), and the process's descriptors, threads, mappings and
 * RSS must stay flat. The guest uses the parts: it evicts and touches a page, asks for and ends
 * host contention, prints "ok" and exits 0. 20 cycles in the normal build; 1,000 with
 * {@code mvn -B -q verify -pl tests -am -Dtest=SoakTest -Dvmm.soak.cycles=1000} (docs/hardening.md, "Soak").
 */
class SoakTest {
    private static final int WARM_UP = 5;

    @TempDir
    Path tmp;

    private static byte[] guest() {
        return bytes(
                0xBA, 0x30, 0x05, 0x00, 0x00,       // mov edx, 0x530
                0xB8, 0x00, 0x02, 0x00, 0x00,       // mov eax, 0x200 (gfn: 2 MiB)
                0xEF, 0xED,                         // out dx, eax (evict); in eax, dx
                0xA1, 0x00, 0x00, 0x20, 0x00,       // mov eax, [0x200000] (touch: served back)
                0xBA, 0xE0, 0x05, 0x00, 0x00,       // mov edx, 0x5e0
                0xB8, 0x01, 0x00, 0x00, 0x00, 0xEF, // contention on
                0xB8, 0x02, 0x00, 0x00, 0x00, 0xEF, // contention off
                0xBA, 0xF8, 0x03, 0x00, 0x00,       // mov edx, 0x3f8
                0xB0, 'o', 0xEE, 0xB0, 'k', 0xEE, 0xB0, '\n', 0xEE,
                0xB0, 0x00, 0xE6, 0xF4, 0xEB, 0xFE); // exit 0
    }

    /** The monitor commands the soak's client uses; the machine itself is not needed for them. */
    private static final class Target implements MonitorTarget {
        @Override public String status() { return "running"; }
        @Override public void stop() { }
        @Override public void cont() { }
        @Override public void reset() { }
        @Override public void quit() { }
        @Override public List<Integer> vcpuThreadIds() { return List.of(); }
        @Override public Map<String, Boolean> cpuModelProperties(String name) { return Map.of(); }
        @Override public JsonNode pvState() { return QmpServer.data(); }
        @Override public JsonNode exitStats() { return QmpServer.data(); }
    }

    record Usage(long fds, long threads, long maps, long rssKib) {
        static Usage now() throws IOException {
            long rss = 0;
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
            try (var fds = Files.list(Path.of("/proc/self/fd")); var tasks = Files.list(Path.of("/proc/self/task"));
                 var maps = Files.lines(Path.of("/proc/self/maps"))) {
                return new Usage(fds.count(), tasks.count(), maps.count(), rss);
            }
        }
    }

    private void cycle(int i, Path kernel) throws Exception {
        boolean fileBacked = i % 2 == 1;
        MachineConfig config = MachineConfig.validated(kernel, "", 64L << 20, 2, "host", IrqchipMode.SPLIT)
                .withTestDevice(TestDevice.HOST_CONTENTION);
        Path ramDir = tmp.resolve("ram");
        Files.createDirectories(ramDir);
        if (fileBacked) config = config.withMemPath(ramDir);
        else config = config.withTestDevice(TestDevice.PAGE_EVICT);
        Path qmpPath = tmp.resolve("q.sock");
        Path serialPath = tmp.resolve("s.sock");
        try (SerialSocket serial = new SerialSocket(ChardevSpec.parse("--serial", "unix:" + serialPath), false, b -> { });
             QmpServer qmp = new QmpServer(ChardevSpec.parse("--qmp", "unix:" + qmpPath), new Target());
             PcMachine machine = PcMachine.create(config, serial)) {
            try (QmpClient client = new QmpClient(qmpPath)) {
                client.execute("qmp_capabilities");
                assertEquals("running", client.execute("query-status").path("return").path("status").asText());
            }
            VmOutcome outcome = machine.run(Duration.ofSeconds(30));
            assertTrue(outcome.isPowerOff() && outcome.exitStatus() == 0, "cycle " + i + ": " + outcome.report());
        }
    }

    @Test
    void createBootCloseCyclesLeaveNothingBehind() throws Exception {
        RequiresKvm.check();
        int cycles = Integer.getInteger("vmm.soak.cycles", 20);
        Path kernel = FlatKernel.write(tmp.resolve("soak.bin"), guest());
        Usage before = null;
        long t0 = System.nanoTime();
        for (int i = 0; i < cycles + WARM_UP; i++) {
            if (i == WARM_UP) {
                System.gc();
                before = Usage.now();
                t0 = System.nanoTime();
            }
            cycle(i, kernel);
        }
        System.gc();
        Usage after = Usage.now();
        System.out.printf("soak: %d cycles in %d ms; fds %d -> %d, threads %d -> %d, maps %d -> %d, RSS %d -> %d KiB%n",
                cycles, (System.nanoTime() - t0) / 1_000_000, before.fds(), after.fds(), before.threads(), after.threads(),
                before.maps(), after.maps(), before.rssKib(), after.rssKib());
        // Netty's and the JDK's shared helper threads come and go on their own: a small slack, not growth per cycle.
        assertTrue(after.fds() <= before.fds() + 2, "descriptors: " + before + " -> " + after);
        assertTrue(after.threads() <= before.threads() + 2, "threads: " + before + " -> " + after);
        assertTrue(after.maps() <= before.maps() + 16, "mappings: " + before + " -> " + after);
        assertTrue(after.rssKib() <= before.rssKib() + 64 * 1024, "RSS: " + before + " -> " + after);
    }
}
