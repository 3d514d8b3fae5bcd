package dev.vmm.cli.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A guest made of a byte array for the monitor's tests: RAM at physical 0, two vCPUs whose
 * "page tables" map virtual 0xffff800000000000 + x to physical x, registers fixed. Not a KVM stand-in:
 * the monitor's parsing and text are what these tests look at; real guests are in the tests module.
 */
final class ArrayGuest implements MonitorTarget, GuestView {
    static final long KERNEL_BASE = 0xffff_8000_0000_0000L;
    final byte[] ram = new byte[64 * 1024];
    String status = "running";

    @Override public String status() { return status; }
    @Override public void stop() { }
    @Override public void cont() { }
    @Override public void reset() { }
    @Override public void quit() { }
    @Override public List<Integer> vcpuThreadIds() { return List.of(4100, 4101); }
    @Override public Map<String, Boolean> cpuModelProperties(String name) { return Map.of(); }

    @Override
    public JsonNode pvState() {
        try {
            return new ObjectMapper().readTree("[{\"cpu-index\":0,\"msrs\":[{\"name\":\"MSR_KVM_SYSTEM_TIME_NEW\",\"index\":1263947009,"
                    + "\"value\":4097,\"decoded\":{\"version\":2,\"flags\":\"stable\"}},"
                    + "{\"name\":\"MSR_KVM_POLL_CONTROL\",\"index\":1263947013,\"supported\":false}]}]");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override public JsonNode exitStats() { return null; }

    @Override
    public <T> T inspect(Function<GuestView, T> action) {
        return action.apply(this);
    }

    @Override public String memoryTree() { return "address-space: memory\n"; }

    @Override public int cpuCount() { return 2; }

    @Override
    public String registers(int cpu) {
        return "RAX=" + cpu + "\n";
    }

    @Override
    public Long register(int cpu, String name) {
        return name.equals("pc") ? KERNEL_BASE + 0x100 : null;
    }

    @Override
    public long translate(int cpu, long address) {
        long pa = address - KERNEL_BASE;
        return pa >= 0 && pa < ram.length ? pa : -1;
    }

    @Override
    public byte[] readPhysical(long address, int length) {
        return isRam(address, length) ? Arrays.copyOfRange(ram, (int) address, (int) address + length) : null;
    }

    @Override
    public boolean isRam(long address, long length) {
        return address >= 0 && length >= 0 && address + length <= ram.length;
    }

    @Override public long ramSize() { return ram.length; }
}
