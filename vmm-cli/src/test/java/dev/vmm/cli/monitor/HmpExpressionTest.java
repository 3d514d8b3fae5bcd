package dev.vmm.cli.monitor;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The monitor's address expressions: C numbers, operators by QEMU's three levels, registers, QEMU's errors. */
class HmpExpressionTest {
    private static long eval(String text) {
        return HmpExpression.parse(text, 0, Map.of("pc", 0x1000L, "rsp", 0x7ff0L)::get).value();
    }

    private static String error(String text) {
        return assertThrows(HmpException.class, () -> eval(text)).getMessage();
    }

    @Test
    void numbersAsCWritesThem() {
        assertEquals(0xffffffff81000000L, eval("0xffffffff81000000"));
        assertEquals(8, eval("010"));
        assertEquals(10, eval("10"));
        assertEquals('A', eval("'A'"));
    }

    @Test
    void operatorsAndRegisters() {
        assertEquals(0x1010, eval("$pc + 0x10"));
        assertEquals(0x7fe0, eval("$rsp - 2 * 8"));
        assertEquals(14, eval("2 + 3 * 4"));
        assertEquals(20, eval("(2 + 3) * 4"));
        assertEquals(0x1000 & ~0xfffL, eval("$pc & ~0xfff"));
        assertEquals(-1, eval("-1"));
        assertEquals(1, eval("7 % 3"));
    }

    @Test
    void stopsWhereTheExpressionEnds() {
        assertEquals(6, HmpExpression.parse("0x10  foo", 0, n -> null).end());
    }

    @Test
    void qemusErrors() {
        assertEquals("unexpected end of expression", error(""));
        assertEquals("unknown register", error("$nope"));
        assertEquals("division by zero", error("1 / 0"));
        assertEquals("')' expected", error("(1 + 2"));
        assertEquals("number too large", error("0x1ffffffffffffffff"));
        assertEquals("invalid char 'q' in expression", error("q"));
    }
}
