package dev.vmm.tests;

import dev.vmm.machine.MachineConfig;
import dev.vmm.machine.PcMachine;
import dev.vmm.vm.VmOutcome;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The "launch from a JUnit test" user story: the VMM used in-process, and a guest that never
 * ends by itself (it spins with interrupts off, in ring 3 or ring 0) is stopped by
 * {@link PcMachine#close()} promptly.
 */
class StopRunningGuestTest {
    private static final long CLOSE_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** Collects the serial output; readable from the test thread while the guest writes. */
    private static final class Console extends ByteArrayOutputStream {
        @Override
        public synchronized String toString() {
            return new String(toByteArray(), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest(name = "pvtest.spin={0}")
    @ValueSource(strings = {"user", "kernel"})
    void closeStopsASpinningGuest(String mode) throws Exception {
        RequiresKvm.check();
        MachineConfig cfg = MachineConfig.validated(RequiresKvm.testKernel(), "pvtest.spin=" + mode,
                64L << 20, 2, "host");
        Console console = new Console();
        String marker = "# spinning in " + mode + " mode";
        ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "machine-run");
            t.setDaemon(true);
            return t;
        });
        PcMachine m = PcMachine.create(cfg, console);
        boolean closed = false;
        try {
            Future<VmOutcome> run = runner.submit(() -> m.run(null));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!console.toString().contains(marker)) {
                if (run.isDone()) {
                    fail("the guest ended before spinning: " + run.get() + "\nserial:\n" + console);
                }
                if (System.nanoTime() > deadline) {
                    fail("no '" + marker + "' within 60 s\nserial:\n" + console);
                }
                Thread.sleep(20);
            }
            Thread.sleep(200); // let it spin for a moment

            long t0 = System.nanoTime();
            m.close();
            long took = System.nanoTime() - t0;
            closed = true;
            assertTrue(took < CLOSE_LIMIT_NANOS,
                    "close() took " + TimeUnit.NANOSECONDS.toMillis(took) + " ms\nserial:\n" + console);

            VmOutcome outcome = run.get(2, TimeUnit.SECONDS);
            assertEquals(VmOutcome.Kind.STOPPED, outcome.kind(), "outcome " + outcome);
            assertTrue(console.toString().contains("ok 4 - "), "the normal tests ran first\n" + console);

            List<String> alive = Thread.getAllStackTraces().keySet().stream()
                    .filter(Thread::isAlive)
                    .map(Thread::getName)
                    .filter(n -> n.startsWith("vcpu-"))
                    .toList();
            assertEquals(List.of(), alive, "vCPU threads still alive after close()");
        } finally {
            if (!closed) {
                m.close();
            }
            runner.shutdownNow();
        }
    }
}
