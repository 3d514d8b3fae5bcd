package dev.vmm.junit;

import dev.vmm.api.Guest;
import dev.vmm.api.GuestExit;
import dev.vmm.tap.TapReport;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** The extension on the real /dev/kvm: an injected guest per parameter, booted as {@link Boot} says. */
@VmmTest
class VmmExtensionTest {
    @Test
    void injectsATestKernelGuestBootedAsAnnotated(@Boot(cpu = "host,-kvm-steal-time", cpus = 2, append = "pvtest.from-junit") Guest guest) {
        assertEquals("# cpus online: 2 of 2", guest.awaitLine(Pattern.compile("^# cpus online"), Duration.ofSeconds(60)));
        TapReport tap = GuestTap.awaitFrom(guest, Duration.ofSeconds(60));
        assertTrue(tap.allPassed(), tap::toString);
        assertTrue(tap.diagnostic("kvm-steal-time: bit 5 off").isPresent(), guest::output);
        assertTrue(guest.output().contains("# cmdline: pvtest.from-junit"), guest::output);
    }

    @Test
    void guestsStartsAnyBuilderAndTheyEndTyped(Guests guests) {
        Guest guest = guests.start(Guest.builder().testKernel().append("pvtest.fault=ud"));
        assertEquals(new GuestExit.PowerOff(1), guest.awaitExit(Duration.ofSeconds(60)), guest::output);
        assertFalse(TapReport.parse(guest.output()).result("unexpected exception 6").ok(), guest::output);
    }
}
