package dev.cordon.directives;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.internal.directives.DirectiveFirewall;
import dev.cordon.internal.directives.SearchRoots;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The directive firewall's rules as properties: every dangerous directive is refused in every spelling
 * Cargo accepts, lines Cargo ignores pass, safe directives pass, and {@code directives.allow} allows exactly
 * what it names.
 */
class DirectiveFirewallProperties {
    static final Path TARGET = Path.of("/work/ws/target");
    static final Path OUT = TARGET.resolve("debug/build/evil-0123456789abcdef/out");
    static final SearchRoots ROOTS = SearchRoots.of(Optional.of(OUT), Optional.of(TARGET),
            Path.of("/home/dev/.cargo/registry/src/index/evil-1.0.0"));

    static DirectiveFirewall firewall(String... allow) {
        return DirectiveFirewall.of("evil", ROOTS, List.of(allow));
    }

    /** Cargo trims Unicode white space, which includes these (Java's String.strip does not trim all). */
    @Provide
    Arbitrary<String> padding() {
        return Arbitraries.of("", " ", "\t", "\r", "  \t", "\u00A0", "\u2028", "\u3000", "\u000B", "\u0085",
                "\u202F");
    }

    @Provide
    Arbitrary<String> prefix() {
        return Arbitraries.of("cargo:", "cargo::");
    }

    /** Dangerous {@code rustc-env} names, in any case. */
    @Provide
    Arbitrary<String> dangerousEnv() {
        Arbitrary<String> name = Arbitraries.of("LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "DYLD_INSERT_LIBRARIES",
                "PATH", "RUSTC", "RUSTC_WRAPPER", "RUSTC_WORKSPACE_WRAPPER", "RUSTC_LINKER", "RUSTDOC", "RUSTUP_TOOLCHAIN",
                "RUSTUP_HOME", "CARGO", "CARGO_HOME", "CARGO_MAKEFLAGS", "MAKEFLAGS", "GCONV_PATH", "GLIBC_TUNABLES",
                "COMPILER_PATH", "GCC_EXEC_PREFIX", "LIBRARY_PATH", "COLLECT_LTO_WRAPPER", "CCC_OVERRIDE_OPTIONS",
                "TMPDIR", "CC", "CXX", "AR", "LD", "BASH_ENV", "ENV", "SHELLOPTS", "PYTHONPATH", "PERL5OPT",
                "NODE_OPTIONS", "GIT_DIR", "GIT_CONFIG_GLOBAL", "GIT_EXEC_PATH", "DEVELOPER_DIR", "SDKROOT",
                "NIX_LDFLAGS", "CCACHE_PREFIX", "HOME", "XDG_CONFIG_HOME", "BASH_FUNC_cc%%", "LD.PRELOAD");
        Arbitrary<Boolean> lower = Arbitraries.of(false, true);
        return Combinators.combine(name, lower).as((n, l) -> l ? n.toLowerCase(Locale.ROOT) : n);
    }

    @Property
    void rustcEnv_loaderAndToolVariablesAreRefused(@ForAll("dangerousEnv") String name, @ForAll("prefix") String prefix,
            @ForAll("padding") String before, @ForAll("padding") String after) {
        String line = before + prefix + "rustc-env=" + name + "=" + OUT + "/x" + after;
        assertRefused(line);
    }

