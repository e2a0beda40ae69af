/**
 * Cordon core: decodes Cargo host-runner calls, decides grants from policies, picks a sandbox backend
 * and runs the plan it makes.
 *
 * @uses dev.cordon.spi.SandboxBackend
 * @uses dev.cordon.spi.InvocationDecoder
 * @uses dev.cordon.spi.PolicyProvider
 * @uses dev.cordon.spi.SyscallFilterCompiler
 * @uses dev.cordon.spi.RunListener
 */
// "module": the qualified export below names dev.cordon.sandbox.bwrap, which is built after core.
@SuppressWarnings("module")
module dev.cordon.core {
    requires transitive org.slf4j;
    requires com.fasterxml.jackson.dataformat.toml;
    requires com.fasterxml.jackson.databind;
    requires jakarta.validation;
    requires org.hibernate.validator;
    // Raises Hibernate Validator's log level so its INFO banner stays out of build logs.
    requires java.logging;
    // SO_PEERCRED: the plan daemon answers only its own user.
    requires jdk.net;

    exports dev.cordon;
    exports dev.cordon.spi;
    // Network routes on Linux: the Bubblewrap planner puts cordon-netjail and the generated /etc/hosts in the plan.
    exports dev.cordon.internal.net to dev.cordon.sandbox.bwrap;
    // One "did you mean" helper for policy messages here and syscall names in the seccomp module.
    exports dev.cordon.internal.text to dev.cordon.sandbox.seccomp;

    // Policy bindings are validated reflectively by Hibernate Validator, only when a policy is compiled.
    opens dev.cordon.internal.policy.reading.binding to org.hibernate.validator;

    uses dev.cordon.spi.SandboxBackend;
    uses dev.cordon.spi.InvocationDecoder;
    uses dev.cordon.spi.PolicyProvider;
    uses dev.cordon.spi.SyscallFilterCompiler;
    uses dev.cordon.spi.RunListener;
}
