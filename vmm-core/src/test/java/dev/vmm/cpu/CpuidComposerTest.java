package dev.vmm.cpu;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class CpuidComposerTest {
    private static List<CpuidEntry> compose(String spec, List<CpuidEntry> host, IrqchipMode mode) {
        return CpuidComposer.compose(host, CpuModel.resolve(spec, host, mode));
    }

    @Test
    void kvmLeaves() {
        List<CpuidEntry> out = compose("kvm64,+kvm-hint-dedicated", TestHosts.full(), IrqchipMode.ON);
        assertEquals(new CpuidEntry(0x40000000, 0, 0, 0x40000001, 0x4b4d564b, 0x564b4d56, 0x4d),
                TestHosts.leaf(out, 0x40000000));
        assertEquals(new CpuidEntry(0x40000001, 0, 0, 0x0100007B, 0, 0, 1), TestHosts.leaf(out, 0x40000001));
        assertEquals(1, out.stream().filter(e -> e.function() == 0x40000001).count());
        // kvm64's model-id brings the brand-string leaves 0x80000002..4 the synthetic host lacks
        assertEquals(TestHosts.full().size() + 3, out.size());
        // basic leaves, then KVM leaves, then extended leaves
        assertEquals(0x40000000, out.get(4).function());
        assertEquals(0x80000004, out.get(out.size() - 1).function());
    }

    @Test
    void kvmOffRemovesLeaves() {
        List<CpuidEntry> out = compose("host,kvm=off", TestHosts.full(), IrqchipMode.ON);
        assertTrue(out.stream().noneMatch(e -> CpuidComposer.isHypervisorRange(e.function())));
        assertEquals(TestHosts.full().size() - 2, out.size());
    }

    @Test
    void hypervisorAndX2apicBits() {
        CpuidEntry l1 = TestHosts.leaf(compose("kvm64", TestHosts.full(), IrqchipMode.ON), 1);
        assertNotEquals(0, l1.ecx() & (1 << 31));
        assertNotEquals(0, l1.ecx() & (1 << 21));
        CpuidEntry off = TestHosts.leaf(compose("kvm64,-x2apic", TestHosts.full(), IrqchipMode.ON), 1);
        assertNotEquals(0, off.ecx() & (1 << 31));
        assertEquals(0, off.ecx() & (1 << 21));
        // the rest of ECX is kvm64's own (QEMU's table: pni, cx16), not the host's
        assertEquals((1 << 0) | (1 << 13), off.ecx() & ~(1 << 31));
        // the hypervisor bit stays even with kvm=off (only the KVM signature is hidden)
        CpuidEntry hidden = TestHosts.leaf(compose("kvm64,kvm=off", TestHosts.full(), IrqchipMode.ON), 1);
        assertNotEquals(0, hidden.ecx() & (1 << 31));
    }

    @Test
    void hostWithoutKvmLeavesStillGetsThem() {
        List<CpuidEntry> host = TestHosts.full().subList(0, 4);
        List<CpuidEntry> out = compose("kvm64", host, IrqchipMode.ON);
        // host lacks 0x40000001 entirely: every default bit is missing, leaves still present
        assertEquals(0, TestHosts.leaf(out, 0x40000001).eax());
        assertEquals(0x40000001, TestHosts.leaf(out, 0x40000000).eax());
    }

    @Test
    void perVcpuApicId() {
        List<CpuidEntry> base = compose("kvm64", TestHosts.full(), IrqchipMode.ON);
        List<CpuidEntry> v = CpuidComposer.forVcpu(base, 0x1234);
        CpuidEntry l1 = TestHosts.leaf(v, 1);
        assertEquals(0x34, l1.ebx() >>> 24);
        assertEquals(TestHosts.leaf(base, 1).ebx() & 0xffffff, l1.ebx() & 0xffffff);
        v.stream().filter(e -> e.function() == 0xb).forEach(e -> assertEquals(0x1234, e.edx()));
        assertEquals(base.size(), v.size());
    }
}
