package dev.cordon.internal.directives;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The decision for one parsed directive, as a pure function: empty when Cargo may act on it, else why
 * not. Keys that only steer Cargo itself ({@code rustc-cfg}, {@code rustc-check-cfg}, {@code warning},
 * {@code error}, {@code rerun-if-*}, {@code metadata}) always pass; so do keys Cargo rejects itself.
 */
final class DirectiveRules {
    /** {@code -l} kinds rustc knows; {@code link-arg} is refused (it is a linker argument in disguise). */
    private static final List<String> LINK_KINDS = List.of("static", "dylib", "framework");
    private static final Pattern LIB_NAME = Pattern.compile("[A-Za-z0-9_.+-]+");
    private static final List<String> SEARCH_KINDS = List.of("dependency", "crate", "native", "framework", "all");

    private DirectiveRules() {
    }

    static Optional<String> refusal(Directive d, SearchRoots roots) {
        return switch (d.key()) {
            case "rustc-env" -> env(d.value());
            case "rustc-link-arg", "rustc-link-arg-bins", "rustc-link-arg-tests", "rustc-link-arg-examples",
                    "rustc-link-arg-benches", "rustc-link-arg-cdylib", "rustc-cdylib-link-arg" ->
                LinkerArguments.refusal(d.value(), roots);
            case "rustc-link-arg-bin" -> {
                int eq = d.value().indexOf('=');
                yield eq < 0 ? Optional.empty() : LinkerArguments.refusal(d.value().substring(eq + 1), roots);
            }
            case "rustc-link-search" -> search(d.value(), roots);
            case "rustc-link-lib" -> library(d.value());
            case "rustc-flags" -> flags(d.value(), roots);
            default -> Optional.empty();
        };
    }

    private static Optional<String> env(String value) {
        int eq = value.indexOf('=');
        return eq < 0 ? Optional.empty() : EnvironmentNames.refusal(value.substring(0, eq));
    }

    /** {@code [KIND=]PATH}: rustc takes a known kind before '=', else the whole value is the path. */
    static Optional<String> search(String value, SearchRoots roots) {
        String path = value;
        int eq = value.indexOf('=');
        if (eq > 0 && SEARCH_KINDS.contains(value.substring(0, eq))) {
            path = value.substring(eq + 1);
        }
        return roots.refusal(path).map(reason -> "the search path names " + reason);
    }

    /** {@code [KIND[:MODIFIERS]=]NAME[:RENAME]}. */
    static Optional<String> library(String value) {
        String name = value;
        int eq = value.indexOf('=');
        if (eq >= 0) {
            String kind = value.substring(0, eq);
            int colon = kind.indexOf(':');
            String bare = colon < 0 ? kind : kind.substring(0, colon);
            if (bare.equals("link-arg")) {
                return Optional.of("the library kind link-arg passes a raw linker argument");
            }
            if (!LINK_KINDS.contains(bare)) {
                return Optional.of("\"" + bare + "\" is not a library kind (static, dylib or framework)");
            }
            name = value.substring(eq + 1);
        }
        int colon = name.indexOf(':');
        String lib = colon < 0 ? name : name.substring(0, colon);
        if (!LIB_NAME.matcher(lib).matches() || lib.startsWith("-")) {
            return Optional.of("\"" + lib + "\" is not a library name (letters, digits, '_', '.', '+' and '-'; no"
                    + " path): with +verbatim a path would make the linker read any file");
        }
        return Optional.empty();
    }

    /** Cargo accepts only {@code -l} and {@code -L} here; anything else is refused before Cargo sees it. */
    static Optional<String> flags(String value, SearchRoots roots) {
        List<String> words = RustText.words(value);
        for (int i = 0; i < words.size(); i++) {
            String flag = words.get(i);
            if (!flag.startsWith("-l") && !flag.startsWith("-L")) {
                return Optional.of("rustc-flags may only hold -l and -L, not \"" + flag + "\" (e.g. -C linker= would"
                        + " run another linker)");
            }
            String arg = flag.substring(2);
            if (arg.isEmpty()) {
                if (i + 1 >= words.size()) {
                    return Optional.empty();
                }
                arg = words.get(++i);
            }
            Optional<String> refused = flag.startsWith("-l") ? library(arg) : search(arg, roots);
            if (refused.isPresent()) {
                return refused;
            }
        }
        return Optional.empty();
    }
}
