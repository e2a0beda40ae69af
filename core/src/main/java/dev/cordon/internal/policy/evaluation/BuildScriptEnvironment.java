package dev.cordon.internal.policy.evaluation;

import dev.cordon.Secrets;
import dev.cordon.internal.policy.model.EnvGlobs;
import java.util.List;
import java.util.Set;

/**
 * Which of the runner's environment variables a build script gets by default: Cargo's build-script
 * variables, {@code PATH} and the usual toolchain variables; never secrets, never
 * {@code RUSTC_BOOTSTRAP}.
 */
public final class BuildScriptEnvironment {

    /** Variables Cargo sets for build scripts, by exact name. */
    private static final Set<String> CARGO_EXACT = Set.of("OUT_DIR", "TARGET", "HOST", "NUM_JOBS",
            "OPT_LEVEL", "DEBUG", "PROFILE", "RUSTC", "RUSTDOC", "RUSTC_LINKER", "RUSTC_WRAPPER",
            "RUSTC_WORKSPACE_WRAPPER", "RUSTDOCFLAGS", "CARGO", "CARGO_ENCODED_RUSTFLAGS", "CARGO_MAKEFLAGS",
            "CARGO_MANIFEST_DIR", "CARGO_MANIFEST_PATH", "CARGO_MANIFEST_LINKS", "CARGO_PRIMARY_PACKAGE",
            "CARGO_TARGET_TMPDIR", "CARGO_CRATE_NAME", "CARGO_BIN_NAME", "RUSTUP_HOME", "RUSTUP_TOOLCHAIN",
            "CARGO_HOME", "SOURCE_DATE_EPOCH");

    /** Prefixes of variables Cargo sets for build scripts. */
    private static final List<String> CARGO_PREFIXES = List.of("CARGO_PKG_", "CARGO_CFG_", "CARGO_FEATURE_",
            "DEP_");

    /** Toolchain variables build scripts commonly read (cc, pkg-config, cmake, bindgen, locale). */
    private static final Set<String> TOOLCHAIN_EXACT = Set.of("PATH", "HOME", "USER", "LOGNAME", "SHELL",
            "TERM", "LANG", "LANGUAGE", "TZ", "CC", "CXX", "AR", "AS", "LD", "NM", "RANLIB", "STRIP", "CPP",
            "CFLAGS", "CXXFLAGS", "CPPFLAGS", "LDFLAGS", "ARFLAGS", "MAKEFLAGS", "MFLAGS", "MAKELEVEL",
            "PKG_CONFIG", "PKG_CONFIG_PATH", "PKG_CONFIG_LIBDIR", "PKG_CONFIG_SYSROOT_DIR",
            "PKG_CONFIG_ALLOW_CROSS", "CMAKE", "CMAKE_GENERATOR", "CMAKE_TOOLCHAIN_FILE", "LIBCLANG_PATH",
            "CLANG_PATH", "BINDGEN_EXTRA_CLANG_ARGS", "LD_LIBRARY_PATH", "LIBRARY_PATH", "C_INCLUDE_PATH",
            "CPLUS_INCLUDE_PATH", "CPATH", "CROSS_COMPILE", "CCACHE_DIR", "SCCACHE_DIR", "RUST_BACKTRACE",
            "RUST_LOG", "CC_ENABLE_DEBUG_OUTPUT", "CRATE_CC_NO_DEFAULTS");

    /** Prefixes of toolchain variables, e.g. {@code CC_x86_64_unknown_linux_gnu}, {@code LC_ALL}. */
    private static final List<String> TOOLCHAIN_PREFIXES = List.of("CC_", "CXX_", "AR_", "CFLAGS_",
            "CXXFLAGS_", "LDFLAGS_", "HOST_", "TARGET_", "PKG_CONFIG_", "LC_", "CMAKE_", "SQLITE3_", "LIBSQLITE3_",
            "ZLIB_", "LIBZ_", "OPENSSL_", "RING_", "BINDGEN_");

    private BuildScriptEnvironment() {
    }

    /**
     * Tells whether a variable is one Cargo defines for build scripts. A policy cannot drop these (that
     * would break the build script contract); they still pass only when they do not look secret (see
     * {@link #passes}).
     *
     * @param name the variable
     * @return true for Cargo's own build-script variables
     */
    public static boolean isCargoVariable(String name) {
        if (CARGO_EXACT.contains(name)) {
            return true;
        }
        for (String prefix : CARGO_PREFIXES) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Tells whether a variable passes by default, without the policy naming it.
     *
     * <p>The secret test comes first, for every name: a secret-looking name never passes by default,
     * whatever prefix it has ({@code DEP_*}, {@code CARGO_CFG_*}, {@code OPENSSL_*}, ...). The one
     * exception are Cargo's feature flags ({@code CARGO_FEATURE_*}), which Cargo always sets to {@code "1"}
     * and so carry no secret even when a feature is called {@code token}.
     *
     * @param name the variable
     * @param value its value
     * @return true when a build script gets it without the policy asking
     */
    public static boolean passesByDefault(String name, String value) {
        if (withheldAsSecret(name, value) || name.equals("RUSTC_BOOTSTRAP")) {
            return false;
        }
        if (isCargoVariable(name) || TOOLCHAIN_EXACT.contains(name)) {
            return true;
        }
        for (String prefix : TOOLCHAIN_PREFIXES) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Tells whether one variable of the runner's environment reaches the build script, given the
     * policy's {@code env.pass} and {@code env.drop} globs (of the defaults and the crate together).
     *
     * <p>In order: a secret-looking name (see {@link #passesByDefault}) or {@code RUSTC_BOOTSTRAP} passes
     * only when {@code env.pass} names it exactly, never by a glob, and not when {@code env.drop} matches
     * it; Cargo's own variables pass; {@code env.drop} beats everything else; then the defaults; then
     * {@code env.pass} globs.
     *
     * @param name the variable
     * @param value its value
     * @param pass the {@code env.pass} globs
     * @param drop the {@code env.drop} globs
     * @return true when it passes
     */
    public static boolean passes(String name, String value, List<String> pass, List<String> drop) {
        if (withheldAsSecret(name, value) || name.equals("RUSTC_BOOTSTRAP")) {
            return pass.contains(name) && !EnvGlobs.matchesAny(drop, name);
        }
        if (isCargoVariable(name)) {
            return true;
        }
        if (EnvGlobs.matchesAny(drop, name)) {
            return false;
        }
        return passesByDefault(name, value) || EnvGlobs.matchesAny(pass, name);
    }

    /** A secret-looking name, except a Cargo feature flag with Cargo's value {@code "1"}. */
    private static boolean withheldAsSecret(String name, String value) {
        return Secrets.looksSecret(name) && !(name.startsWith("CARGO_FEATURE_") && "1".equals(value));
    }
}
