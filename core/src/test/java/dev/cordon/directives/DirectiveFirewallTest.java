package dev.cordon.directives;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.Grant;
import dev.cordon.RunnerInvocation;
import dev.cordon.internal.directives.Directive;
import dev.cordon.internal.directives.DirectiveFirewall;
import dev.cordon.internal.directives.FirewallOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing as Cargo 1.95 does, real crates' output, and the stream the supervisor puts in front of Cargo. */
class DirectiveFirewallTest {
    static final List<String> REAL_CRATES = List.of("libc", "libsqlite3-sys", "libz-sys", "proc-macro2", "quote",
            "ring", "ryu", "serde", "serde_derive", "serde_json", "syn", "typical");

    @Test
    void parse_followsCargo() {
        assertEquals(Optional.of(new Directive("cargo::rustc-env=A=b", true, "rustc-env", "A=b")),
                Directive.parse("cargo::rustc-env=A=b"));
        assertEquals("rustc-env", Directive.parse(" \t cargo:rustc-env=A=b \r").orElseThrow().key());
        assertEquals("A=b", Directive.parse("\u2028cargo:rustc-env=A=b\u00A0").orElseThrow().value());
        // Old syntax: a key Cargo does not reserve is metadata (DEP_<LINKS>_<KEY>), even one the new syntax knows.
        assertEquals("metadata", Directive.parse("cargo:error=x").orElseThrow().key());
        assertEquals("metadata", Directive.parse("cargo:rustc-env =LD_PRELOAD=x").orElseThrow().key());
        assertEquals("error", Directive.parse("cargo::error=x").orElseThrow().key());
        // New syntax: the key is everything up to the first '=', spaces included (Cargo then rejects it).
        assertEquals("rustc-env ", Directive.parse("cargo::rustc-env =X=y").orElseThrow().key());
        assertEquals(Optional.empty(), Directive.parse("cargo::rustc-env"));
        assertEquals(Optional.empty(), Directive.parse("Cargo:rustc-env=A=b"));
        assertEquals(Optional.empty(), Directive.parse("dh-cargo:deb-built-using=ring-core=0=/x"));
    }

