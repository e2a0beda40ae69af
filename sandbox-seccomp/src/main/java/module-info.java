/**
 * Cordon's seccomp support: compiles syscall filters into classic-BPF programs in pure Java.
 *
 * @provides dev.cordon.spi.SyscallFilterCompiler
 */
module dev.cordon.sandbox.seccomp {
    requires transitive dev.cordon.core;

    exports dev.cordon.sandbox.seccomp;

    provides dev.cordon.spi.SyscallFilterCompiler with dev.cordon.sandbox.seccomp.SeccompFilterCompiler;
}
