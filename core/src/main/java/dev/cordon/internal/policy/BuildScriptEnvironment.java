package dev.cordon.internal.policy;

import dev.cordon.Secrets;
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
     * Tells whether a variable is one Cargo defines for build scripts. These always pass: a policy that
     * drops one breaks the build script contract, and names like {@code CARGO_FEATURE_TOKEN} are not
     * secrets.
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
     * Tells whether a variable passes by default.
     *
     * @param name the variable
     * @return true when a build script gets it without the policy asking
     */
    public static boolean passesByDefault(String name) {
        if (isCargoVariable(name)) {
            return true;
        }
        if (name.equals("RUSTC_BOOTSTRAP") || Secrets.looksSecret(name)) {
            return false;
        }
        if (TOOLCHAIN_EXACT.contains(name)) {
            return true;
        }
        for (String prefix : TOOLCHAIN_PREFIXES) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
