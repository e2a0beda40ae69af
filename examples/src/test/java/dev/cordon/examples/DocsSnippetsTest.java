package dev.cordon.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.cordon.Policies;
import dev.cordon.Policy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every TOML and Java snippet in the README and docs is checked: policies parse with Cordon (those kept in a
 * Cargo manifest too), Cargo configs are valid TOML, Java compiles against the public API.
 */
class DocsSnippetsTest {
    private static final Pattern FENCE = Pattern.compile("(?ms)^\\s*```(toml|java)\\s*$(.*?)^\\s*```\\s*$");

    @TempDir
    static Path scratch;

    record Snippet(Path doc, int index, String language, String text) {
    }

    static List<Snippet> snippets() throws IOException {
        Path root = Path.of(System.getProperty("cordon.repositoryRoot"));
        List<Path> docs = new ArrayList<>(List.of(root.resolve("README.md")));
        try (Stream<Path> files = Files.list(root.resolve("docs"))) {
            files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        List<Snippet> out = new ArrayList<>();
        for (Path doc : docs) {
            Matcher m = FENCE.matcher(Files.readString(doc));
            int i = 0;
            while (m.find()) {
                out.add(new Snippet(doc, ++i, m.group(1), m.group(2).stripIndent()));
            }
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> docs_everySnippetIsValid() throws IOException {
        List<Snippet> all = snippets();
        assertFalse(all.isEmpty());
        return all.stream().map(s -> DynamicTest.dynamicTest(s.doc().getFileName() + " #" + s.index() + " ("
                + s.language() + ")", () -> check(s)));
    }

    private static void check(Snippet s) throws IOException {
        if (s.language().equals("java")) {
            compile(s);
        } else if (s.text().contains("[host]") || s.text().contains("[env]") || s.text().contains("[source.")
                || s.text().contains("[unstable]")) {
            new TomlMapper().readTree(s.text()); // a Cargo config: valid TOML is all we can check here
        } else if (s.text().contains("[workspace") || s.text().contains("[package")) {
            // A Cargo manifest: its [workspace.metadata.cordon] or [package.metadata.cordon] must be a valid policy.
            Policies.parse(s.text(), s.doc().resolveSibling("Cargo.toml"));
        } else {
            Policies.parse(s.text(), s.doc());
        }
    }

    /** The classes of each page's earlier snippets, so a later snippet may use them as a reader would. */
    private static final java.util.Map<Path, List<Path>> COMPILED = new java.util.HashMap<>();

    private static void compile(Snippet s) throws IOException {
        Matcher cls = Pattern.compile("public (?:final )?class (\\w+)").matcher(s.text());
        String source;
        String name;
        if (cls.find()) {
            name = cls.group(1);
            source = s.text();
        } else {
            name = "Snippet" + Math.abs(s.doc().hashCode()) + "_" + s.index();
            source = "import dev.cordon.*;\nimport java.nio.file.Path;\nfinal class " + name + " {\n" + s.text() + "\n}\n";
        }
        Path dir = Files.createDirectories(scratch.resolve(name));
        Path file = Files.writeString(dir.resolve(name + ".java"), source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<Path> earlier = COMPILED.computeIfAbsent(s.doc(), d -> new ArrayList<>());
        StringBuilder classpath = new StringBuilder(System.getProperty("java.class.path"));
        earlier.forEach(d -> classpath.append(java.io.File.pathSeparator).append(d));
        int status = javac.run(null, null, err, "-d", dir.toString(), "-cp", classpath.toString(),
                "-Xlint:all", "-Werror", file.toString());
        earlier.add(dir);
        assertEquals(0, status, s.doc() + " snippet " + s.index() + " does not compile:\n" + source + "\n"
                + err.toString(StandardCharsets.UTF_8));
        assertTrue(Files.exists(dir.resolve(name + ".class")));
    }
}