    @Test
    void realCrates_outputPassesUnchanged() throws IOException {
        int lines = 0;
        for (String crate : REAL_CRATES) {
            String text;
            try (InputStream in = getClass().getResourceAsStream("/directives/real-crates/" + crate + ".txt")) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("@TARGET@", "/work/ws/target");
            }
            String crateDir = crate.equals("typical") ? "openssl-sys" : crate;
            Path out = Path.of("/work/ws/target/debug/build/" + crateDir + "-29569392e0ec0730/out");
            Grant grant = Grant.builder(crate, Path.of("/tmp/t")).build();
            RunnerInvocation inv = RunnerInvocation.of(out.getParent().resolve("build-script-build"),
                    Path.of("/usr/share/cargo/registry/" + crate), Map.of("OUT_DIR", out.toString(), "CARGO_PKG_NAME", crate,
                            "CARGO_MANIFEST_DIR", "/usr/share/cargo/registry/" + crate));
            text = text.replace("@OUT_DIR@", out.toString());
            ByteArrayOutputStream cargo = new ByteArrayOutputStream();
            List<String> refusals = new ArrayList<>();
            try (FirewallOutputStream stream = new FirewallOutputStream(DirectiveFirewall.forRun(grant, inv), cargo,
                    refusals::add)) {
                byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                for (int i = 0; i < bytes.length; i += 7) { // odd chunks: lines split across writes
                    stream.write(bytes, i, Math.min(7, bytes.length - i));
                }
                assertEquals(Optional.empty(), stream.end(), crate);
            }
            assertEquals(List.of(), refusals, crate);
            assertEquals(text, cargo.toString(StandardCharsets.UTF_8), crate);
            lines += text.split("\n").length;
        }
        assertTrue(lines > 200, "lines checked: " + lines);
    }

    @Test
    void stream_refusedLineNeverReachesCargoAndNothingAfterIt() throws IOException {
        ByteArrayOutputStream cargo = new ByteArrayOutputStream();
        List<String> refusals = new ArrayList<>();
        FirewallOutputStream stream = new FirewallOutputStream(DirectiveFirewallProperties.firewall(), cargo,
                refusals::add);
        stream.write("cargo:rustc-cfg=a\ncargo:rustc-env=LD_PRELOAD=/x.so\ncargo:rustc-cfg=b\n"
                .getBytes(StandardCharsets.UTF_8));
        assertEquals("cargo:rustc-cfg=a\n", cargo.toString(StandardCharsets.UTF_8));
        assertEquals(1, refusals.size());
        assertTrue(refusals.getFirst().contains("\"cargo:rustc-env=LD_PRELOAD=/x.so\""), refusals.getFirst());
        assertTrue(stream.end().isPresent());
    }

    @Test
    void stream_lastLineWithoutNewlineIsCheckedToo() throws IOException {
        ByteArrayOutputStream cargo = new ByteArrayOutputStream();
        FirewallOutputStream stream = new FirewallOutputStream(DirectiveFirewallProperties.firewall(), cargo, m -> { });
        stream.write("hello\ncargo::rustc-link-arg=-B/tmp/fake".getBytes(StandardCharsets.UTF_8));
        assertEquals("hello\n", cargo.toString(StandardCharsets.UTF_8));
        assertTrue(stream.end().isPresent());
        ByteArrayOutputStream cargo2 = new ByteArrayOutputStream();
        FirewallOutputStream ok = new FirewallOutputStream(DirectiveFirewallProperties.firewall(), cargo2, m -> { });
        ok.write("cargo::rustc-cfg=x".getBytes(StandardCharsets.UTF_8));
        assertEquals(Optional.empty(), ok.end());
        assertEquals("cargo::rustc-cfg=x", cargo2.toString(StandardCharsets.UTF_8));
    }

    @Test
    void stream_longLines_passWhenPlainTextAndAreRefusedWhenTheyMayBeDirectives() throws IOException {
        byte[] big = "x".repeat(DirectiveFirewall.MAX_LINE + 100).getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream cargo = new ByteArrayOutputStream();
        FirewallOutputStream stream = new FirewallOutputStream(DirectiveFirewallProperties.firewall(), cargo, m -> { });
        for (int i = 0; i < big.length; i += 8192) {
            stream.write(big, i, Math.min(8192, big.length - i));
        }
        stream.write("\ncargo:rustc-cfg=y\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(Optional.empty(), stream.end());
        assertEquals(big.length + "\ncargo:rustc-cfg=y\n".length(), cargo.size());

        byte[] directive = ("   cargo:rustc-env=X=" + "y".repeat(DirectiveFirewall.MAX_LINE)).getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream cargo2 = new ByteArrayOutputStream();
        FirewallOutputStream refused = new FirewallOutputStream(DirectiveFirewallProperties.firewall(), cargo2, m -> { });
        for (int i = 0; i < directive.length; i += 8192) {
            refused.write(directive, i, Math.min(8192, directive.length - i));
        }
        assertTrue(refused.refusal().isPresent());
        assertEquals(0, cargo2.size());
    }

    @Test
    void notUtf8_passesUnlessItLooksLikeADirective() {
        DirectiveFirewall fw = DirectiveFirewallProperties.firewall();
        byte[] plain = {'a', (byte) 0xFF, 'b'};
        assertTrue(fw.check(plain, 0, plain.length).allowed());
        byte[] directive = "cargo:rustc-env=LD_PRELOAD=/x\u00FF.so".getBytes(StandardCharsets.ISO_8859_1);
        assertFalse(fw.check(directive, 0, directive.length).allowed());
    }

    @Test
    void finish_refusesASearchPathThatHoldsALibraryTheToolchainLoads(@TempDir Path dir) throws IOException {
        Path out = Files.createDirectories(dir.resolve("target/debug/build/evil-1/out"));
        RunnerInvocation inv = RunnerInvocation.of(out.getParent().resolve("build-script-build"), dir.resolve("pkg"),
                Map.of("OUT_DIR", out.toString(), "CARGO_PKG_NAME", "evil"));
        DirectiveFirewall fw = DirectiveFirewall.forRun(Grant.builder("evil", dir).build(), inv);
        Files.writeString(out.resolve("libring_core.a"), "");
        Files.writeString(out.resolve("libfoo.so.1"), "");
        assertTrue(fw.check("cargo:rustc-link-search=native=" + out).allowed());
        assertTrue(fw.finish().allowed());
        Files.writeString(out.resolve("libz.so.1"), "");
        String refusal = fw.finish().refusal().orElseThrow();
        assertTrue(refusal.contains("libz.so.1") && refusal.contains("rustdoc"), refusal);
    }

    @Test
    void finish_refusesASearchPathThatTheScriptTurnedIntoASymlinkOutOfTheBuild(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("target");
        Path out = target.resolve("debug/build/evil-1/out");
        Files.createDirectories(out);
        Path secret = Files.createDirectories(dir.resolve("home/.ssh"));
        Files.createSymbolicLink(out.resolve("lib"), secret);
        Files.createDirectories(out.resolve("real"));
        RunnerInvocation inv = RunnerInvocation.of(out.getParent().resolve("build-script-build"), dir.resolve("pkg"),
                Map.of("OUT_DIR", out.toString(), "CARGO_PKG_NAME", "evil"));
        DirectiveFirewall fw = DirectiveFirewall.forRun(Grant.builder("evil", dir).build(), inv);
        assertTrue(fw.check("cargo:rustc-link-search=native=" + out.resolve("real")).allowed());
        assertTrue(fw.finish().allowed());
        assertTrue(fw.check("cargo:rustc-link-search=native=" + out.resolve("lib")).allowed(), "lexically inside");
        String refusal = fw.finish().refusal().orElseThrow();
        assertTrue(refusal.contains("symbolic link"), refusal);
    }
}
