package dev.cordon;

import dev.cordon.internal.policy.Policies;
import dev.cordon.internal.text.PolicyTables;
import java.nio.file.Path;
import java.util.List;

/**
 * Decides what each build script may do.
 *
 * <p>A policy maps one {@link RunnerInvocation} to one {@link Grant}. {@link #decide} must be pure:
 * the same invocation always gets the same grant, and nothing outside the invocation is consulted, so
 * a decision can be explained and tested without running anything.
 *
 * <p>Policies come from TOML files ({@link #load}), from code (implement this interface), or from jars
 * on the class path ({@link dev.cordon.spi.PolicyProvider}). {@link #defaults()} is what a runner uses
 * when it is given none: no network, secrets hidden, only {@code OUT_DIR} and a private temporary
 * directory writable, a filtered environment.
 *
 * @since 0.1
 */
public interface Policy {

    /** {@return where this policy came from, for messages: a file path or a short name; never null} */
    String name();

    /**
     * Decides the grant for one invocation.
     *
     * @param invocation what Cargo asked to run
     * @return the grant; never null
     */
    Grant decide(RunnerInvocation invocation);

    /**
     * {@return remarks about the policy as a whole, e.g. tables that were validated but a host runner
     * cannot enforce ({@code [permissions.macro.*]}, {@code [permissions.run]}); never null}
     */
    default List<String> notices() {
        return List.of();
    }

    /**
     * {@return Cordon's secure defaults: the policy used when no policy file is given; never null}
     */
    static Policy defaults() {
        return Policies.defaults();
    }

    /**
     * Reads and validates a TOML policy file. A compiled form is cached by content hash, so that an
     * unchanged file costs neither a TOML parse nor a validation on later runs. A file named
     * {@code Cargo.toml} is a Cargo manifest: its policy is its {@code [workspace.metadata.cordon]} or
     * {@code [package.metadata.cordon]} table, and a manifest with neither is not found.
     *
     * @param file the policy file
     * @return the policy; never null
     * @throws PolicyException when the file is missing ({@link ExitCodes#POLICY_NOT_FOUND}) or invalid
     *     ({@link ExitCodes#INVALID_POLICY}); every problem found is listed
     */
    static Policy load(Path file) {
        return Policies.load(file, System.getenv());
    }

    /**
     * Parses and validates TOML text, without any cache.
     *
     * @param toml the policy text
     * @param origin the file it stands for: relative paths in it resolve against its folder, and
     *     messages name it; text of a {@code Cargo.toml} is read as a manifest (see {@link #load})
     * @return the policy; never null
     * @throws PolicyException when the text is invalid
     */
    static Policy parse(String toml, Path origin) {
        return Policies.parse(toml, origin);
    }

    /**
     * The header of a crate's table in a TOML policy, for messages that tell users which lines to add (e.g. a
     * backend's {@link dev.cordon.spi.SandboxBackend#explainFailure}): {@code [permissions.build.sqlx]},
     * {@code [permissions.run.app]}, {@code [permissions.macro.serde_derive]}. A crate named like a key of the
     * section ({@code env}, {@code timeout}, {@code source}...) gets the long form,
     * {@code [permissions.build.crates.env]}: the short one would be that key of every crate's defaults. For a
     * policy kept in a Cargo manifest, the runner puts {@code workspace.metadata.cordon.} in front of the headers
     * in the messages it prints.
     *
     * @param kind which section: {@code RUN} is {@code [permissions.run]}, {@code MACRO} is
     *     {@code [permissions.macro]}, the others {@code [permissions.build]}
     * @param crate the package the table is for (for {@code MACRO}, the proc macro's package)
     * @return the header, without a line break; never null
     * @since 0.2
     */
    static String tableHeader(RunnerInvocation.Kind kind, String crate) {
        return PolicyTables.header(PolicyTables.section(kind), crate);
    }
}
