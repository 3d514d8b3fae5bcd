package dev.vmm.cli.monitor;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QmpFramerTest {
    private static List<QmpFramer.Frame> frames(int max, String input) {
        List<QmpFramer.Frame> out = new ArrayList<>();
        QmpFramer f = new QmpFramer(max, out::add);
        byte[] b = input.getBytes(StandardCharsets.UTF_8);
        f.feed(b, 0, b.length);
        return out;
    }

    private static QmpFramer.Frame msg(String s) {
        return new QmpFramer.Frame.Message(s);
    }

    @Test
    void objectsSplitAtTheirClosingBraceWithBracesInStringsIgnored() {
        assertEquals(List.of(msg("{\"execute\":\"a}\"}"), msg("{\"x\":[{}]}")),
                frames(100, "{\"execute\":\"a}\"}\r\n  {\"x\":[{}]}"));
        assertEquals(List.of(msg("{\"s\":\"\\\"}\"}")), frames(100, "{\"s\":\"\\\"}\"}"));
    }

    @Test
    void scalarsAreHandedOnForTheParserToRefuse() {
        assertEquals(List.of(msg("\"str\""), msg("123"), msg("garbage"), msg("{}")),
                frames(100, "\"str\" 123\ngarbage\n{}"));
    }

    @Test
    void aRunOfStrayClosersIsOneErrorAndTheNextMessageStillWorks() {
        List<QmpFramer.Frame> f = frames(100, "}}}}\n{\"execute\":\"query-status\"}");
        assertEquals(2, f.size(), f.toString());
        assertTrue(f.get(0) instanceof QmpFramer.Frame.Error);
        assertEquals(msg("{\"execute\":\"query-status\"}"), f.get(1));
    }

    @Test
    void anOversizedMessageIsOneErrorAndIsNotKept() {
        String big = "{\"execute\":\"" + "x".repeat(1 << 20) + "\"}";
        List<QmpFramer.Frame> f = frames(64 * 1024, big + "\n{\"execute\":\"query-status\"}");
        assertEquals(List.of(new QmpFramer.Frame.Error("JSON message exceeds the limit of 65536 bytes"),
                msg("{\"execute\":\"query-status\"}")), f);
        String bareBig = "a".repeat(1 << 20);
        assertEquals(List.of(new QmpFramer.Frame.Error("JSON message exceeds the limit of 65536 bytes"), msg("{}")),
                frames(64 * 1024, bareBig + " {}"));
    }
}
