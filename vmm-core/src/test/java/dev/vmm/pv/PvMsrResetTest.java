package dev.vmm.pv;

import dev.vmm.kvm.Msr;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/** QEMU's reset rule for the KVM PV MSRs: all 0, except MSR_KVM_POLL_CONTROL which is 1. */
class PvMsrResetTest {
    @Test
    void everyPvMsrIsZeroAndPollControlIsOne() {
        Map<Integer, Long> values = PvMsr.resetValues().stream().collect(Collectors.toMap(Msr::index, Msr::value));
        for (int index : List.of(0x11, 0x12, 0x4b564d00, 0x4b564d01, 0x4b564d02, 0x4b564d03, 0x4b564d04,
                0x4b564d06, 0x4b564d07)) {
            assertEquals(0L, values.get(index), "MSR 0x" + Integer.toHexString(index));
        }
        assertEquals(1L, values.get(0x4b564d05), "MSR_KVM_POLL_CONTROL");
        assertEquals(10, values.size());
    }
}
