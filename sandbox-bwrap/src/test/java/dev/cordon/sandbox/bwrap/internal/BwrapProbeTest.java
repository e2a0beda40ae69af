package dev.cordon.sandbox.bwrap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.testing.RequiredTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BwrapProbeTest {

    @TempDir
    Path cache;

    @Test
    void probe_missingBwrapSaysHowToInstall() {
        BwrapProbe.Result result = new BwrapProbe(Map.of("PATH", "/nonexistent"), Path.of("/proc/sys"),
                Optional.empty()).probe();
        assertFalse(result.availability().isAvailable());
        assertTrue(result.availability().reason().contains("apt-get install bubblewrap / dnf install bubblewrap"),
                result.availability().reason());
    }

    @Test
    void probe_realBwrapIsAvailableAndCachedInAFile() {
        Path bwrap = RequiredTools.require("bwrap");
        Map<String, String> env = Map.of("PATH", bwrap.getParent().toString());
        BwrapProbe probe = new BwrapProbe(env, Path.of("/proc/sys"), Optional.of(cache));
        long cold = System.nanoTime();
        BwrapProbe.Result first = probe.probe();
        cold = System.nanoTime() - cold;
        assertTrue(first.availability().isAvailable(), first.availability().reason());
        assertTrue(first.installation().orElseThrow().atLeast(0, 1));
        assertEquals(1, cache.toFile().list().length, "a success is remembered");
        long warm = System.nanoTime();
        BwrapProbe.Result second = probe.probe();
        warm = System.nanoTime() - warm;
        assertEquals(first, second);
        System.out.printf("bwrap probe: cold %.2f ms (runs bwrap twice), cached %.3f ms%n", cold / 1e6, warm / 1e6);
    }

    @Test
    void probe_aCorruptCacheEntryIsIgnoredAndRewritten() throws Exception {
        Path bwrap = RequiredTools.require("bwrap");
        BwrapProbe probe = new BwrapProbe(Map.of("PATH", bwrap.getParent().toString()), Path.of("/proc/sys"),
                Optional.of(cache));
        BwrapInstallation real = probe.probe().installation().orElseThrow();
        Path entry;
        try (var files = Files.list(cache)) {
            entry = files.findFirst().orElseThrow();
        }
        Files.writeString(entry, "nonsense");
        assertEquals(real, probe.probe().installation().orElseThrow());
        assertTrue(Files.readString(entry).contains("bubblewrap"), "the entry is written again after a real probe");
    }

    @Test
    void diagnose_namesTheAppArmorFix() {
        String reason = BwrapProbe.diagnose("bwrap --unshare-all ...", "bwrap: setting up uid map: Permission denied",
                Map.of("kernel/apparmor_restrict_unprivileged_userns", "1"));
        assertTrue(reason.contains("kernel.apparmor_restrict_unprivileged_userns=1"), reason);
        assertTrue(reason.contains("/etc/apparmor.d/bwrap"), reason);
        assertTrue(reason.contains("setting up uid map: Permission denied"), reason);
    }

    @Test
    void diagnose_namesTheSysctlFixes() {
        assertTrue(BwrapProbe.diagnose("c", "bwrap: No permissions to create new namespace",
                Map.of("user/max_user_namespaces", "0")).contains("sysctl -w user.max_user_namespaces="));
        assertTrue(BwrapProbe.diagnose("c", "x", Map.of("kernel/unprivileged_userns_clone", "0"))
                .contains("kernel.unprivileged_userns_clone=1"));
        assertTrue(BwrapProbe.diagnose("c", "x", Map.of()).contains("container"));
    }
}
