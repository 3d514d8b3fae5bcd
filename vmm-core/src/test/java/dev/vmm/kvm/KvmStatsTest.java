package dev.vmm.kvm;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The binary stats parser over a hand-built file (no KVM needed). */
class KvmStatsTest {
    private static final int NAME_SIZE = 48;

    /** Header, id string, 3 descriptors (one a 2-bucket histogram), data block. */
    static byte[] sampleFile(long exits, long halts, long hist0) {
        int idOffset = 24;
        int descOffset = idOffset + NAME_SIZE;
        int descSize = KvmStats.DESC_FIXED_SIZE + NAME_SIZE;
        int dataOffset = descOffset + 3 * descSize;
        ByteBuffer b = ByteBuffer.allocate(dataOffset + 4 * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0).putInt(NAME_SIZE).putInt(3).putInt(idOffset).putInt(descOffset).putInt(dataOffset);
        b.put(Arrays.copyOf("kvm-1234/vcpu-0".getBytes(StandardCharsets.US_ASCII), NAME_SIZE));
        String[] names = {"exits", "halt_wait_hist", "halt_exits"};
        int[] sizes = {1, 2, 1};
        int[] offsets = {0, 8, 24};
        for (int i = 0; i < 3; i++) {
            b.putInt(0).putShort((short) (i == 1 ? -9 : 0)).putShort((short) sizes[i]).putInt(offsets[i])
                    .putInt(i == 1 ? 4 : 0);
            b.put(Arrays.copyOf(names[i].getBytes(StandardCharsets.US_ASCII), NAME_SIZE));
        }
        b.putLong(exits).putLong(hist0).putLong(99).putLong(halts);
        return b.array();
    }

    static KvmStats.Reader over(byte[] file) {
        return (offset, len) -> Arrays.copyOfRange(file, (int) Math.min(offset, file.length),
                (int) Math.min(offset + len, file.length));
    }

    @Test
    void parsesHeaderDescriptorsAndFirstValues() {
        byte[] file = sampleFile(1234, 7, 5);
        KvmStats stats = KvmStats.of(over(file));
        assertEquals(List.of("exits", "halt_wait_hist", "halt_exits"), stats.names());
        KvmStats.Desc hist = stats.layout().descs().get(1);
        assertEquals(-9, hist.exponent());
        assertEquals(2, hist.size());
        assertEquals(4, hist.bucketSize());
        assertEquals(Map.of("exits", 1234L, "halt_wait_hist", 5L, "halt_exits", 7L), stats.read());
    }

    @Test
    void deltaKeepsOnlyChangedCounters() {
        Map<String, Long> before = KvmStats.of(over(sampleFile(10, 3, 5))).read();
        Map<String, Long> after = KvmStats.of(over(sampleFile(25, 3, 6))).read();
        assertEquals(Map.of("exits", 15L, "halt_wait_hist", 1L), KvmStats.delta(before, after));
    }

    @Test
    void shortHeaderIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> KvmStats.of(over(new byte[10])));
    }
}
