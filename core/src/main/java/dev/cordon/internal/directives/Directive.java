package dev.cordon.internal.directives;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One line of a build script's stdout as Cargo 1.95 reads it ({@code BuildOutput::parse} in Cargo's
 * {@code custom_build.rs}): the line is trimmed of Unicode white space at both ends; {@code cargo::KEY=VALUE}
 * is the new syntax, {@code cargo:KEY=VALUE} the old one, in which a key Cargo does not reserve is metadata
 * ({@code DEP_<links>_<KEY>} for dependents' build scripts). Anything else, and any line that is not
 * UTF-8, Cargo ignores.
 *
 * @param line the line as Cargo sees it (trimmed); never null
 * @param newSyntax whether it used {@code cargo::}
 * @param key the instruction, e.g. {@code rustc-env}; {@code metadata} for old-syntax metadata; never null
 * @param value what follows {@code KEY=}, with trailing white space trimmed as Cargo does; never null
 */
public record Directive(String line, boolean newSyntax, String key, String value) {

    /** The keys Cargo reserves in the old syntax: any other {@code cargo:KEY=} line is metadata. */
    static final List<String> RESERVED = List.of("rustc-flags", "rustc-link-lib", "rustc-link-search",
            "rustc-link-arg-cdylib", "rustc-cdylib-link-arg", "rustc-link-arg-bins", "rustc-link-arg-bin",
            "rustc-link-arg-tests", "rustc-link-arg-benches", "rustc-link-arg-examples", "rustc-link-arg", "rustc-cfg",
            "rustc-check-cfg", "rustc-env", "warning", "rerun-if-changed", "rerun-if-env-changed");

    /** Every key Cargo acts on in the new syntax. */
    public static final List<String> KEYS = List.of("rustc-flags", "rustc-link-lib", "rustc-link-search",
            "rustc-link-arg-cdylib", "rustc-cdylib-link-arg", "rustc-link-arg-bins", "rustc-link-arg-bin",
            "rustc-link-arg-tests", "rustc-link-arg-benches", "rustc-link-arg-examples", "rustc-link-arg", "rustc-cfg",
            "rustc-check-cfg", "rustc-env", "warning", "error", "rerun-if-changed", "rerun-if-env-changed", "metadata");

    /** Checks the components. */
    public Directive {
        Objects.requireNonNull(line, "line");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }

    /**
     * Parses one line exactly as Cargo does.
     *
     * @param text one line without its {@code \n}, decoded from UTF-8
     * @return the directive, or empty when Cargo would ignore the line or reject it as malformed (a
     *     malformed directive fails the build in Cargo itself, so it needs no policing)
     */
    public static Optional<Directive> parse(String text) {
        String line = RustText.trim(text);
        boolean newSyntax;
        String data;
        if (line.startsWith("cargo::")) {
            newSyntax = true;
            data = line.substring("cargo::".length());
        } else if (line.startsWith("cargo:")) {
            newSyntax = false;
            data = line.substring("cargo:".length());
            if (!hasReservedPrefix(data)) {
                return Optional.of(new Directive(line, false, "metadata", RustText.trimEnd(data)));
            }
        } else {
            return Optional.empty();
        }
        int eq = data.indexOf('=');
        if (eq < 0) {
            return Optional.empty();
        }
        return Optional.of(new Directive(line, newSyntax, data.substring(0, eq), RustText.trimEnd(data.substring(eq + 1))));
    }

    private static boolean hasReservedPrefix(String data) {
        for (String key : RESERVED) {
            if (data.startsWith(key + "=")) {
                return true;
            }
        }
        return false;
    }

    /** {@return the directive as a policy names it: {@code KEY=VALUE}, without the {@code cargo:} prefix} */
    public String policyForm() {
        return key + "=" + value;
    }
}
