package dev.vmm.tests;

import dev.vmm.pvtest.PvCheck;
import dev.vmm.api.Guest;
import dev.vmm.api.GuestExit;
import dev.vmm.junit.GuestTap;
import dev.vmm.junit.Guests;
import dev.vmm.tap.TapReport;
import dev.vmm.tap.TapResult;
import dev.vmm.junit.VmmTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The bundled test kernel's own checks and their controls, booted in-process through the library
 * API ({@link BootTestKernelTest} boots it through {@code ./vmm}, as the README does).
 */
@VmmTest
class TestKernelBootTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final Pattern CPUID_LINE = Pattern.compile(
            "^# cpuid 0x40000001 eax=0x[0-9a-f]{8} ebx=0x[0-9a-f]{8} ecx=0x[0-9a-f]{8} edx=0x[0-9a-f]{8}$",
            Pattern.MULTILINE);
    private static final String WALL_CLOCK = PvCheck.KVMCLOCK_WALL_CLOCK.description();

    @ParameterizedTest(name = "{0} vCPUs")
    @ValueSource(ints = {1, 2, 4})
    void bootsWithAllTestsOkAndEveryCpuOnline(int cpus, Guests guests) {
        // pvtest.epoch: the host's time now, which the guest's kvmclock wall clock must match
        Guest guest = guests.start(Guest.builder().testKernel().cpus(cpus)
                .append("from-junit pvtest.epoch=" + Instant.now().getEpochSecond()));
        TapReport tap = GuestTap.awaitFrom(guest, TIMEOUT);
        String out = guest.output();
        assertEquals(new GuestExit.PowerOff(0), guest.exit().orElseThrow(), "the guest's debug-exit value\n" + out);
        assertTrue(tap.allPassed(), "all TAP tests ok\n" + out);
        assertFalse(tap.result(WALL_CLOCK).skipped(), "the wall clock was compared\n" + out);
        assertEquals(cpus - 1, out.lines().filter(l -> l.matches("# kvmclock cpu [1-9]\\d* .*")).count(),
                "every AP reported its own kvmclock structure\n" + out);
        assertTrue(CPUID_LINE.matcher(out).find(), "raw leaf 0x40000001 line\n" + out);
        assertEquals(java.util.Optional.of("cpus online: " + cpus + " of " + cpus), tap.diagnostic("cpus online"), out);
        assertTrue(out.contains("# cmdline: from-junit"), "the command line reached the guest\n" + out);
    }

    @Test
    void wallClockAnHourOffFails(Guests guests) {
        // the control for the wall clock check: a host time one hour in the past must not pass
        Guest guest = guests.start(Guest.builder().testKernel()
                .append("pvtest.epoch=" + (Instant.now().getEpochSecond() - 3600)));
        TapReport tap = GuestTap.awaitFrom(guest, TIMEOUT);
        assertEquals(new GuestExit.PowerOff(1), guest.exit().orElseThrow(), guest::output);
        List<TapResult> failed = tap.failures();
        assertEquals(1, failed.size(), "only the wall clock check fails\n" + guest.output());
        assertTrue(failed.get(0).description().startsWith(WALL_CLOCK), guest::output);
    }

    @Test
    void writableKvmclockAliasFailsTheUserModeCheck(Guests guests) {
        // the control for the read-only alias: mapped writable, the ring-3 write does not fault
        Guest guest = guests.start(Guest.builder().testKernel().cpus(2).append("pvtest.kvmclock-alias=rw"));
        TapReport tap = GuestTap.awaitFrom(guest, TIMEOUT);
        assertEquals(new GuestExit.PowerOff(1), guest.exit().orElseThrow(), guest::output);
        List<TapResult> failed = tap.failures();
        assertEquals(1, failed.size(), "only the user-mode kvmclock check fails\n" + guest.output());
        assertTrue(failed.get(0).description().startsWith(PvCheck.KVMCLOCK_USER_MODE.description()), guest::output);
        assertTrue(guest.output().contains("# user-mode write to the alias 0x140000004: no fault"), guest::output);
    }

    @Test
    void anExceptionFailsTheRunWithValueOne(Guests guests) {
        // pvtest.fault=ud makes the kernel take an invalid-opcode exception
        Guest guest = guests.start(Guest.builder().testKernel().append("pvtest.fault=ud"));
        assertEquals("not ok 1 - unexpected exception 6 at rip=",
                guest.awaitLine(Pattern.compile("^not ok 1 - unexpected exception 6"), TIMEOUT).replaceAll("0x[0-9a-f]+$", ""));
        assertEquals(new GuestExit.PowerOff(1), guest.awaitExit(TIMEOUT), guest::output);
        assertFalse(TapReport.parse(guest.output()).allPassed(), guest::output);
    }
}
