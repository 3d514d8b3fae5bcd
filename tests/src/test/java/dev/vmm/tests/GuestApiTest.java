package dev.vmm.tests;

import dev.vmm.pvtest.PvCheck;
import dev.vmm.api.Guest;
import dev.vmm.api.GuestExit;
import dev.vmm.api.GuestTimeoutException;
import dev.vmm.api.Irqchip;
import dev.vmm.api.VmmException;
import dev.vmm.junit.GuestTap;
import dev.vmm.junit.Guests;
import dev.vmm.tap.TapReport;
import dev.vmm.junit.VmmTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The library API's typed values reach the machine (irqchip, APIC IDs, the command line), and bad
 * input is one unchecked {@link VmmException} with a one-line message.
 */
@VmmTest
class GuestApiTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path tmp;

    @Test
    void splitIrqchipAndSparseApicIdsReachTheGuest(Guests guests) {
        Guest guest = guests.start(Guest.builder().testKernel().cpus(2).irqchip(Irqchip.SPLIT).apicIds(0, 256)
                .cpu("host,+kvm-msi-ext-dest-id").append("pvtest.extdest=1"));
        TapReport tap = GuestTap.awaitFrom(guest, TIMEOUT);
        assertEquals(new GuestExit.PowerOff(0), guest.exit().orElseThrow(), guest::output);
        assertTrue(tap.result(PvCheck.MSI_EXT_DEST_ID.description()).passed(), guest::output);
        assertTrue(tap.diagnostic("apic ids: 0 256;").isPresent(), "the AP reads APIC ID 256\n" + guest.output());
    }

    @Test
    void anEmptyCommandLineIsEmpty(Guests guests) {
        Guest guest = guests.start(Guest.builder().testKernel().append(""));
        assertEquals("# cmdline: ", guest.awaitLine(Pattern.compile("^# cmdline:"), TIMEOUT));
        assertEquals(new GuestExit.PowerOff(0), guest.awaitExit(TIMEOUT), guest::output);
    }

    @Test
    void badInputIsOneLineVmmException() {
        Path missing = tmp.resolve("no-such-kernel");
        VmmException e = assertThrows(VmmException.class, () -> Guest.builder().kernel(missing).start());
        // The machine's input-file check (InputFile) words it; the API passes that one line on.
        assertEquals("kernel '" + missing + "' does not exist", e.getMessage());
        VmmException cpu = assertThrows(VmmException.class,
                () -> Guest.builder().testKernel().cpu("host,+no-such-feature").start());
        assertEquals(1, cpu.getMessage().lines().count(), cpu.getMessage());
        VmmException ids = assertThrows(VmmException.class, () -> Guest.builder().testKernel().cpus(2).apicIds(0, 0).start());
        assertTrue(ids.getMessage().contains("appears twice"), ids.getMessage());
    }

    @Test
    void waitingTooLongIsATimeoutWithTheOutputSoFar(Guests guests) {
        Guest guest = guests.start(Guest.builder().testKernel().append("pvtest.spin=user"));
        guest.awaitLine(Pattern.compile("^# spinning in user mode$"), TIMEOUT);
        GuestTimeoutException e = assertThrows(GuestTimeoutException.class, () -> guest.awaitExit(Duration.ofMillis(200)));
        assertTrue(e.output().contains("# spinning in user mode"), e.getMessage());
        assertThrows(GuestTimeoutException.class, () -> guest.awaitLine(Pattern.compile("never printed"), Duration.ofMillis(100)));
    }
}
