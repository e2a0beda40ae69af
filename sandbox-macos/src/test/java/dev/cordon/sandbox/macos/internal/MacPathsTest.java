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

    @Test
    void hiddenForms_addTheDataVolumeFormBelowFirmlinksOnly() {
        MacPaths paths = MacPaths.stringRulesOnly();
        assertEquals(List.of("/Users/dev/.ssh", "/System/Volumes/Data/Users/dev/.ssh"),
                paths.hiddenForms(Path.of("/Users/dev/.ssh")));
        assertEquals(List.of("/tmp/k", "/private/tmp/k", "/System/Volumes/Data/private/tmp/k"),
                paths.hiddenForms(Path.of("/tmp/k")));
        assertEquals(List.of("/System/Library/x"), paths.hiddenForms(Path.of("/System/Library/x")));
        assertEquals(List.of("/Usersfoo"), paths.hiddenForms(Path.of("/Usersfoo")));
    }

    @Test
    void platformSecrets_coverKeychainsBrowsersAndRootOnlyStoresOncePerHome() {
        List<Path> secrets = MacPaths.platformSecrets(List.of(Path.of("/Users/dev"), Path.of("/Users/dev")));
        assertTrue(secrets.contains(Path.of("/Users/dev/Library/Keychains")));
        assertTrue(secrets.contains(Path.of("/Users/dev/Library/Application Support/Firefox")));
        assertTrue(secrets.contains(Path.of("/private/var/db/SystemKey")));
        assertEquals(secrets.size(), new java.util.HashSet<>(secrets).size());
        assertEquals(MacPaths.HOME_SECRETS.size() + MacPaths.SYSTEM_SECRETS.size(), secrets.size());
    }

    @Test
    void scan_findsWhereLinksInsideAHiddenFolderLead(@TempDir Path dir) throws IOException {
        Path dotfiles = Files.createDirectories(dir.resolve("dotfiles/ssh"));
        Path key = Files.writeString(dotfiles.resolve("id_ed25519"), "secret");
        Path ssh = Files.createDirectories(dir.resolve("home/.ssh/deeper"));
        Files.createSymbolicLink(ssh.resolve("id_ed25519"), key);
        Files.createSymbolicLink(ssh.resolve("keys"), Path.of("../../../dotfiles/ssh"));
        Files.createSymbolicLink(ssh.resolve("later"), dir.resolve("not-yet/there"));
        MacPaths.Scan scan = MacPaths.fileSystem().scan(ssh.getParent());
        assertEquals(java.util.Set.of(key.toRealPath(), dotfiles.toRealPath(),
                dir.toRealPath().resolve("not-yet/there")), java.util.Set.copyOf(scan.linkTargets()));
    }

    @Test
    void scan_reportsAHiddenFileWithSeveralNames(@TempDir Path dir) throws IOException {
        Path secrets = Files.createDirectories(dir.resolve(".aws"));
        Path credentials = Files.writeString(secrets.resolve("credentials"), "key");
        Files.createLink(dir.resolve("copy"), credentials);
        MacPaths.Scan scan = MacPaths.fileSystem().scan(secrets);
        assertTrue(scan.notes().stream().anyMatch(n -> n.contains("has 2 names")), scan.notes().toString());
        assertTrue(MacPaths.fileSystem().scan(credentials).notes().getFirst().contains("has 2 names"));
    }

    @Test
    void scan_stopsAfterTheEntryLimitAndSaysSo(@TempDir Path dir) throws IOException {
        Path big = Files.createDirectories(dir.resolve("big"));
        for (int i = 0; i <= MacPaths.SCAN_ENTRIES; i++) {
            Files.createFile(big.resolve("f" + i));
        }
        MacPaths.Scan scan = MacPaths.fileSystem().scan(big);
        assertTrue(scan.notes().stream().anyMatch(n -> n.contains("more than " + MacPaths.SCAN_ENTRIES)),
                scan.notes().toString());
    }

    @Test
    void scan_ofAMissingPathOrWithStringRulesOnlyFindsNothing(@TempDir Path dir) {
        assertEquals(MacPaths.Scan.NONE, MacPaths.fileSystem().scan(dir.resolve("missing")));
        assertEquals(MacPaths.Scan.NONE, MacPaths.stringRulesOnly().scan(dir));
    }
}