    /** Linker arguments that run or load the script's code, or write where it says. */
    @Provide
    Arbitrary<String> dangerousLinkArg() {
        String o = OUT.toString();
        return Arbitraries.of("-B" + o + "/fake/", "-B", "--prefix=" + o, "-fuse-ld=lld", "-fuse-ld=" + o + "/ld",
                "--ld-path=" + o + "/ld", "-fplugin=" + o + "/p.so", "-fplugin-arg-x-y", "-specs=" + o + "/s",
                "--specs=" + o + "/s", "-wrapper", "-wrapper=" + o + "/w", "-Xclang", "-Xassembler", "-Xpreprocessor",
                "-Wp,-fplugin=x", "-Wa,-o,/tmp/x", "@" + o + "/args", "-Wl,@" + o + "/args", "-Wl,-plugin," + o + "/p.so",
                "-Wl,--plugin=" + o + "/p.so", "-Wl,-plugin-opt=" + o + "/lto-wrapper", "-Wl,--plug=" + o + "/p.so",
                "-plugin", "--plugin=" + o + "/p.so", "-Wl,--load-pass-plugin=" + o + "/p.so",
                "-Wl,--error-handling-script=" + o + "/h.sh", "-Wl,-lto_library," + o + "/lto.dylib", "-o/home/dev/.bashrc",
                "-o", "--output=/home/dev/x", "-Wl,-o,/home/dev/.cargo/bin/cargo", "-Wl,--output=/home/dev/x",
                "-Wl,--outp=/home/dev/x", "-Wl,-Map=/home/dev/.bashrc", "-Wl,--dependency-file=/home/dev/x",
                "-Wl,--reproduce=/home/dev/x.tar", "-save-temps", "-dumpdir", "-MF/home/dev/x", "-Wl,--dynamic-linker="
                        + o + "/ld.so", "-Wl,-I," + o + "/ld.so", "--sysroot=" + o, "--gcc-toolchain=" + o,
                "--config=" + o + "/c.cfg", "-L/home/dev/.ssh", "-L", "-Wl,-L,/home/dev", "-Wl,-L/tmp/x",
                "/home/dev/.aws/credentials", "-Wl,-T,/home/dev/.ssh/id_rsa", "-T/etc/shadow", "-L" + o + "/../../../../..",
                "-Wl,--version-script=/root/v.map", "-Wl,-mllvm,-load=x", "-include/home/dev/.ssh/id_rsa",
                "-Wl,-R/home/dev/x", "-Wl,--version-script=../../../../home/dev/v.map");
    }

    @Provide
    Arbitrary<String> linkKey() {
        return Arbitraries.of("rustc-link-arg", "rustc-link-arg-bins", "rustc-link-arg-tests", "rustc-link-arg-examples",
                "rustc-link-arg-benches", "rustc-link-arg-cdylib", "rustc-cdylib-link-arg", "rustc-link-arg-bin=evil");
    }

    @Property
    void linkArg_codeLoadingAndOutputRedirectingArgumentsAreRefused(@ForAll("dangerousLinkArg") String arg,
            @ForAll("linkKey") String key, @ForAll("prefix") String prefix, @ForAll("padding") String before,
            @ForAll("padding") String after) {
        assertRefused(before + prefix + key + "=" + arg + after);
    }

    @Provide
    Arbitrary<String> foreignPath() {
        return Arbitraries.of("/home/dev", "/home/dev/.ssh", "/tmp", "/tmp/x/lib", "/root", "/etc", "/work/ws",
                "/work/ws/src", "lib", ".", "../x", OUT + "/../../../../../../home", "/usr/lib/../../home/dev",
                "/var/tmp/lib", "/proc/self/cwd", "");
    }

    @Provide
    Arbitrary<String> searchKind() {
        return Arbitraries.of("", "native=", "crate=", "dependency=", "framework=", "all=");
    }

    @Property
    void linkSearch_pathsOutsideOutputTargetPackageAndSystemAreRefused(@ForAll("foreignPath") String path,
            @ForAll("searchKind") String kind, @ForAll("prefix") String prefix, @ForAll("padding") String before) {
        assertRefused(before + prefix + "rustc-link-search=" + kind + path);
        if (!(kind + path).isEmpty()) { // "-L" without a value: Cargo rejects the line itself
            assertRefused(prefix + "rustc-flags=-L " + kind + path);
            assertRefused(prefix + "rustc-flags=-lz -L" + kind + path);
        }
    }

    @Property
    void rustcFlags_anythingButLibrariesAndSearchPathsIsRefused(@ForAll("prefix") String prefix,
            @ForAll("rustcFlag") String flag) {
        assertRefused(prefix + "rustc-flags=-lfoo " + flag);
    }

    @Provide
    Arbitrary<String> rustcFlag() {
        return Arbitraries.of("-C linker=/tmp/ld", "-Clinker=/tmp/ld", "-Z unstable-options", "-Zcodegen-backend=x.so",
                "--cfg x", "-C link-arg=-B/tmp", "--extern x=/tmp/x.so");
    }

    @Provide
    Arbitrary<String> safePath() {
        return Arbitraries.of(OUT.toString(), OUT + "/lib", OUT + "/build/lib64", TARGET + "/debug/build/other-1/out",
                "/usr/lib", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/local/lib", "/opt/homebrew/opt/openssl@3/lib",
                "/nix/store/abc-zlib/lib", "/home/dev/.cargo/registry/src/index/evil-1.0.0/lib");
    }

