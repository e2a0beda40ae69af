package dev.cordon.sandbox.seccomp.internal;

import java.util.Locale;
import java.util.Optional;

/** The architectures filters are compiled for, with what the kernel reports for each. */
public enum Architecture {
    /** 64-bit x86; the x32 ABI shares the audit value and is told apart by a bit of the number. */
    X86_64("x86_64", 0xC000_003E, 0x4000_0000),
    /** 64-bit Arm, little-endian. */
    AARCH64("aarch64", 0xC000_00B7, 0);

    private final String id;
    private final int auditArch;
    private final int abiBit;

    Architecture(String id, int auditArch, int abiBit) {
        this.id = id;
        this.auditArch = auditArch;
        this.abiBit = abiBit;
    }

    /** {@return the name used in descriptions and resource names, e.g. {@code x86_64}} */
    public String id() {
        return id;
    }

    /** {@return the {@code AUDIT_ARCH_*} value in {@code seccomp_data.arch}} */
    public int auditArch() {
        return auditArch;
    }

    /**
     * {@return the bit that marks syscall numbers of a second ABI sharing this audit value (x86_64's
     * {@code __X32_SYSCALL_BIT}), or 0 when there is none}
     */
    public int foreignAbiBit() {
        return abiBit;
    }

    /** {@return the syscall table of this architecture} */
    public SyscallTable syscalls() {
        return SyscallTable.of(this);
    }

    /**
     * {@return the architecture for a value of the {@code os.arch} system property, if supported}
     *
     * @param osArch e.g. {@code amd64} or {@code aarch64}
     */
    public static Optional<Architecture> fromOsArch(String osArch) {
        return switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> Optional.of(X86_64);
            case "aarch64", "arm64" -> Optional.of(AARCH64);
            default -> Optional.empty();
        };
    }
}
