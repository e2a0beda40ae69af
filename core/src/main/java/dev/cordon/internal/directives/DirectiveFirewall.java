package dev.cordon.internal.directives;

import dev.cordon.Grant;
import dev.cordon.RunnerInvocation;
import dev.cordon.internal.text.PolicyTables;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Polices a build script's stdout, line by line, before Cargo acts on it outside the sandbox (issue 12,
 * item 1). Lines Cargo ignores and safe directives pass byte for byte; a directive that would make rustc,
 * the linker or the tools they start run the script's code, write or read files elsewhere, or change how
 * they run is refused unless the crate's policy allows it by name ({@code directives.allow}).
 *
 * <p>Cargo acts on the output only after the script exited with status 0, so a supervisor that refuses a
 * line must make the run fail (stop the script, exit non-zero): then Cargo ignores every line. Not
 * thread-safe: one firewall per run, fed from the one thread that reads stdout.
 */
public final class DirectiveFirewall {
    /**
     * Lines longer than this are not buffered: one that may be a directive is refused, any other passes.
     * Cargo itself has no limit.
     */
    public static final int MAX_LINE = 1 << 20;

    private final String crate;
    private final SearchRoots roots;
    private final List<String> allow;
    private final List<Path> outputRoots;
    private final List<Path> namedPaths = new ArrayList<>();

    private DirectiveFirewall(String crate, SearchRoots roots, List<String> allow, List<Path> outputRoots) {
        this.crate = Objects.requireNonNull(crate, "crate");
        this.roots = Objects.requireNonNull(roots, "roots");
        this.allow = List.copyOf(allow);
        this.outputRoots = List.copyOf(outputRoots);
    }

    /**
     * The firewall for one build-script run.
     *
     * @param grant the run's grant: the crate name and {@code directives.allow}
     * @param invocation the run: {@code OUT_DIR}, the target dir, the package directory
     * @return a fresh firewall; never null
     */
    public static DirectiveFirewall forRun(Grant grant, RunnerInvocation invocation) {
        List<Path> written = new ArrayList<>();
        invocation.outDir().ifPresent(p -> written.add(p.toAbsolutePath().normalize()));
        invocation.targetDir().ifPresent(p -> written.add(p.toAbsolutePath().normalize()));
        return new DirectiveFirewall(grant.crateName(), SearchRoots.of(invocation.outDir(), invocation.targetDir(),
                invocation.manifestDir()), grant.allowedDirectives(), written);
    }

    /**
     * A firewall with explicit parts (tests, tools).
     *
     * @param crate the crate name, for messages
     * @param roots where paths may point
     * @param allow the {@code directives.allow} entries
     * @return a fresh firewall
     */
    public static DirectiveFirewall of(String crate, SearchRoots roots, List<String> allow) {
        return new DirectiveFirewall(crate, roots, allow, List.of());
    }

