package dev.vmm.pvtest;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Locale;

/**
 * {@code vmm test --junit FILE}: the matrix as a JUnit XML report in the form CI servers read,
 * Maven Surefire's test-report schema (version 3.0): a {@code testsuite} with its counts and time,
 * one {@code testcase} per cell with a {@code time}, {@code skipped} or {@code failure} (with the
 * required {@code type}) as the verdict, and the guest's serial log as {@code system-out}.
 * Written by the JDK's StAX writer, which does the escaping.
 */
public final class MatrixJunitXml {
    static final String SUITE = "vmm-pv-features";
    /** The failure {@code type}: what kind of failure a CI page shows next to the message. */
    static final String FAILURE_TYPE = "dev.vmm.PvFeatureCheckFailed";

    private MatrixJunitXml() {
    }

    public static String of(List<Cell> cells) {
        StringWriter out = new StringWriter();
        try {
            XMLStreamWriter w = XMLOutputFactory.newFactory().createXMLStreamWriter(out);
            w.writeStartDocument("UTF-8", "1.0");
            w.writeCharacters("\n");
            w.writeStartElement("testsuite");
            w.writeAttribute("name", SUITE);
            w.writeAttribute("tests", String.valueOf(cells.size()));
            w.writeAttribute("failures", String.valueOf(Verdict.FAIL.countIn(cells)));
            w.writeAttribute("errors", "0");
            w.writeAttribute("skipped", String.valueOf(Verdict.SKIP.countIn(cells)));
            w.writeAttribute("time", time(cells.stream().mapToDouble(Cell::seconds).sum()));
            for (Cell c : cells) {
                w.writeCharacters("\n  ");
                w.writeStartElement("testcase");
                w.writeAttribute("classname", "pv." + c.feature().qemuName());
                w.writeAttribute("name", c.config() + " (-cpu " + c.cpu() + ")");
                w.writeAttribute("time", time(c.seconds()));
                switch (c.verdict()) {
                    case SKIP -> {
                        w.writeStartElement("skipped");
                        w.writeAttribute("message", xmlText(c.reason()));
                        w.writeEndElement();
                    }
                    case FAIL -> {
                        w.writeStartElement("failure");
                        w.writeAttribute("message", xmlText(c.reason()));
                        w.writeAttribute("type", FAILURE_TYPE);
                        w.writeCharacters(xmlText(c.reason()));
                        w.writeEndElement();
                    }
                    case PASS -> { } // a pass has no verdict element
                }
                if (!c.log().isEmpty()) {
                    w.writeStartElement("system-out");
                    w.writeCharacters(xmlText(c.log()));
                    w.writeEndElement();
                }
                w.writeEndElement();
            }
            w.writeCharacters("\n");
            w.writeEndElement();
            w.writeCharacters("\n");
            w.writeEndDocument();
            w.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("the matrix could not be written as XML", e); // a StringWriter does not fail
        }
        return out.toString();
    }

    /** Seconds as Surefire writes them: digits, a dot, at most three decimals, no locale. */
    static String time(double seconds) {
        return String.format(Locale.ROOT, "%.3f", Math.max(0, seconds));
    }

    /**
     * The text without the characters XML 1.0 cannot carry at all, escaped or not (a guest may
     * print any byte; the writer escapes markup but passes these through, which breaks parsers).
     */
    static String xmlText(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().filter(cp -> cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF)
                || (cp >= 0xE000 && cp <= 0xFFFD) || cp >= 0x10000).forEach(b::appendCodePoint);
        return b.toString();
    }
}
