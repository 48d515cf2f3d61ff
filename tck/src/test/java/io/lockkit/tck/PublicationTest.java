package io.lockkit.tck;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * What Maven Central asks of every published POM (name, description, url, licenses, developers,
 * scm), the BOM listing exactly the published modules at the project's version, and the README's
 * dependency snippet naming that version. Published: every module that does not set {@code
 * maven.deploy.skip}.
 */
class PublicationTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static Element pom(Path file) throws Exception {
        var factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(false);
        Document d = factory.newDocumentBuilder().parse(file.toFile());
        return d.getDocumentElement();
    }

    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    private static String text(Element parent, String name) {
        Element e = child(parent, name);
        return e == null ? null : e.getTextContent().trim();
    }

    private static List<String> modules() throws Exception {
        NodeList list = child(pom(ROOT.resolve("pom.xml")), "modules").getElementsByTagName("module");
        List<String> modules = new ArrayList<>();
        for (int i = 0; i < list.getLength(); i++) {
            modules.add(list.item(i).getTextContent().trim());
        }
        return modules;
    }

    private static boolean published(Element pom) {
        Element props = child(pom, "properties");
        return props == null || !"true".equals(text(props, "maven.deploy.skip"));
    }

    @Test
    void theParentAndTheBomCarryWhatMavenCentralAsksFor() throws Exception {
        for (Path file : List.of(ROOT.resolve("pom.xml"), ROOT.resolve("bom/pom.xml"))) {
            Element pom = pom(file);
            assertThat(text(pom, "url")).as(file + " url").startsWith("https://");
            Element license = child(child(pom, "licenses"), "license");
            assertThat(text(license, "name")).as(file + " license").isEqualTo("Apache License, Version 2.0");
            assertThat(child(child(pom, "developers"), "developer"))
                    .as(file + " developer")
                    .isNotNull();
            Element scm = child(pom, "scm");
            assertThat(text(scm, "connection")).as(file + " scm").startsWith("scm:git:");
            assertThat(text(scm, "url")).as(file + " scm url").startsWith("https://");
        }
        assertThat(Files.readString(ROOT.resolve("LICENSE"))).contains("Apache License", "Version 2.0, January 2004");
    }

    @Test
    void everyPublishedModuleHasANameADescriptionAndIsInTheBomAtTheProjectVersion() throws Exception {
        String version = text(pom(ROOT.resolve("pom.xml")), "version");
        Element bom = pom(ROOT.resolve("bom/pom.xml"));
        assertThat(text(bom, "version")).as("the BOM's version").isEqualTo(version);
        assertThat(child(bom, "parent"))
                .as("the BOM has no parent: its pins would reach the importer")
                .isNull();
        Set<String> inBom = new TreeSet<>();
        NodeList deps =
                child(child(bom, "dependencyManagement"), "dependencies").getElementsByTagName("dependency");
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            assertThat(text(d, "groupId")).isEqualTo("io.lockkit");
            assertThat(text(d, "version")).isEqualTo("${project.version}");
            inBom.add(text(d, "artifactId"));
        }
        Set<String> published = new TreeSet<>();
        for (String module : modules()) {
            if (module.equals("bom")) {
                continue;
            }
            Element pom = pom(ROOT.resolve(module).resolve("pom.xml"));
            assertThat(text(pom, "name")).as(module + " name").isNotBlank();
            assertThat(text(pom, "description")).as(module + " description").isNotBlank();
            if (published(pom)) {
                published.add(text(pom, "artifactId"));
            }
        }
        assertThat(inBom).isEqualTo(published);
        assertThat(published).contains("lockkit-api", "lockkit-backend-jdbc", "lockkit-micrometer");
    }

    @Test
    void theReadmeOpensWithTheDependencySnippetAtTheProjectVersion() throws Exception {
        String version = text(pom(ROOT.resolve("pom.xml")), "version");
        String readme = Files.readString(ROOT.resolve("README.md"));
        int snippet = readme.indexOf("<artifactId>lockkit-bom</artifactId>");
        assertThat(snippet).as("the BOM import in the README").isPositive();
        assertThat(readme.substring(snippet)).contains("<version>" + version + "</version>");
        assertThat(snippet)
                .as("the snippet comes before the first section of the README")
                .isLessThan(readme.indexOf("\n## "));
    }
}
