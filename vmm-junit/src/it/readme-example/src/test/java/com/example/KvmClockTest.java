package com.example;

import dev.vmm.api.Guest;
import dev.vmm.junit.GuestTap;
import dev.vmm.junit.Guests;
import dev.vmm.junit.VmmTest;
import dev.vmm.tap.TapReport;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

@VmmTest
class KvmClockTest {
    @Test
    void kvmclockWorksWithoutPvEoi(Guests guests) {
        Guest guest = guests.start(Guest.builder().testKernel().cpus(2).cpu("host,-kvm-pv-eoi"));
        TapReport tap = GuestTap.awaitFrom(guest, Duration.ofSeconds(60));
        assertTrue(tap.result("pv kvmclock:").passed(), guest::output);
    }
}