    /**
     * Checks one complete line of stdout.
     *
     * @param line the buffer
     * @param off where the line starts
     * @param len its length, without the {@code \n} (a final line without one is passed the same way)
     * @return the verdict; never null
     */
    public Verdict check(byte[] line, int off, int len) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(line, off, len)).toString();
        } catch (CharacterCodingException e) {
            // Cargo skips lines that are not UTF-8. Refuse the ones that look like a directive anyway, in case
            // Java's and Rust's decoders ever disagree about a byte sequence.
            String lenient = new String(line, off, len, StandardCharsets.UTF_8);
            return mayBeDirective(lenient) ? refuse(quote(RustText.trim(lenient)), "the line is not valid UTF-8"
                    + " (Cargo would skip it; Cordon does not guess)", Optional.empty()) : Verdict.allow();
        }
        return check(text);
    }

    /**
     * Checks the start of a line longer than {@link #MAX_LINE}; the caller passes the rest of the line
     * unchecked when this allows it.
     *
     * @param start the buffer
     * @param off where the line starts
     * @param len how much of it was read (at least {@link #MAX_LINE} bytes)
     * @return the verdict; never null
     */
    public Verdict checkLongLine(byte[] start, int off, int len) {
        String lenient = new String(start, off, len, StandardCharsets.UTF_8);
        String head = stripStart(lenient);
        if (head.isEmpty() || mayBeDirective(lenient)) {
            return refuse(quote(RustText.trim(lenient).substring(0, Math.min(80, RustText.trim(lenient).length()))
                    + "..."), "the directive is longer than " + MAX_LINE + " bytes", Optional.empty());
        }
        return Verdict.allow();
    }

    /**
     * Checks one line of stdout, decoded.
     *
     * @param text the line without its newline
     * @return the verdict; never null
     */
    public Verdict check(String text) {
        Optional<Directive> parsed = Directive.parse(text);
        if (parsed.isEmpty()) {
            return Verdict.allow();
        }
        Directive d = parsed.get();
        if (DirectiveAllowList.allows(allow, d)) {
            return Verdict.allow();
        }
        Optional<String> reason = DirectiveRules.refusal(d, roots);
        if (reason.isPresent()) {
            return refuse(quote(d.line()), reason.get(), Optional.of(d.policyForm()));
        }
        rememberPaths(d);
        return Verdict.allow();
    }

    /**
     * Checks, once the script and its processes have ended, that the paths its accepted directives named
     * inside the build's output still lead there: a symbolic link the script created would otherwise
     * point the linker anywhere.
     *
     * @return the verdict; never null
     */
    public Verdict finish() {
        for (Path named : namedPaths) {
            if (!Files.exists(named)) {
                continue;
            }
            Optional<String> shadow = shadowingLibrary(named);
            if (shadow.isPresent()) {
                return refuse("\"" + named + "\"", "it holds " + shadow.get() + ", a library rustdoc and the toolchain"
                        + " load: Cargo puts native search paths inside the target dir on the LD_LIBRARY_PATH of"
                        + " rustdoc (cargo test --doc) and of test binaries, so the toolchain would load the script's"
                        + " copy", Optional.empty());
            }
            try {
                Path real = named.toRealPath();
                boolean inside = false;
                for (Path root : roots.roots()) {
                    Path realRoot = Files.exists(root) ? root.toRealPath() : root;
                    inside |= real.startsWith(realRoot);
                }
                if (!inside) {
                    return refuse("\"" + named + "\"", "a path a directive named leads through a symbolic link to "
                            + real + ", outside OUT_DIR, the target dir, the package and the system library"
                            + " directories", Optional.empty());
                }
            } catch (IOException e) {
                return refuse("\"" + named + "\"", "the path a directive named cannot be resolved: " + e.getMessage(),
                        Optional.empty());
            }
        }
        return Verdict.allow();
    }

    /**
     * Names of the shared libraries rustc, rustdoc and LLVM need (and the dynamic loader itself): a copy in a
     * search path would be loaded instead of the system's.
     */
    private static final java.util.regex.Pattern SHADOWS = java.util.regex.Pattern.compile(
            "(ld-linux.*|ld64\\.so.*|lib(c|m|dl|rt|pthread|util|gcc_s|z|zstd|stdc\\+\\+|c\\+\\+|ffi|tinfo|xml2)"
                    + "\\.so(\\..*)?|lib(LLVM|rustc_driver|std)-?.*\\.(so|dylib)(\\..*)?|libz(\\..*)?\\.dylib)");

    private static Optional<String> shadowingLibrary(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> SHADOWS.matcher(n).matches()).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private void rememberPaths(Directive d) {
        if (!d.key().startsWith("rustc-link-") && !d.key().equals("rustc-flags")
                && !d.key().equals("rustc-cdylib-link-arg")) {
            return; // only paths the linker and rustc will use
        }
        for (String word : RustText.words(d.value().replace(',', ' ').replace('=', ' '))) {
            String candidate = word.startsWith("-L") || word.startsWith("-T") ? word.substring(2) : word;
            if (candidate.startsWith("/")) {
                Path p = Path.of(candidate).normalize();
                if (outputRoots.stream().anyMatch(p::startsWith)) {
                    namedPaths.add(p);
                }
            }
        }
    }

    private static boolean mayBeDirective(String lenient) {
        return stripStart(lenient).startsWith("cargo:");
    }

    private static String stripStart(String s) {
        int i = 0;
        while (i < s.length()) {
            int c = s.codePointAt(i);
            if (!RustText.isWhitespace(c) && c != 0xFFFD) {
                break;
            }
            i += Character.charCount(c);
        }
        return s.substring(i);
    }

    private Verdict refuse(String quoted, String reason, Optional<String> policyForm) {
        StringBuilder m = new StringBuilder("cordon: refused the build-script directive ").append(quoted)
                .append(" of crate '").append(crate).append("': ").append(reason)
                .append(". Cargo would act on it outside the sandbox, so the build stops here.");
        if (policyForm.isPresent()) {
            m.append(" If the crate needs it, allow exactly this directive in the policy:\n")
                    .append(PolicyTables.header(PolicyTables.BUILD, crate)).append('\n')
                    .append("directives = { allow = [").append(tomlString(policyForm.get())).append("] }");
        }
        return Verdict.refuse(m.toString());
    }

    /** A TOML basic string. */
    static String tomlString(String s) {
        StringBuilder out = new StringBuilder("\"");
        s.codePoints().forEach(c -> {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7F) {
                        out.append(String.format("\\u%04X", c));
                    } else {
                        out.appendCodePoint(c);
                    }
                }
            }
        });
        return out.append('"').toString();
    }

    private static String quote(String line) {
        return tomlString(line);
    }
}