    @Property
    void linkSearch_outputTargetPackageAndSystemDirsPass(@ForAll("safePath") String path,
            @ForAll("searchKind") String kind, @ForAll("prefix") String prefix) {
        assertAllowed(prefix + "rustc-link-search=" + kind + path);
        assertAllowed(prefix + "rustc-flags=-l static=foo -L " + kind + path);
    }

    @Provide
    Arbitrary<String> safeDirective() {
        String o = OUT.toString();
        return Arbitraries.of("rustc-cfg=foo", "rustc-cfg=feature=\"x\"", "rustc-check-cfg=cfg(foo, values(\"a\"))",
                "rustc-env=TARGET=x86_64-unknown-linux-gnu", "rustc-env=GIT_HASH=abc", "rustc-env=VERSION_STRING=1 2",
                "rustc-env=PROFILE=debug", "rustc-link-lib=z", "rustc-link-lib=static=ring-core",
                "rustc-link-lib=dylib=stdc++", "rustc-link-lib=static:+whole-archive=foo", "rustc-link-lib=framework=Security",
                "rustc-link-lib=static:-bundle=foo:bar", "rustc-link-arg=-Wl,-rpath,$ORIGIN/../lib",
                "rustc-link-arg=-Wl,-rpath,/opt/vendor/lib", "rustc-link-arg=-Wl,--export-dynamic",
                "rustc-link-arg=-Tlink.x", "rustc-link-arg=-Tsub/memory.x", "rustc-link-arg=-nostartfiles",
                "rustc-link-arg=-Wl,--version-script=ver/x.map", "rustc-link-arg=-Wl,-R" + o + "/syms.o", "rustc-link-arg=-Wl,-z,stack-size=65536",
                "rustc-link-arg=-Wl,--version-script=" + o + "/v.map", "rustc-link-arg=" + o + "/extra.o",
                "rustc-link-arg=-Wl,-undefined,dynamic_lookup", "rustc-link-arg=-Wl,-install_name,@rpath/libx.dylib",
                "rustc-link-arg=-Xlinker", "rustc-link-arg=--export-dynamic", "rustc-link-arg=-Wl,-Bstatic",
                "rustc-link-arg=-lfoo", "rustc-link-arg=-static", "rustc-link-arg=-pthread",
                "rustc-link-arg-bin=evil=-Wl,--gc-sections", "warning=something odd", "error=broken",
                "rerun-if-changed=build.rs", "rerun-if-changed=/etc/passwd", "rerun-if-env-changed=CC", "metadata=root=" + o,
                "rustc-flags=-l z -L native=" + o, "rustc-flags=-lsqlite3");
    }

    @Property
    void safeDirectives_passInBothSyntaxes(@ForAll("safeDirective") String directive, @ForAll("prefix") String prefix,
            @ForAll("padding") String before, @ForAll("padding") String after) {
        assertAllowed(before + prefix + directive + after);
    }

    /** Lines Cargo does not parse, including old-syntax metadata with any key: never refused. */
    @Property
    void nonDirectives_pass(@ForAll("text") String text) {
        String line = text.replace("\n", "");
        String trimmed = line.strip();
        if (trimmed.startsWith("cargo:")) {
            return;
        }
        assertAllowed(line);
        assertAllowed("cargo:" + line.replace("=", "").replace("rustc", "x") + "=LD_PRELOAD=/tmp/x");
        assertAllowed("CARGO:rustc-env=LD_PRELOAD=/tmp/x.so");
        assertAllowed("cargo :rustc-env=LD_PRELOAD=/tmp/x.so");
        assertAllowed("# cargo:rustc-env=LD_PRELOAD=/tmp/x.so");
    }

    @Provide
    Arbitrary<String> text() {
        return Arbitraries.strings().ofMaxLength(60);
    }

    /** Old syntax: a space before '=' makes a metadata key, which Cargo does not act on outside the sandbox. */
    @Property
    void oldSyntaxWithUnreservedKey_isMetadataAndPasses(@ForAll("dangerousEnv") String name) {
        assertAllowed("cargo:rustc-env =" + name + "=/tmp/x");
        assertAllowed("cargo:rustc-envx=" + name + "=/tmp/x");
    }

