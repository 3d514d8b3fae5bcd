package dev.vmm.cli.gdb;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GdbPacketTest {
    private static String s(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void framesWithTheModulo256Checksum() {
        // the gdb manual's own examples: "$g#67", "$OK#9a"
        assertEquals("$g#67", s(GdbPacket.frame("g")));
        assertEquals("$OK#9a", s(GdbPacket.frame("OK")));
        assertEquals("$#00", s(GdbPacket.frame("")));
    }

    @Test
    void escapesTheFourSpecialBytesAndChecksumsTheEscapedForm() {
        byte[] framed = GdbPacket.frame(new byte[] {'$', '#', '}', '*', 'a'});
        assertEquals("$}\u0004}\u0003}]}\na#", s(framed).substring(0, s(framed).length() - 2));
        byte[] body = b("}\u0004}\u0003}]}\na");
        assertEquals(String.format("%02x", GdbPacket.checksum(body, 0, body.length)), s(framed).substring(s(framed).length() - 2));
        assertArrayEquals(new byte[] {'$', '#', '}', '*', 'a'}, GdbPacket.decode(body, 100));
    }

    @Test
    void expandsRunLengthEncoding() {
        // "0* " = '0' then 32 - 29 = 3 more: four zeros (the manual's example)
        assertEquals("0000", s(GdbPacket.decode(b("0* "), 100)));
        assertEquals("abbbbbbc", s(GdbPacket.decode(b("ab*\"c"), 100))); // '"' = 34: 5 more
    }

    @Test
    void refusesBrokenEscapesRunsAndOversizedPayloads() {
        assertThrows(IllegalArgumentException.class, () -> GdbPacket.decode(b("abc}"), 100));
        assertThrows(IllegalArgumentException.class, () -> GdbPacket.decode(b("*#"), 100));
        assertThrows(IllegalArgumentException.class, () -> GdbPacket.decode(b("a*"), 100));
        assertThrows(IllegalArgumentException.class, () -> GdbPacket.decode(b("a*~"), 10));
    }

    private static PacketReader.Event feed(PacketReader r, String bytes) {
        PacketReader.Event last = null;
        for (byte x : b(bytes)) {
            PacketReader.Event e = r.accept(x & 0xff);
            if (e != null) last = e;
        }
        return last;
    }

    @Test
    void readerReturnsPacketsInterruptsAndChecksumErrors() {
        PacketReader r = new PacketReader(64);
        PacketReader.Packet p = assertInstanceOf(PacketReader.Packet.class, feed(r, "+$g#67"));
        assertEquals("g", s(p.payload()));
        assertInstanceOf(PacketReader.Interrupt.class, feed(r, "\u0003"));
        assertInstanceOf(PacketReader.BadChecksum.class, feed(r, "$g#68"));
        assertInstanceOf(PacketReader.BadChecksum.class, feed(r, "$g#zz"));
        // after a bad packet the next good one still arrives
        assertEquals("OK", s(assertInstanceOf(PacketReader.Packet.class, feed(r, "$OK#9a")).payload()));
        assertNull(feed(r, "-+noise"));
    }

    @Test
    void readerTurnsOversizedAndMalformedPacketsIntoEvents() {
        PacketReader r = new PacketReader(8);
        String big = "m" + "1".repeat(20);
        String framed = s(GdbPacket.frame(big));
        assertInstanceOf(PacketReader.Malformed.class, feed(r, framed));
        String badEscape = "ab}";
        int sum = GdbPacket.checksum(b(badEscape), 0, 3);
        assertInstanceOf(PacketReader.Malformed.class, feed(r, "$" + badEscape + "#" + String.format("%02x", sum)));
        assertInstanceOf(PacketReader.Packet.class, feed(r, "$g#67"));
    }
}
