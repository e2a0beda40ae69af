package dev.cordon.sandbox.seccomp.internal;

import dev.cordon.SyscallFilter;
import java.util.List;

/**
 * Emits the second, small filter of a grant with network routes: it hands every call that names a
 * destination to the supervisor ({@code SECCOMP_RET_USER_NOTIF}) and refuses the ways around it. Its
 * shape, for the native architecture:
 *
 * <pre>
 *   A = arch;  if A == native goto native;  if A == i386 (x86_64 only) goto compat;  return KILL
 * native:
 *   A = nr;    if A &amp; X32_BIT return ERRNO(ENOSYS)
 *   connect, sendmsg, sendmmsg          -&gt; USER_NOTIF
 *   sendto with dest_addr != NULL and addrlen != 0 -&gt; USER_NOTIF (else ALLOW: a plain send)
 *   io_uring_setup/enter/register       -&gt; ERRNO(ENOSYS)   (its connect and sendmsg bypass seccomp)
 *   anything else                       -&gt; ALLOW
 * compat (32-bit calls on x86_64):
 *   socketcall, connect, sendto, sendmsg, sendmmsg, io_uring_* -&gt; ERRNO(EACCES / ENOSYS)
 *   anything else                       -&gt; ALLOW
 * </pre>
 *
 * <p>A call this filter lets through without asking still runs in the sandbox's own, empty network
 * namespace: the filter only decides what the supervisor may connect on the script's behalf, so a
 * missed path fails closed. The compat refusals matter for Unix sockets, whose paths are reachable
 * from any namespace: a 32-bit {@code connect} is refused rather than left unsupervised.
 */
public final class RouteFilterEmitter {
    /** {@code SECCOMP_RET_USER_NOTIF}. */
    static final int USER_NOTIF = 0x7FC0_0000;
    /** {@code AUDIT_ARCH_I386}. */
    static final int AUDIT_ARCH_I386 = 0x4000_0003;
    /** i386 numbers (arch/x86/entry/syscalls/syscall_32.tbl); the generated tables hold 64-bit ABIs only. */
    static final List<Integer> I386_ADDRESS_CALLS = List.of(102 /* socketcall */, 362 /* connect */,
            369 /* sendto */, 370 /* sendmsg */, 345 /* sendmmsg */);
    /** io_uring_setup, io_uring_enter, io_uring_register: the same numbers on i386, x86_64 and aarch64. */
    static final List<Integer> IO_URING = List.of(425, 426, 427);

    private RouteFilterEmitter() {
    }

    /**
     * {@return the filter for {@code architecture}, ready to send to {@code cordon-netjail}}
     *
     * @param architecture the architecture of the JVM and of the build scripts
     */
    public static SyscallFilter compile(Architecture architecture) {
        List<Instruction> program = emit(architecture);
        return new SyscallFilter("route notification (" + architecture.id() + ", " + program.size()
                + " instructions)", ProgramBuilder.encode(program));
    }

    /** {@return the instructions for {@code architecture}} */
    static List<Instruction> emit(Architecture architecture) {
        SyscallTable table = architecture.syscalls();
        ProgramBuilder b = new ProgramBuilder();
        Label nativeArch = b.newLabel("native");
        Label compat = b.newLabel("compat");
        Label kill = b.newLabel("kill");
        Label notify = b.newLabel("notify");
        Label allow = b.newLabel("allow");
        Label enosys = b.newLabel("enosys");
        Label eacces = b.newLabel("eacces");
        Label sendto = b.newLabel("sendto");

        b.load(SeccompData.ARCH);
        boolean x86 = architecture == Architecture.X86_64;
        b.jump(Bpf.JEQ, architecture.auditArch(), nativeArch, x86 ? null : kill);
        if (x86) {
            b.jump(Bpf.JEQ, AUDIT_ARCH_I386, compat, kill);
        }

        b.bind(nativeArch).load(SeccompData.NR);
        if (architecture.foreignAbiBit() != 0) {
            b.jump(Bpf.JSET, architecture.foreignAbiBit(), enosys, null);
        }
        for (String name : List.of("connect", "sendmsg", "sendmmsg")) {
            b.jump(Bpf.JEQ, number(table, name), notify, null);
        }
        b.jump(Bpf.JEQ, number(table, "sendto"), sendto, null);
        for (int call : IO_URING) {
            b.jump(Bpf.JEQ, call, enosys, null);
        }
        b.jumpTo(allow);

        // sendto(fd, buf, len, flags, dest_addr, addrlen): only a call with an address names a destination.
        b.bind(sendto);
        Label hasAddress = b.newLabel("sendto has an address");
        b.load(SeccompData.argLow(4)).jump(Bpf.JEQ, 0, null, hasAddress);
        b.load(SeccompData.argHigh(4)).jump(Bpf.JEQ, 0, allow, null);
        b.bind(hasAddress);
        b.load(SeccompData.argLow(5)).jump(Bpf.JEQ, 0, allow, notify);

        if (x86) {
            b.bind(compat).load(SeccompData.NR);
            for (int call : I386_ADDRESS_CALLS) {
                b.jump(Bpf.JEQ, call, eacces, null);
            }
            for (int call : IO_URING) {
                b.jump(Bpf.JEQ, call, enosys, null);
            }
            b.jumpTo(allow);
        }

        b.bind(allow).ret(Action.ALLOW);
        b.bind(notify).ret(USER_NOTIF);
        b.bind(enosys).ret(Action.errno(Errno.ENOSYS).value());
        b.bind(eacces).ret(Action.errno(Errno.EACCES).value());
        b.bind(kill).ret(Action.KILL_PROCESS);
        return b.assemble();
    }

    private static int number(SyscallTable table, String name) {
        return table.number(name).orElseThrow(() -> new IllegalStateException(
                "no syscall '" + name + "' on " + table.architecture().id()));
    }
}
