package dev.cordon.sandbox.macos.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MacPathsTest {

    @Test
    void privateForm_appliesTheFixedLinksOnlyToWholeComponents() {
        assertEquals("/private/tmp", MacPaths.privateForm("/tmp"));
        assertEquals("/private/tmp/x", MacPaths.privateForm("/tmp/x"));
        assertEquals("/private/var/folders/zz/T", MacPaths.privateForm("/var/folders/zz/T"));
        assertEquals("/private/etc/hosts", MacPaths.privateForm("/etc/hosts"));
        assertEquals("/tmpfoo", MacPaths.privateForm("/tmpfoo"));
        assertEquals("/variable", MacPaths.privateForm("/variable"));
        assertEquals("/private/tmp", MacPaths.privateForm("/private/tmp"));
        assertEquals("/Users/tmp", MacPaths.privateForm("/Users/tmp"));
    }

    @Test
    void forms_givenFormFirstThenResolvedOnlyWhenDifferent() {
        MacPaths paths = MacPaths.stringRulesOnly();
        assertEquals(List.of("/tmp/a b", "/private/tmp/a b"), paths.forms(Path.of("/tmp/a b")));
        assertEquals(List.of("/Users/dev"), paths.forms(Path.of("/Users/dev")));
        assertEquals(List.of("/private/var/x"), paths.forms(Path.of("/private/var/x")));
    }

    @Test
    void fileSystem_followsLinksThroughTheNearestExistingAncestor(@TempDir Path dir) throws IOException {
        Path real = Files.createDirectories(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        List<String> forms = MacPaths.fileSystem().forms(link.resolve("not/yet/there"));
        assertEquals(link.resolve("not/yet/there").toString(), forms.getFirst());
        assertTrue(forms.contains(real.toRealPath().resolve("not/yet/there").toString()), forms.toString());
    }

    @Test
    void fileSystem_tellsDirectoriesFromFiles(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("key"), "secret");
        MacPaths paths = MacPaths.fileSystem();
        assertEquals(MacPaths.Kind.DIRECTORY, paths.kind(dir));
        assertEquals(MacPaths.Kind.FILE, paths.kind(file));
        assertEquals(MacPaths.Kind.UNKNOWN, paths.kind(dir.resolve("missing")));
    }

    @Test
    void isWithin_comparesEveryForm() {
        MacPaths paths = MacPaths.stringRulesOnly();
        assertTrue(paths.isWithin(Path.of("/private/tmp/a/b"), Path.of("/tmp/a")));
        assertTrue(paths.isWithin(Path.of("/tmp/a"), Path.of("/private/tmp")));
        assertFalse(paths.isWithin(Path.of("/tmp/ab"), Path.of("/tmp/a")));
    }
}
