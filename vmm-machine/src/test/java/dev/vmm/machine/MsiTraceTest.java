package dev.vmm.machine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MsiTraceTest {
    @Test
    void destinationIsWhatKvmsX2apicApiReads() {
        assertEquals(255, MsiTrace.destination(0xfeeff000L));               // bits 19:12
        assertEquals(255, MsiTrace.destination(0xfeeff060L));               // bits 11:5 ignored
        assertEquals(1023, MsiTrace.destination(0x300_feeff000L));          // high dword bits 31:8
        assertEquals(287, MsiTrace.destination(0x100_fee1f000L));
    }
}