    @Property
    void allow_allowsExactlyWhatItNames(@ForAll("dangerousLinkArg") String arg, @ForAll("dangerousLinkArg") String other,
            @ForAll("prefix") String prefix) {
        DirectiveFirewall fw = firewall("rustc-link-arg=" + arg);
        assertTrue(fw.check(prefix + "rustc-link-arg=" + arg).allowed(), arg);
        assertFalse(fw.check(prefix + "rustc-link-arg-bins=" + arg).allowed(), "another key: " + arg);
        if (!other.equals(arg)) {
            assertFalse(fw.check(prefix + "rustc-link-arg=" + other).allowed(), other + " allowed by " + arg);
        }
        assertFalse(fw.check(prefix + "rustc-link-arg=" + arg + "x").allowed() && !isSafe(arg + "x"), arg + "x");
    }

    private static boolean isSafe(String arg) {
        return firewall().check("cargo:rustc-link-arg=" + arg).allowed();
    }

    @Property
    void allowWithStar_matchesThePrefixButNeverClimbs(@ForAll("prefix") String prefix) {
        DirectiveFirewall fw = firewall("rustc-link-search=native=/opt/sdk/*", "rustc-env=LD_*");
        assertTrue(fw.check(prefix + "rustc-link-search=native=/opt/sdk/lib").allowed());
        assertFalse(fw.check(prefix + "rustc-link-search=native=/opt/sdk/../../home/dev").allowed());
        assertFalse(fw.check(prefix + "rustc-link-search=native=/opt/sdkx").allowed());
        assertTrue(fw.check(prefix + "rustc-env=LD_PRELOAD=/opt/x.so").allowed());
        assertFalse(fw.check(prefix + "rustc-env=PATH=/opt").allowed());
    }

    @Property
    void refusal_namesDirectiveCrateReasonAndTheTomlThatAllowsIt(@ForAll("dangerousEnv") String name) {
        String line = "cargo::rustc-env=" + name + "=/x/\"q\"";
        String message = firewall().check(line).refusal().orElseThrow();
        assertTrue(message.contains("crate 'evil'"), message);
        assertTrue(message.contains("[permissions.build.evil]"), message);
        assertTrue(message.contains("directives = { allow = [\"rustc-env=" + name.replace("%", "%") + "=/x/\\\"q\\\"\"] }"),
                message);
        // The suggested TOML really allows it.
        String entry = "rustc-env=" + name + "=/x/\"q\"";
        assertTrue(firewall(entry).check(line).allowed());
    }

    /** Safe output reaches Cargo byte for byte however the pipe cuts it into reads. */
    @Property
    void stream_safeOutputPassesByteForByteWhateverTheChunks(@ForAll("safeStream") List<String> lines,
            @ForAll @net.jqwik.api.constraints.IntRange(min = 1, max = 300) int chunk,
            @ForAll boolean finalNewline) throws java.io.IOException {
        String text = String.join("\n", lines) + (finalNewline ? "\n" : "");
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream cargo = new java.io.ByteArrayOutputStream();
        var stream = new dev.cordon.internal.directives.FirewallOutputStream(firewall(), cargo, m -> { });
        for (int i = 0; i < bytes.length; i += chunk) {
            stream.write(bytes, i, Math.min(chunk, bytes.length - i));
        }
        assertEquals(Optional.empty(), stream.end());
        assertEquals(text, cargo.toString(StandardCharsets.UTF_8));
    }

    @Provide
    Arbitrary<List<String>> safeStream() {
        Arbitrary<String> directive = Combinators.combine(prefix(), safeDirective()).as((p, d) -> p + d);
        Arbitrary<String> plain = Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(80)
                .filter(t -> !t.strip().startsWith("cargo:"));
        return Arbitraries.oneOf(directive, plain, Arbitraries.of("", "\r", "ünïcødé ✓", "cargo:root=/x"))
                .list().ofMaxSize(30);
    }

    private static void assertRefused(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        assertFalse(firewall().check(bytes, 0, bytes.length).allowed(), "should be refused: " + line);
    }

    private static void assertAllowed(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        var v = firewall().check(bytes, 0, bytes.length);
        assertEquals(Optional.empty(), v.refusal(), "should pass: " + line);
    }
}
