package dev.vmm.pvtest;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the host's KVM binary stats said of one boot: vCPU 0's and vCPU 1's whole-run changes
 * (null where not read or not available), the windows the guest bracketed, and the PV-EOI acks the
 * guest counted.
 */
record HostStats(boolean available, Map<String, Long> vcpu0, Map<String, Long> vcpu1,
                 Optional<Map<String, Long>> kickWindow, Optional<Map<String, Long>> preemptedWindow,
                 Optional<Map<String, Long>> apicEoiWindow, Optional<Map<String, Long>> pvEoiWindow,
                 OptionalInt pvEoiAcks) {
}
