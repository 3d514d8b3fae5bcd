package dev.vmm.pv;

import dev.vmm.kvm.KvmException;
import dev.vmm.kvm.Msr;
import dev.vmm.kvm.VcpuFd;
import dev.vmm.memory.GuestMemory;

import java.util.ArrayList;
import java.util.List;

/**
 * The host's view of a stopped vCPU's PV state: every PV MSR read with KVM_GET_MSRS (one at a
 * time, so an MSR KVM rejects is reported as unsupported rather than ending the report) and the
 * kvmclock structure decoded from guest memory.
 */
public final class PvReport {
    private PvReport() {
    }

    /** One line per PV MSR, {@code # host: vcpu N NAME=0x… (…)}. */
    public static List<String> lines(int vcpuIndex, VcpuFd vcpu, GuestMemory memory) {
        List<String> out = new ArrayList<>();
        for (PvMsr m : PvMsr.values()) {
            StringBuilder sb = new StringBuilder("# host: vcpu ").append(vcpuIndex).append(' ').append(m.linuxName());
            List<Msr> got;
            try {
                got = vcpu.getMsrs(m.index());
            } catch (KvmException e) {
                got = List.of();
            }
            if (got.isEmpty()) {
                out.add(sb.append(" unsupported (KVM_GET_MSRS rejected it)").toString());
                continue;
            }
            long v = got.get(0).value();
            sb.append("=0x").append(Long.toHexString(v));
            if ((m == PvMsr.SYSTEM_TIME || m == PvMsr.SYSTEM_TIME_NEW) && (v & 1) != 0) {
                long gpa = v & ~1L;
                sb.append(" (gpa=0x").append(Long.toHexString(gpa)).append(' ');
                if (memory.isRam(gpa, PvClockInfo.SIZE)) {
                    sb.append(PvClockInfo.decode(memory.read(gpa, PvClockInfo.SIZE)));
                } else {
                    sb.append("not in guest RAM");
                }
                sb.append(')');
            } else if (m.isGpaWithEnable()) {
                sb.append((v & 1) != 0 ? " (enabled, gpa=0x" + Long.toHexString(v & ~0x3fL) + ")" : " (disabled)");
            }
            out.add(sb.toString());
        }
        return out;
    }
}
