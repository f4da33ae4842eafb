package jenkinsdouble

import java.nio.charset.StandardCharsets
import javax.xml.XMLConstants
import javax.xml.parsers.DocumentBuilder
import javax.xml.parsers.DocumentBuilderFactory
import javax.xml.transform.OutputKeys
import javax.xml.transform.Transformer
import javax.xml.transform.TransformerFactory
import javax.xml.transform.stream.StreamResult
import org.w3c.dom.Document
import org.w3c.dom.Element
import org.w3c.dom.NamedNodeMap
import org.w3c.dom.NodeList
import org.xml.sax.InputSource
import org.xml.sax.SAXException

/**
 * Not a Jenkins class: the XML plumbing of the double's config.xml endpoints, standing in
 * for jenkins.util.xml.XMLUtils (parsing with external entities off) and XStream's
 * PrettyPrintWriter (two-space indentation, empty elements as {@code <x/>}, an empty
 * string as {@code <x></x>}, the XML 1.1 declaration Jenkins writes, and XStream's
 * escaping of {@code & < > " '}, carriage returns and other control characters).
 */
class XmlCodec {
    static final String DECLARATION = "<?xml version='1.1' encoding='UTF-8'?>"

    /**
     * Parses a document as Jenkins' XMLUtils does: no external entities, no DTD loading.
     * XML that does not parse is an IOException with the given message and the parser's
     * error as cause, as Jenkins' IOException("Failed to persist config.xml").
     */
    static Document parse(byte[] xml, String failure) throws IOException {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance()
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true)
            f.setFeature("http://xml.org/sax/features/external-general-entities", false)
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false)
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false)
            f.setExpandEntityReferences(false)
            f.setNamespaceAware(false)
            DocumentBuilder b = f.newDocumentBuilder()
            b.setErrorHandler(new org.xml.sax.helpers.DefaultHandler() {
                @Override
                void fatalError(org.xml.sax.SAXParseException e) throws SAXException {
                    throw e
                }
            })
            return b.parse(new InputSource(new ByteArrayInputStream(xml)))
        } catch (SAXException e) {
            throw new IOException(failure, e)
        }
    }

    /** The element children of e, in document order. */
    static List<Element> children(Element e) {
        List<Element> r = new ArrayList<Element>()
        NodeList nl = e.getChildNodes()
        for (int i = 0; i < nl.getLength(); i++) {
            if (nl.item(i) instanceof Element) {
                r.add((Element) nl.item(i))
            }
        }
        return r
    }

    /** The first child element with this name, or null. */
    static Element child(Element e, String name) {
        for (Element c : children(e)) {
            if (c.getTagName().equals(name)) {
                return c
            }
        }
        return null
    }

    /** The text of a child element, null when there is no such element (XStream leaves the field at its default). */
    static String childText(Element e, String name) {
        Element c = child(e, name)
        return c == null ? null : c.getTextContent()
    }

    // ---- writing ---------------------------------------------------------------------------

    /** A pretty-printing writer with XStream's layout. */
    static class Out {
        private final StringBuilder sb = new StringBuilder()
        private int depth = 0

        Out() {
            sb.append(DECLARATION).append('\n')
        }

        private void indent() {
            for (int i = 0; i < depth; i++) {
                sb.append("  ")
            }
        }

        /** {@code <name attrs>}, children follow until close(). */
        Out open(String name, Map<String, String> attrs = [:]) {
            indent()
            sb.append('<').append(name)
            attributes(attrs)
            sb.append(">\n")
            depth++
            return this
        }

        Out close(String name) {
            depth--
            indent()
            sb.append("</").append(name).append(">\n")
            return this
        }

        /** {@code <name/>}. */
        Out empty(String name, Map<String, String> attrs = [:]) {
            indent()
            sb.append('<').append(name)
            attributes(attrs)
            sb.append("/>\n")
            return this
        }

        /** {@code <name>text</name>}; nothing when the value is null (XStream omits null fields). */
        Out text(String name, Object value, Map<String, String> attrs = [:]) {
            if (value == null) {
                return this
            }
            indent()
            sb.append('<').append(name)
            attributes(attrs)
            sb.append('>').append(escape(value.toString())).append("</").append(name).append(">\n")
            return this
        }

        /** A list-valued field: {@code <name/>} when empty, else the items inside it. */
        Out list(String name, Collection<?> items, Closure each) {
            if (items.isEmpty()) {
                return empty(name)
            }
            open(name)
            for (Object i : items) {
                each.call(this, i)
            }
            return close(name)
        }

        /** Re-indents an element kept as it was posted (attributes, text, children). */
        Out element(Element e) {
            List<Element> kids = children(e)
            Map<String, String> attrs = new LinkedHashMap<String, String>()
            NamedNodeMap nm = e.getAttributes()
            for (int i = 0; i < nm.getLength(); i++) {
                attrs.put(nm.item(i).getNodeName(), nm.item(i).getNodeValue())
            }
            if (!kids.isEmpty()) {
                open(e.getTagName(), attrs)
                for (Element k : kids) {
                    element(k)
                }
                return close(e.getTagName())
            }
            String t = e.getTextContent()
            if (t == null || t.isEmpty()) {
                return empty(e.getTagName(), attrs)
            }
            return text(e.getTagName(), t, attrs)
        }

        private void attributes(Map<String, String> attrs) {
            for (Map.Entry<String, String> a : attrs.entrySet()) {
                sb.append(' ').append(a.getKey()).append("=\"").append(escape(a.getValue())).append('"')
            }
        }

        String toString() {
            return sb.toString()
        }

        byte[] bytes() {
            return sb.toString().getBytes(StandardCharsets.UTF_8)
        }
    }

    /** XStream's PrettyPrintWriter escaping in XML 1.1 mode. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16)
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i)
            switch (c) {
                case '&': b.append("&amp;"); break
                case '<': b.append("&lt;"); break
                case '>': b.append("&gt;"); break
                case '"': b.append("&quot;"); break
                case '\'': b.append("&apos;"); break
                case '\r': b.append("&#xd;"); break
                default:
                    if (c < (char) 0x20 && c != '\t' && c != '\n') {
                        b.append("&#x").append(Integer.toHexString((int) c)).append(';')
                    } else {
                        b.append(c)
                    }
            }
        }
        return b.toString()
    }

    /** A new document holding copies of the given elements under a root. */
    static Document wrap(String root, List<Element> elements) {
        Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().newDocument()
        Element r = d.createElement(root)
        d.appendChild(r)
        for (Element e : elements) {
            r.appendChild(d.importNode(e, true))
        }
        return d
    }

    /** Writes a document to a file (UTF-8, no pretty printing: it is re-indented when served). */
    static void write(Document d, File file) {
        file.getParentFile().mkdirs()
        Transformer t = TransformerFactory.newInstance().newTransformer()
        t.setOutputProperty(OutputKeys.ENCODING, "UTF-8")
        File tmp = new File(file.getParentFile(), file.getName() + ".tmp")
        t.transform(new javax.xml.transform.dom.DOMSource(d), new StreamResult(tmp))
        java.nio.file.Files.move(tmp.toPath(), file.toPath(), java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE)
    }
}
