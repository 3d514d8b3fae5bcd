package dev.vmm.vm;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MsiAddressTest {
    @Test
    void extendedDestinationMovesToTheHighDword() {
        long guest = MsiAddress.forDestination(0x1ab, false); // 0xfeeab020
        assertEquals(0xfeeab020L, guest);
        assertEquals(0x0000_0100_feea_b000L, MsiAddress.moveExtendedDestination(guest));
    }

    @Test
    void plainAddressesAndOtherFormsAreLeftAlone() {
        assertEquals(0xfee03000L, MsiAddress.moveExtendedDestination(0xfee03000L));
        assertEquals(0xfee03030L, MsiAddress.moveExtendedDestination(0xfee03030L)); // bit 4 set: remappable format
        assertEquals(0x1_fee0_3020L, MsiAddress.moveExtendedDestination(0x1_fee0_3020L)); // high dword already used
    }
}
