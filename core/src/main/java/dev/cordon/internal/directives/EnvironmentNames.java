package dev.cordon.internal.directives;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which {@code rustc-env} variables a build script may set. Cargo sets them on every rustc (and rustdoc)
 * process that compiles the crate, outside the sandbox; rustc's dynamic loader, the linker driver and
 * linker rustc starts, and the programs those or the crate's proc macros start all inherit them. Refused:
 * names that are not plain identifiers, and the families below, matched without regard to case. The list
 * is documented in {@code docs/policy-reference.md} ("Build-script directives").
 */
final class EnvironmentNames {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /**
     * A family of names and why it is refused.
     *
     * @param names exact names, or prefixes when they end in '*'
     * @param reason why
     */
    record Family(List<String> names, String reason) {
        Optional<String> match(String upper) {
            for (String n : names) {
                if (n.endsWith("*") ? upper.startsWith(n.substring(0, n.length() - 1)) : upper.equals(n)) {
                    return Optional.of(reason);
                }
            }
            return Optional.empty();
        }
    }

    static final List<Family> FAMILIES = List.of(
            new Family(List.of("LD_*", "DYLD_*", "GLIBC_TUNABLES", "MALLOC_*", "MALLOC_CONF", "_RJEM_*", "GCONV_PATH",
                    "LOCPATH", "NLSPATH", "GMON_OUT_PREFIX", "HOSTALIASES", "RESOLV_HOST_CONF", "RES_OPTIONS",
                    "LOCALDOMAIN", "TZDIR", "ASAN_*", "UBSAN_*", "TSAN_*", "LSAN_*", "MSAN_*"),
                    "the dynamic loader and the C library of rustc and the linker read it: it can load the script's"
                            + " code into them or change how they run"),
            new Family(List.of("PATH", "MAKEFLAGS", "MFLAGS", "MAKE*", "SHELL", "HOME", "XDG_*", "TMPDIR", "TMP",
                    "TEMP", "TEMPDIR"),
                    "rustc and the tools it starts use it to find programs, job slots or where to read and write"),
            new Family(List.of("RUST*", "CARGO*"),
                    "it configures the Rust toolchain itself (rustc, rustup's proxies, Cargo's jobserver, a"
                            + " wrapper), or a proc macro that runs $CARGO"),
            new Family(List.of("CORDON*"),
                    "it configures Cordon itself: the rustc wrapper chains to $CORDON_RUSTC_WRAPPER and its"
                            + " launchers start $CORDON_RUNNER, outside the sandbox"),
            new Family(List.of("CC", "CXX", "CPP", "AR", "AS", "LD", "NM", "RANLIB", "STRIP", "OBJCOPY", "OBJDUMP",
                    "CFLAGS", "CXXFLAGS", "CPPFLAGS", "LDFLAGS", "CC_*", "CCC_*", "CLANG_*", "GCC_*", "COLLECT_*",
                    "COMPILER_PATH", "LIBRARY_PATH", "CPATH", "C_INCLUDE_PATH", "CPLUS_INCLUDE_PATH",
                    "OBJC_INCLUDE_PATH", "DEPENDENCIES_OUTPUT", "SUNPRO_DEPENDENCIES", "LLVM_*", "PKG_CONFIG*",
                    "NIX_*", "SDKROOT", "DEVELOPER_DIR", "TOOLCHAINS", "XCRUN_*", "CCACHE_*", "SCCACHE_*",
                    "DISTCC_*", "ICECC_*"),
                    "the linker driver (cc, gcc, clang), the linker or a compiler cache that rustc starts reads it"
                            + " to choose programs, plugins, options or output files"),
            new Family(List.of("BASH_ENV", "ENV", "BASHOPTS", "SHELLOPTS", "PS4", "IFS", "CDPATH", "PYTHON*",
                    "PERL*", "RUBY*", "NODE_OPTIONS", "NODE_PATH", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS",
                    "JDK_JAVA_OPTIONS", "GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_INDEX_FILE",
                    "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CONFIG*", "GIT_EXEC_PATH",
                    "GIT_SSH*", "GIT_ASKPASS", "GIT_EDITOR", "GIT_SEQUENCE_EDITOR", "GIT_PAGER", "GIT_EXTERNAL_DIFF",
                    "GIT_PROXY_COMMAND", "GIT_TEMPLATE_DIR", "GIT_TRACE*", "GIT_CEILING_DIRECTORIES", "GIT_NAMESPACE",
                    "GIT_DISCOVERY_ACROSS_FILESYSTEM", "GIT_ATTR_*"),
                    "a shell, interpreter or git started by a linker wrapper or a proc macro runs code named by it"));

    private EnvironmentNames() {
    }

    /**
     * {@return why a build script may not set this variable for rustc, or empty when it may}
     *
     * @param name the variable's name as printed
     */
    static Optional<String> refusal(String name) {
        if (!PLAIN.matcher(name).matches()) {
            return Optional.of("\"" + name + "\" is not a plain variable name (letters, digits and '_'); shells"
                    + " import names such as BASH_FUNC_cc%% as functions");
        }
        String upper = name.toUpperCase(Locale.ROOT);
        for (Family f : FAMILIES) {
            Optional<String> reason = f.match(upper);
            if (reason.isPresent()) {
                return Optional.of(name + ": " + reason.get());
            }
        }
        return Optional.empty();
    }
}
