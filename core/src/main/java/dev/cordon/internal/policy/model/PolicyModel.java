package dev.cordon.internal.policy.model;

import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A validated policy file: what the TOML said, with relative paths made absolute. This is what the
 * compiled-policy cache stores; evaluating it needs nothing from the TOML or validation libraries.
 *
 * @param backend {@code [sandbox] backend}: {@code auto}, {@code none} or a backend id; never null
 * @param layers {@code [sandbox] layers}; never null
 * @param build {@code [permissions.build]}; an absent table is an empty section; never null
 * @param macro {@code [permissions.macro]} when present (validated, not enforceable)
 * @param run {@code [permissions.run]} when present (binaries, tests and benches run through Cargo's
 *     {@code [target] runner})
 */
public record PolicyModel(String backend, List<String> layers, Section build, Optional<Section> macro,
        Optional<Section> run) {

    /** The model of a policy with no tables: exactly the built-in defaults. */
    public static final PolicyModel EMPTY = new PolicyModel("auto", List.of(), Section.EMPTY, Optional.empty(),
            Optional.empty());

    /** The layer name that makes a syscall filter required. */
    public static final String SECCOMP_LAYER = "seccomp";

    /** Checks and copies the components. */
    public PolicyModel {
        Objects.requireNonNull(backend, "backend");
        layers = List.copyOf(layers);
        Objects.requireNonNull(build, "build");
        Objects.requireNonNull(macro, "macro");
        Objects.requireNonNull(run, "run");
    }

    /**
     * The defaults of one kind of host program and the crates' own tables.
     *
     * @param defaults the section's own keys, applied to every crate
     * @param crates the crate tables by name as written, sorted
     */
    public record Section(Rules defaults, Map<String, Rules> crates) {
        /** A section with no keys and no crates. */
        public static final Section EMPTY = new Section(Rules.EMPTY, Map.of());

        /** Copies the components. */
        public Section {
            Objects.requireNonNull(defaults, "defaults");
            crates = Collections.unmodifiableMap(new TreeMap<>(crates));
        }

        /**
         * Finds a crate's table: names match after {@link #normalise}, so {@code foo_bar} and
         * {@code foo-bar} are the same crate (a policy may not have both).
         *
         * @param crateName the package name
         * @return the table, or empty when the crate has none
         */
        public Optional<Rules> crate(String crateName) {
            Rules exact = crates.get(crateName);
            if (exact != null) {
                return Optional.of(exact);
            }
            String wanted = normalise(crateName);
            for (Map.Entry<String, Rules> e : crates.entrySet()) {
                if (normalise(e.getKey()).equals(wanted)) {
                    return Optional.of(e.getValue());
                }
            }
            return Optional.empty();
        }
    }

    /**
     * {@return a crate name as matched: lower case, {@code -} read as {@code _}}
     *
     * @param crateName a package name
     */
    public static String normalise(String crateName) {
        return crateName.replace('-', '_').toLowerCase(Locale.ROOT);
    }
}
