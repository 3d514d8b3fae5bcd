package dev.vmm.tests;

import dev.vmm.api.Guest;
import dev.vmm.api.GuestExit;
import dev.vmm.junit.GuestTap;
import dev.vmm.junit.Guests;
import dev.vmm.tap.TapReport;
import dev.vmm.junit.VmmTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Guest reset, in-process: the test kernel with {@code pvtest.reset} dirties kvmclock and
 * poll-control, resets through the i8042 (0xFE to port 0x64) and, on the second boot, checks
 * QEMU's reset rule (PV MSRs 0, MSR_KVM_POLL_CONTROL 1). No-reboot turns the reset into the end of
 * the run; a guest that resets forever is stopped.
 */
@VmmTest
class ResetTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path tmp;

    private static Guest resettingGuest(Guests guests, int cpus) {
        return guests.start(Guest.builder().testKernel().cpus(cpus).append("pvtest.reset").cpu("host,+kvm-poll-control"));
    }

    @Test
    void resetRebootsTheGuestWithPvMsrsReset(Guests guests) {
        // the test kernel's plan without pvtest.reset (it grows with the PV checks: measured, not assumed)
        Guest plain = guests.start(Guest.builder().testKernel());
        Guest guest = resettingGuest(guests, 1);
        assertEquals(new GuestExit.PowerOff(0), guest.awaitExit(TIMEOUT), guest::output);
        assertTrue(guest.output().contains("# resetting"), guest::output);
        TapReport tap = TapReport.parse(guest.output());
        assertEquals(GuestTap.awaitFrom(plain, TIMEOUT).plan().orElseThrow().count() + 2, tap.plan().orElseThrow().count(),
                "the second boot adds the two reset checks\n" + guest.output());
        assertTrue(tap.allPassed(), guest::output);
        assertEquals(5, tap.result("reset: kvmclock MSR is 0 after reset").number(), guest::output);
        assertEquals(6, tap.result("reset: poll-control MSR is 1 after reset").number(), guest::output);
        assertFalse(guest.output().contains("# SKIP kvm"), "both features are offered\n" + guest.output());
    }

    @Test
    void resetRebootsEveryVcpu(Guests guests) {
        Guest guest = resettingGuest(guests, 2);
        TapReport tap = GuestTap.awaitFrom(guest, TIMEOUT);
        assertEquals(new GuestExit.PowerOff(0), guest.exit().orElseThrow(), guest::output);
        assertTrue(tap.allPassed(), guest::output);
        assertTrue(guest.output().contains("ok 3 - smp: all 2 CPUs online"), "APs come up again after the reset\n" + guest.output());
    }

    @Test
    void noRebootEndsTheRunAtTheReset(Guests guests) {
        Guest guest = guests.start(Guest.builder().testKernel().append("pvtest.reset").cpu("host,+kvm-poll-control").noReboot());
        assertEquals(new GuestExit.PowerOff(0), guest.awaitExit(TIMEOUT), guest::output);
        assertTrue(guest.output().contains("# resetting"), guest::output);
        assertFalse(guest.output().contains("reset: "), "no second boot\n" + guest.output());
        assertFalse(guest.output().contains("not ok"), guest::output);
    }

    @Test
    void withoutPvtestResetNothingChanges(Guests guests) {
        Guest guest = guests.start(Guest.builder().testKernel());
        TapReport tap = GuestTap.awaitFrom(guest, TIMEOUT);
        assertEquals(new GuestExit.PowerOff(0), guest.exit().orElseThrow(), guest::output);
        assertTrue(tap.allPassed(), guest::output);
        assertFalse(guest.output().contains("resetting"), guest::output);
    }

    @Test
    void resetLoopIsStopped(Guests guests) throws IOException {
        // mov al, 0xfe; out 0x64, al; jmp $ - resets on every boot.
        Guest guest = guests.start(Guest.builder().kernel(FlatKernel.write(tmp, "resetloop.bin",
                new byte[] {(byte) 0xb0, (byte) 0xfe, (byte) 0xe6, 0x64, (byte) 0xeb, (byte) 0xfe})));
        GuestExit exit = guest.awaitExit(TIMEOUT);
        assertEquals(125, exit.status(), exit::toString);
        assertTrue(exit instanceof GuestExit.Failure f && f.report().contains("reset more than 100 times"), exit::toString);
    }

}
