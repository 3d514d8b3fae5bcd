package dev.vmm.cli.gdb;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class X86RegisterFileTest {
    private static Document parse(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void targetDescriptionMatchesTheGPacketLayout() throws Exception {
        Document d = parse(X86RegisterFile.targetXml());
        assertEquals("i386:x86-64", d.getElementsByTagName("architecture").item(0).getTextContent());
        NodeList regs = d.getElementsByTagName("reg");
        List<String> names = new ArrayList<>();
        int bits = 0;
        for (int i = 0; i < regs.getLength(); i++) {
            Element r = (Element) regs.item(i);
            assertEquals(String.valueOf(i), r.getAttribute("regnum"));
            names.add(r.getAttribute("name"));
            bits += Integer.parseInt(r.getAttribute("bitsize"));
        }
        // gdb's amd64 core order (amd64_register_names) must come first, unchanged
        assertEquals(List.of("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12",
                "r13", "r14", "r15", "rip", "eflags", "cs", "ss", "ds", "es", "fs", "gs", "st0", "st1", "st2", "st3", "st4",
                "st5", "st6", "st7", "fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop"), names.subList(0, 40));
        assertTrue(names.containsAll(List.of("fs_base", "gs_base", "cr0", "cr2", "cr3", "cr4", "cr8", "efer")));
        byte[] g = X86RegisterFile.encodeAll(GdbCommandsTest.FakeTarget.state(0x101cb0));
        assertEquals(bits / 8, g.length);
        NodeList features = d.getElementsByTagName("feature");
        assertEquals("org.gnu.gdb.i386.core", ((Element) features.item(0)).getAttribute("name"));
        assertEquals("org.gnu.gdb.i386.segments", ((Element) features.item(1)).getAttribute("name"));
    }

    @Test
    void gprOrderIsGdbsNotKvms() {
        var s = GdbCommandsTest.FakeTarget.state(0x101cb0);
        s.regs().rsp(0x7000).set(dev.vmm.kvm.Regs.RBP, 0x6000);
        assertArrayEquals(new byte[] {0, 0x60, 0, 0, 0, 0, 0, 0}, X86RegisterFile.encode(s, 6), "gdb 6 = rbp");
        assertArrayEquals(new byte[] {0, 0x70, 0, 0, 0, 0, 0, 0}, X86RegisterFile.encode(s, 7), "gdb 7 = rsp");
        X86RegisterFile.write(s, 40, new byte[] {1, 0, 0, 0, 0, 0, 0, 0});
        assertEquals(1, s.sregs().fs.base());
    }

    @Test
    void abridgedTagBecomesTheFullTagWord() {
        assertEquals(0xffff, X86RegisterFile.fullTag(0));
        assertEquals(0xfffc, X86RegisterFile.fullTag(1));
        assertEquals(0, X86RegisterFile.fullTag(0xff));
    }
}
