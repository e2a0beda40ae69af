/**
 * Cordon core: decodes Cargo host-runner calls, decides grants from policies, picks a sandbox backend
 * and runs the plan it makes.
 *
 * @uses dev.cordon.spi.SandboxBackend
 * @uses dev.cordon.spi.InvocationDecoder
 * @uses dev.cordon.spi.PolicyProvider
 * @uses dev.cordon.spi.SyscallFilterCompiler
 */
module dev.cordon.core {
    requires transitive org.slf4j;
    requires com.fasterxml.jackson.dataformat.toml;
    requires com.fasterxml.jackson.databind;
    requires jakarta.validation;
    requires org.hibernate.validator;

    exports dev.cordon;
    exports dev.cordon.spi;

    uses dev.cordon.spi.SandboxBackend;
    uses dev.cordon.spi.InvocationDecoder;
    uses dev.cordon.spi.PolicyProvider;
    uses dev.cordon.spi.SyscallFilterCompiler;
}
