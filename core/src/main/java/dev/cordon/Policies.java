package dev.cordon;

import dev.cordon.internal.policy.PolicyLoader;
import dev.cordon.internal.text.PolicyTables;
import java.nio.file.Path;

/**
 * Where {@link Policy} instances come from: Cordon's defaults, a TOML policy file, or TOML text.
 *
 * <p>The factories live here, not on {@link Policy}, so that the interface depends on nothing of Cordon's
 * implementation (its policies implement it).
 *
 * @since 0.1
 */
public final class Policies {
    private Policies() {
    }

    /**
     * {@return Cordon's secure defaults: the policy used when no policy file is given; never null}
     */
    public static Policy defaults() {
        return PolicyLoader.defaults();
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
    public static Policy load(Path file) {
        return PolicyLoader.load(file, System.getenv());
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
    public static Policy parse(String toml, Path origin) {
        return PolicyLoader.parse(toml, origin);
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
    public static String tableHeader(RunnerInvocation.Kind kind, String crate) {
        return PolicyTables.header(PolicyTables.section(kind), crate);
    }
}
