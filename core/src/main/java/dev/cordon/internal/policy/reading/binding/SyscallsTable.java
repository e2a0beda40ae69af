package dev.cordon.internal.policy.reading.binding;

import dev.cordon.internal.policy.reading.constraints.Messages;
import jakarta.validation.constraints.Pattern;
import java.util.ArrayList;
import java.util.List;

/** {@code syscalls = { profile = ..., deny = [...], allow = [...] }}. */
public final class SyscallsTable {
    private static final String NAME = "[a-z0-9_]{1,64}";
    private static final String NOT_A_NAME = "is not a syscall name" + Messages.FIX
            + "write the name as in the kernel's syscall table, e.g. \"keyctl\"";

    /** {@code profile}, or null. */
    @Pattern(regexp = "[a-z0-9][a-z0-9-]*", message = "is not a syscall profile id" + Messages.FIX
            + "write \"default\", \"off\" or a profile id of lower-case letters, digits and '-'")
    public String profile;

    /** {@code deny}. */
    public List<@Pattern(regexp = NAME, message = NOT_A_NAME) String> deny = new ArrayList<>();

    /** {@code allow}. */
    public List<@Pattern(regexp = NAME, message = NOT_A_NAME) String> allow = new ArrayList<>();

    /** Created by Jackson. */
    public SyscallsTable() {
    }
}
