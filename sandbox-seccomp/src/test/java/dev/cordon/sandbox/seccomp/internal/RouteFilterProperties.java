package dev.cordon.sandbox.seccomp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The route-notification filter, run on the independent interpreter ({@link CbpfVm}) against an oracle
 * written from its contract: what names a destination goes to the supervisor, the bypasses are refused,
 * everything else runs (in the sandbox's empty network namespace).
 */
class RouteFilterProperties {
    private static final int NOTIFY = 0x7FC0_0000;
    private static final int I386 = 0x4000_0003;

    @Property(tries = 200)
    void routeFilter_notifiesExactlyTheCallsThatNameADestination(@ForAll Architecture architecture, @ForAll long seed) {
        byte[] program = RouteFilterEmitter.compile(architecture).program();
        CbpfVm vm = new CbpfVm(program);
        assertEquals(List.of(), vm.verify());
        SyscallTable table = architecture.syscalls();
        List<Integer> interesting = new java.util.ArrayList<>(List.of(425, 426, 427, 102, 362, 369, 370, 345));
        for (String name : List.of("connect", "sendto", "sendmsg", "sendmmsg", "bind", "socket", "recvfrom", "write")) {
            interesting.add(table.number(name).orElseThrow());
        }
        Random random = new Random(seed);
        for (int i = 0; i < 300; i++) {
            int arch = switch (random.nextInt(4)) {
                case 0 -> I386;
                case 1 -> random.nextInt();
                default -> architecture.auditArch();
            };
            int nr = random.nextInt(3) == 0 ? random.nextInt(500)
                    : random.nextInt(8) == 0 ? 0x4000_0000 | random.nextInt(500)
                    : interesting.get(random.nextInt(interesting.size()));
            long[] args = new long[6];
            for (int a = 0; a < 6; a++) {
                args[a] = switch (random.nextInt(4)) {
                    case 0 -> 0;
                    case 1 -> 1L << 32;
                    case 2 -> random.nextInt(200);
                    default -> random.nextLong();
                };
            }
            int expected = oracle(architecture, arch, nr, args);
            int actual = vm.run(nr, arch, random.nextLong(), args);
            int n = nr;
            assertEquals(new Action(expected).describe(), new Action(actual).describe(),
                    () -> "arch 0x" + Integer.toHexString(arch) + " nr " + n + " args " + java.util.Arrays.toString(args));
        }
    }

    private static int oracle(Architecture architecture, int arch, int nr, long[] args) {
        SyscallTable table = architecture.syscalls();
        boolean x86 = architecture == Architecture.X86_64;
        int enosys = Action.ERRNO | Errno.ENOSYS;
        if (arch == architecture.auditArch()) {
            if (x86 && (nr & 0x4000_0000) != 0) {
                return enosys;
            }
            if (nr == number(table, "connect") || nr == number(table, "sendmsg") || nr == number(table, "sendmmsg")) {
                return NOTIFY;
            }
            if (nr == number(table, "sendto")) {
                return args[4] != 0 && (int) args[5] != 0 ? NOTIFY : Action.ALLOW;
            }
            return nr >= 425 && nr <= 427 ? enosys : Action.ALLOW;
        }
        if (x86 && arch == I386) {
            if (List.of(102, 362, 369, 370, 345).contains(nr)) {
                return Action.ERRNO | Errno.EACCES;
            }
            return nr >= 425 && nr <= 427 ? enosys : Action.ALLOW;
        }
        return Action.KILL_PROCESS;
    }

    private static int number(SyscallTable table, String name) {
        return table.number(name).orElseThrow();
    }
}
