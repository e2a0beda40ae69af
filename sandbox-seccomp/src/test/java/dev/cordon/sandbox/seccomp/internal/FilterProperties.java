package dev.cordon.sandbox.seccomp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.NetworkAccess;
import dev.cordon.SyscallProfile;
import dev.cordon.SyscallRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Compiled filters, run in the independent interpreter on random {@code seccomp_data}, decide what
 * {@link PolicyOracle} says the policy means, for random profiles, deny/allow sets, networks and
 * architectures.
 */
class FilterProperties {
    private static final List<String> NAMES = List.copyOf(RuleResolver.knownNames());
    private static final List<String> SPECIAL = List.of("socket", "clone", "unshare", "ioctl", "personality",
            "clone3", "ptrace", "keyctl", "getppid", "iopl");

    @Provide
    Arbitrary<SyscallRules> rules() {
        Arbitrary<String> name = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(NAMES)), Tuple.of(2, Arbitraries.of(SPECIAL)));
        Arbitrary<Set<String>> small = name.set().ofMaxSize(8);
        Arbitrary<Set<String>> deny = Arbitraries.frequencyOf(
                Tuple.of(5, small), Tuple.of(1, Arbitraries.of(NAMES).set().ofMinSize(100).ofMaxSize(NAMES.size())));
        Arbitrary<String> profile = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just("default")),
                Tuple.of(1, Arbitraries.just("off")));
        return net.jqwik.api.Combinators.combine(profile, deny, small)
                .as((p, d, a) -> new SyscallRules(SyscallProfile.of(p), d, a, false));
    }

    @Provide
    Arbitrary<NetworkAccess> networks() {
        return Arbitraries.of(NetworkAccess.none(), NetworkAccess.all());
    }

    @Property(tries = 400)
    void compiledFilter_isValidAndDecidesAsThePolicyMeans(@ForAll Architecture architecture,
            @ForAll("rules") SyscallRules rules, @ForAll("networks") NetworkAccess network, @ForAll long seed) {
        byte[] program = FilterEmitter.compile(RuleResolver.resolve(architecture, rules, network)).program();
        CbpfVm vm = new CbpfVm(program);
        assertEquals(List.of(), vm.verify());

        Random random = new Random(seed);
        List<Integer> interesting = interestingNumbers(architecture, rules);
        for (int i = 0; i < 200; i++) {
            int arch = random.nextInt(10) == 0 ? otherArch(architecture, random) : architecture.auditArch();
            int nr = switch (random.nextInt(4)) {
                case 0, 1 -> interesting.get(random.nextInt(interesting.size()));
                case 2 -> random.nextInt(480);
                default -> random.nextBoolean() ? random.nextInt() : 0x4000_0000 | random.nextInt(600);
            };
            long[] args = new long[6];
            for (int a = 0; a < 6; a++) {
                args[a] = argument(random);
            }
            int expected = PolicyOracle.expected(architecture, rules, network, arch, nr, args);
            int actual = vm.run(nr, arch, random.nextLong(), args);
            assertEquals(new Action(expected).describe(), new Action(actual).describe(),
                    () -> "arch 0x" + Integer.toHexString(arch) + " nr " + nr + " ("
                            + PolicyOracle.name(architecture, nr) + ") args " + java.util.Arrays.toString(args));
        }
    }

    @Property(tries = 100)
    void compiledFilter_fitsTheKernelLimitEvenDenyingEverything(@ForAll Architecture architecture,
            @ForAll("networks") NetworkAccess network) {
        SyscallRules everything = new SyscallRules(SyscallProfile.of("default"), Set.copyOf(NAMES), Set.of(), false);

        CbpfVm vm = new CbpfVm(FilterEmitter.compile(RuleResolver.resolve(architecture, everything, network))
                .program());

        assertEquals(List.of(), vm.verify());
        assertTrue(vm.length() > 256, "long enough to need trampolines: " + vm.length());
        architecture.syscalls().all().forEach((name, nr) -> assertEquals(Action.ERRNO | Errno.EPERM,
                vm.run(nr, architecture.auditArch(), 0, new long[6]), name));
    }

    private static List<Integer> interestingNumbers(Architecture architecture, SyscallRules rules) {
        List<Integer> numbers = new ArrayList<>();
        List<String> names = new ArrayList<>(SPECIAL);
        names.addAll(PolicyOracle.DEFAULT_EPERM);
        names.addAll(PolicyOracle.DEFAULT_ENOSYS);
        names.addAll(rules.deny());
        names.addAll(rules.allow());
        for (String name : names) {
            architecture.syscalls().number(name).ifPresent(numbers::add);
        }
        return numbers;
    }

    private static int otherArch(Architecture architecture, Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> PolicyOracle.AUDIT_ARCH_I386;
            case 1 -> architecture == Architecture.X86_64 ? Architecture.AARCH64.auditArch()
                    : Architecture.X86_64.auditArch();
            default -> random.nextInt();
        };
    }

    /** Arguments biased to the values the rules look at, with junk in the high half now and then. */
    private static long argument(Random random) {
        long[] special = {0, 1, 2, 10, 16, 17, 40, 8, 0x2_0000, 0x2_0008, 0x4_0000, 0x40_0000, 0xFFFF_FFFFL,
            0x5412, 0x541C, 0x5413, 0x1000_0000, 0x0002_0000, 0x80, 0x11, 0x01_0000 | 0x11, 0x4000_0000,
            0x8000_0000L, 0x7E02_0080L};
        long value = switch (random.nextInt(3)) {
            case 0 -> random.nextLong();
            default -> special[random.nextInt(special.length)];
        };
        if (random.nextInt(4) == 0) {
            value |= (long) random.nextInt() << 32;
        }
        return value;
    }
}
