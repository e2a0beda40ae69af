package dev.cordon.sandbox.seccomp.internal;

/**
 * A test of one syscall argument.
 *
 * <p>Arguments arrive as 64-bit values. When the kernel declares the parameter as {@code int} or
 * {@code unsigned int} it ignores the high half, so a filter must too ({@link Width#LOW32}): testing the
 * high half there would only let a caller dodge an equality test by setting junk in it. Parameters the
 * kernel reads as {@code unsigned long} are tested in full ({@link Width#FULL64}).
 *
 * @param argument the argument index, 0..5
 * @param width how much of the argument the kernel uses
 * @param test what to test
 * @param value the value compared with, or the mask of bits
 */
public record ArgCheck(int argument, Width width, Test test, long value) {

    /** How many bits of an argument the kernel reads. */
    public enum Width {
        /** {@code int}, {@code unsigned int}: the low 32 bits. */
        LOW32,
        /** {@code long}, {@code unsigned long}, pointers: all 64 bits. */
        FULL64
    }

    /** The tests a check can make. */
    public enum Test {
        /** The argument equals {@code value}. */
        EQUALS,
        /** The argument has at least one of the bits of {@code value} set. */
        ANY_BIT
    }

    /** Checks the components. */
    public ArgCheck {
        SeccompData.argLow(argument);
        if (width == Width.LOW32 && (value >>> 32) != 0) {
            throw new IllegalArgumentException("a 32-bit check of argument " + argument
                    + " cannot compare with 0x" + Long.toHexString(value));
        }
        if (test == Test.ANY_BIT && value == 0) {
            throw new IllegalArgumentException("an ANY_BIT check needs a non-empty mask");
        }
    }

    /** {@return a 32-bit equality check} */
    public static ArgCheck equals32(int argument, long value) {
        return new ArgCheck(argument, Width.LOW32, Test.EQUALS, value);
    }

    /** {@return a 64-bit check for any of the bits of {@code mask}} */
    public static ArgCheck anyBit64(int argument, long mask) {
        return new ArgCheck(argument, Width.FULL64, Test.ANY_BIT, mask);
    }

    /** {@return a 32-bit check for any of the bits of {@code mask}} */
    public static ArgCheck anyBit32(int argument, long mask) {
        return new ArgCheck(argument, Width.LOW32, Test.ANY_BIT, mask);
    }

    /** {@return whether the check holds for an argument value, as the filter decides it} */
    public boolean matches(long argumentValue) {
        long seen = width == Width.LOW32 ? argumentValue & 0xFFFF_FFFFL : argumentValue;
        return test == Test.EQUALS ? seen == value : (seen & value) != 0;
    }
}
