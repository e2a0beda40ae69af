package dev.cordon.spi;

import dev.cordon.Policy;

/**
 * Supplies a policy from a jar on the class path, for an organisation that ships one default policy to
 * every team. Used when the runner is given no policy file ({@code --policy} or
 * {@code CORDON_POLICY}); the provider with the highest {@link #priority()} wins.
 *
 * @since 0.1
 */
public interface PolicyProvider {

    /** {@return the unique id; never null} */
    String id();

    /** {@return the tie-break: higher wins} */
    default int priority() {
        return 0;
    }

    /** {@return the policy; never null} */
    Policy policy();
}
