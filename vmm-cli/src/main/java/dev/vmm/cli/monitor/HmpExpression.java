package dev.vmm.cli.monitor;

import java.math.BigInteger;
import java.util.function.Function;

/**
 * The integer expressions QEMU's human monitor takes for addresses (monitor/hmp.c): numbers as C
 * writes them (0x hex, leading-0 octal, decimal), character constants, {@code $register}, unary
 * + - ~, * / %, & | ^, + - (those three levels, left to right) and parentheses. Errors carry
 * QEMU's words ("unexpected end of expression", "unknown register", …).
 */
final class HmpExpression {
    private final String s;
    private final Function<String, Long> registers;
    private int p;

    private HmpExpression(String s, int start, Function<String, Long> registers) {
        this.s = s;
        this.p = start;
        this.registers = registers;
    }

    /** The value of the expression starting at {@code start}, and where it stopped. */
    record Result(long value, int end) {
    }

    /** @param registers a register's value by name, or null for a name it does not know */
    static Result parse(String text, int start, Function<String, Long> registers) {
        HmpExpression e = new HmpExpression(text, start, registers);
        e.skipBlanks();
        long v = e.sum();
        return new Result(v, e.p);
    }

    private char cur() {
        return p < s.length() ? s.charAt(p) : '\0';
    }

    private void skipBlanks() {
        while (p < s.length() && Character.isWhitespace(s.charAt(p))) p++;
    }

    /** QEMU's next(): past the operator and the blanks after it. */
    private void next() {
        if (p < s.length()) {
            p++;
            skipBlanks();
        }
    }

    private long sum() {
        long v = logic();
        while (cur() == '+' || cur() == '-') {
            char op = cur();
            next();
            long w = logic();
            v = op == '+' ? v + w : v - w;
        }
        return v;
    }

    private long logic() {
        long v = product();
        while (cur() == '&' || cur() == '|' || cur() == '^') {
            char op = cur();
            next();
            long w = product();
            v = op == '&' ? v & w : op == '|' ? v | w : v ^ w;
        }
        return v;
    }

    private long product() {
        long v = unary();
        while (cur() == '*' || cur() == '/' || cur() == '%') {
            char op = cur();
            next();
            long w = unary();
            if (op == '*') {
                v *= w;
            } else {
                if (w == 0) throw new HmpException("division by zero");
                v = op == '/' ? v / w : v % w;
            }
        }
        return v;
    }

    private long unary() {
        char c = cur();
        switch (c) {
            case '+' -> {
                next();
                return unary();
            }
            case '-' -> {
                next();
                return -unary();
            }
            case '~' -> {
                next();
                return ~unary();
            }
            case '(' -> {
                next();
                long v = sum();
                if (cur() != ')') throw new HmpException("')' expected");
                next();
                return v;
            }
            case '\'' -> {
                p++;
                if (cur() == '\0') throw new HmpException("character constant expected");
                long v = cur();
                p++;
                if (cur() != '\'') throw new HmpException("missing terminating ' character");
                next();
                return v;
            }
            case '$' -> {
                p++;
                int start = p;
                while (p < s.length() && (Character.isLetterOrDigit(s.charAt(p)) || s.charAt(p) == '_' || s.charAt(p) == '.')) p++;
                String name = s.substring(start, p);
                skipBlanks();
                Long v = registers.apply(name);
                if (v == null) throw new HmpException("unknown register");
                return v;
            }
            case '\0' -> throw new HmpException("unexpected end of expression");
            default -> {
                return number();
            }
        }
    }

    /** strtoull(…, 0): 0x/0X hex, a leading 0 octal, else decimal; at most 64 bits. */
    private long number() {
        int start = p;
        int radix = 10;
        int digits = p;
        if (cur() == '0' && p + 1 < s.length() && (s.charAt(p + 1) == 'x' || s.charAt(p + 1) == 'X')
                && p + 2 < s.length() && Character.digit(s.charAt(p + 2), 16) >= 0) {
            radix = 16;
            digits = p + 2;
        } else if (cur() == '0') {
            radix = 8;
        }
        int end = digits;
        while (end < s.length() && Character.digit(s.charAt(end), radix) >= 0) end++;
        if (end == start) {
            throw new HmpException("invalid char '" + cur() + "' in expression");
        }
        BigInteger n = new BigInteger(s.substring(digits, end), radix);
        if (n.bitLength() > 64) throw new HmpException("number too large");
        p = end;
        skipBlanks();
        return n.longValue();
    }
}
