package dev.cordon.sandbox.seccomp.internal;

/**
 * A jump target in a {@link ProgramBuilder} program, bound to the instruction emitted after
 * {@link ProgramBuilder#bind(Label)}. Identity matters: labels follow their instruction when the builder
 * inserts trampolines.
 */
public final class Label {
    private final String name;
    Object target;

    Label(String name) {
        this.name = name;
    }

    @Override
    public String toString() {
        return name;
    }
}
