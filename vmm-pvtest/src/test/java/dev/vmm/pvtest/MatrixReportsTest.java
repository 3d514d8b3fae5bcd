package dev.vmm.pvtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vmm.cpu.PvFeature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.xml.sax.SAXException;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** vmm test's reports: JSON by Jackson, JUnit XML valid for Surefire's schema, checked paths, progress lines. */
class MatrixReportsTest {
    private static final List<Cell> CELLS = List.of(
            new Cell(PvFeature.PV_EOI, "on", "host,+kvm-pv-eoi", Verdict.PASS, "", "ok 1 - a\n", 2.5),
            new Cell(PvFeature.PV_EOI, "off+enforce", "host,-kvm-pv-eoi,kvm-pv-enforce-cpuid",
                    Verdict.FAIL, "not ok 10 - \"x\" <y>", "log & more \u0001\u001b[0m ]]> end", 1234.5678),
            new Cell(PvFeature.KVMCLOCK_STABLE_BIT, "on", "host,+kvmclock-stable-bit", Verdict.SKIP,
                    "host clock stability not given", "", 0.25));

    @Test
    void jsonIsOneCamelCaseDocumentWithAVersion() throws Exception {
        JsonNode d = new ObjectMapper().readTree(MatrixJson.of(CELLS, 0x1007efb, true, false));
        assertEquals(1, d.get("version").asInt());
        assertEquals("0x1007efb", d.get("hostPvEax").asText());
        assertTrue(d.get("kvmPvm").asBoolean());
        assertFalse(d.get("hostClockStable").asBoolean());
        JsonNode fail = d.get("cells").get(1);
        assertEquals("kvm-pv-eoi", fail.get("feature").asText());
        assertEquals("off+enforce", fail.get("config").asText());
        assertEquals("host,-kvm-pv-eoi,kvm-pv-enforce-cpuid", fail.get("cpu").asText());
        assertEquals("fail", fail.get("status").asText());
        assertEquals("not ok 10 - \"x\" <y>", fail.get("reason").asText());
        assertEquals(1234.568, fail.get("seconds").asDouble(), 1e-9);
        d.fieldNames().forEachRemaining(k -> assertTrue(k.matches("[a-z]+([A-Z][a-z]*)*"), "camelCase key " + k));
        fail.fieldNames().forEachRemaining(k -> assertTrue(k.matches("[a-z]+([A-Z][a-z]*)*"), "camelCase key " + k));
    }

    @Test
    void junitXmlIsValidForSurefiresSchema() throws Exception {
        String xml = MatrixJunitXml.of(CELLS);
        var schema = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI)
                .newSchema(new StreamSource(getClass().getResourceAsStream("junit-report-rules.xsd")));
        schema.newValidator().validate(new StreamSource(new StringReader(xml)));

        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        Element suite = doc.getDocumentElement();
        assertEquals("3", suite.getAttribute("tests"));
        assertEquals("1", suite.getAttribute("failures"));
        assertEquals("1", suite.getAttribute("skipped"));
        assertEquals("1237.318", suite.getAttribute("time"));
        Element failed = (Element) suite.getElementsByTagName("testcase").item(1);
        assertEquals("pv.kvm-pv-eoi", failed.getAttribute("classname"));
        assertEquals("1234.568", failed.getAttribute("time"));
        Element failure = (Element) failed.getElementsByTagName("failure").item(0);
        assertEquals("not ok 10 - \"x\" <y>", failure.getAttribute("message"));
        assertEquals(MatrixJunitXml.FAILURE_TYPE, failure.getAttribute("type"));
        // the guest's bytes survive, except those XML cannot carry at all (here \u0001 and ESC)
        assertEquals("log & more [0m ]]> end", failed.getElementsByTagName("system-out").item(0).getTextContent());
    }

    @Test
    void theSchemaCatchesWhatCiServersReject() throws Exception {
        var validator = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI)
                .newSchema(new StreamSource(getClass().getResourceAsStream("junit-report-rules.xsd"))).newValidator();
        String noTime = "<testsuite name='s' tests='1' failures='1' errors='0' skipped='0'><testcase name='c'>"
                + "<failure message='m'>x</failure></testcase></testsuite>";
        assertThrows(SAXException.class, () -> validator.validate(new StreamSource(new StringReader(noTime))));
        String noType = "<testsuite name='s' tests='1' failures='1' errors='0' skipped='0'><testcase name='c' time='1.0'>"
                + "<failure message='m'>x</failure></testcase></testsuite>";
        assertThrows(SAXException.class, () -> validator.validate(new StreamSource(new StringReader(noType))));
    }

    @Test
    void progressIsOneLinePerCellAndABarOnlyOnATerminal() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        MatrixProgress p = new MatrixProgress(new PrintStream(log, true, StandardCharsets.UTF_8), 2, false);
        p.starting("kvmclock on");
        p.finished("kvmclock on", Verdict.PASS, 3.21);
        assertEquals("vmm test: kvmclock on: pass (3.2 s)" + System.lineSeparator(), log.toString(StandardCharsets.UTF_8));

        ByteArrayOutputStream tty = new ByteArrayOutputStream();
        MatrixProgress bar = new MatrixProgress(new PrintStream(tty, true, StandardCharsets.UTF_8), 2, true);
        bar.starting("kvmclock on");
        bar.finished("kvmclock on", Verdict.PASS, 3.21);
        bar.starting("kvmclock off");
        String shown = tty.toString(StandardCharsets.UTF_8);
        assertTrue(shown.contains("] 0/2 booting kvmclock on"), shown);
        assertTrue(shown.contains("\r\033[Kvmm test: kvmclock on: pass (3.2 s)"), shown);
        assertTrue(shown.endsWith("[###############...............] 1/2 booting kvmclock off"), shown);
    }
}
