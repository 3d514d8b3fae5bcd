package dev.vmm.pv;

import dev.vmm.kvm.KvmException;
import dev.vmm.kvm.Msr;
import dev.vmm.kvm.VcpuFd;
import dev.vmm.memory.GuestMemory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The host's view of a stopped vCPU's PV state: every PV MSR read with KVM_GET_MSRS (one at a
 * time, so an MSR KVM rejects is reported as unsupported rather than ending the report) and the
 * structure each enabled MSR points to, decoded from guest memory.
 */
public final class PvReport {
    private static final int STEAL_TIME_SIZE = 64;

    private PvReport() {
    }

    /**
     * One PV MSR as the host sees it.
     *
     * @param value   the MSR's value, or null when KVM_GET_MSRS rejected it
     * @param decoded the fields of the structure it points to (empty when disabled or none)
     */
    public record Entry(PvMsr msr, Long value, Map<String, Object> decoded) {
        public boolean supported() {
            return value != null;
        }
    }

    /** Reads every PV MSR of a vCPU that is not in KVM_RUN and decodes what the enabled ones point to. */
    public static List<Entry> read(VcpuFd vcpu, GuestMemory memory) {
        List<Entry> out = new ArrayList<>();
        for (PvMsr m : PvMsr.values()) {
            List<Msr> got;
            try {
                got = vcpu.getMsrs(m.index());
            } catch (KvmException e) {
                got = List.of();
            }
            if (got.isEmpty()) {
                out.add(new Entry(m, null, Map.of()));
                continue;
            }
            long v = got.get(0).value();
            out.add(new Entry(m, v, decode(m, v, memory)));
        }
        return out;
    }

    private static Map<String, Object> decode(PvMsr m, long v, GuestMemory memory) {
        Map<String, Object> d = new LinkedHashMap<>();
        if (!m.isGpaWithEnable() && m != PvMsr.WALL_CLOCK && m != PvMsr.WALL_CLOCK_NEW) {
            return d;
        }
        boolean enabled = (m == PvMsr.WALL_CLOCK || m == PvMsr.WALL_CLOCK_NEW) ? v != 0 : (v & 1) != 0;
        d.put("enabled", enabled);
        if (!enabled) {
            return d;
        }
        long gpa = switch (m) {
            case WALL_CLOCK, WALL_CLOCK_NEW -> v;
            case SYSTEM_TIME, SYSTEM_TIME_NEW -> v & ~1L;
            case PV_EOI_EN -> v & ~3L;
            default -> v & ~0x3fL;
        };
        d.put("gpa", gpa);
        int size = switch (m) {
            case SYSTEM_TIME, SYSTEM_TIME_NEW -> PvClockInfo.SIZE;
            case STEAL_TIME -> STEAL_TIME_SIZE;
            case WALL_CLOCK, WALL_CLOCK_NEW -> 12;
            default -> 4;
        };
        if (!memory.isRam(gpa, size)) {
            d.put("error", "not in guest RAM");
            return d;
        }
        switch (m) {
            case SYSTEM_TIME, SYSTEM_TIME_NEW -> {
                d.put("kvmclock", PvClockInfo.decode(memory.read(gpa, PvClockInfo.SIZE)));
            }
            case WALL_CLOCK, WALL_CLOCK_NEW -> {
                d.put("version", memory.readU32(gpa));
                d.put("sec", memory.readU32(gpa + 4));
                d.put("nsec", memory.readU32(gpa + 8));
            }
            case STEAL_TIME -> {
                d.put("steal", memory.readU64(gpa));
                d.put("version", memory.readU32(gpa + 8));
                d.put("flags", memory.readU32(gpa + 12));
                d.put("preempted", memory.readU8(gpa + 16));
            }
            case PV_EOI_EN -> d.put("pending-eoi", memory.readU32(gpa) & 1);
            case ASYNC_PF_EN -> {
                d.put("flags", memory.readU32(gpa));
                d.put("token", memory.readU32(gpa + 4));
            }
            default -> { }
        }
        return d;
    }
}
