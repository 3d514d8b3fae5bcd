package dev.vmm.tests;

import dev.vmm.api.Guest;
import dev.vmm.api.GuestExit;
import dev.vmm.junit.Guests;
import dev.vmm.junit.VmmTest;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The "launch from a JUnit test" user story: the VMM used in-process through the library API,
 * and a guest that never ends by itself (it spins with interrupts off, in ring 3 or ring 0) is
 * stopped by {@link Guest#close()} promptly.
 */
@VmmTest
class StopRunningGuestTest {
    private static final long CLOSE_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(2);

    @ParameterizedTest(name = "pvtest.spin={0}")
    @ValueSource(strings = {"user", "kernel"})
    void closeStopsASpinningGuest(String mode, Guests guests) throws Exception {
        Guest guest = guests.start(Guest.builder().testKernel().memory(dev.vmm.api.MemorySize.ofMiB(64)).cpus(2)
                .append("pvtest.spin=" + mode));
        guest.awaitLine(Pattern.compile("^# spinning in " + mode + " mode$"), Duration.ofSeconds(60));
        Thread.sleep(200); // let it spin for a moment
        assertEquals(Optional.empty(), guest.exit(), "still running");

        long t0 = System.nanoTime();
        guest.close();
        long took = System.nanoTime() - t0;
        assertTrue(took < CLOSE_LIMIT_NANOS,
                "close() took " + TimeUnit.NANOSECONDS.toMillis(took) + " ms\nserial:\n" + guest.output());

        assertEquals(Optional.of(new GuestExit.Stopped()), guest.exit());
        assertTrue(guest.output().contains("ok 4 - "), "the normal tests ran first\n" + guest.output());

        List<String> alive = Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith("vcpu-"))
                .toList();
        assertEquals(List.of(), alive, "vCPU threads still alive after close()");
    }
}
