package dev.cordon.sandbox.macos.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cordon.Grant;
import dev.cordon.NetworkAccess;
import dev.cordon.Route;
import dev.cordon.RunnerInvocation;
import dev.cordon.sandbox.macos.internal.SbplReader.Str;
import dev.cordon.sandbox.macos.internal.SbplReader.Sym;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class ProfileProperties {

    /** Directories and files are told apart by a stable hash, so every kind of hidden rule is exercised. */
    static final MacPaths PATHS = new MacPaths(p -> p, p -> MacPaths.Kind.values()[Math.floorMod(p.hashCode(), 3)]);

    static final Set<String> DEVICE_RULES = Set.of("/dev/null", "/dev/fd", "/dev/dtracehelper");

    /** One case: the call, the grant, and a path to probe that is unrelated to either. */
    record Case(RunnerInvocation invocation, Grant grant, Path probe) {
    }

    static Arbitrary<String> segment() {
        return Arbitraries.oneOf(Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(5),
                Arbitraries.of("my project", "a\"b", "c\\d", "(x)", "y;z", "é", "日本", "🦀", "..x", ".ssh", "#h"));
    }

    static Arbitrary<Path> path(Arbitrary<String> roots) {
        return Combinators.combine(roots, segment().list().ofMinSize(0).ofMaxSize(3))
                .as((root, parts) -> Path.of(root, parts.toArray(String[]::new)));
    }

    static Arbitrary<String> roots() {
        return Arbitraries.of("/Users/dev", "/tmp", "/private/tmp", "/var/folders/zz/abc/T", "/etc", "/opt", "/");
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<Path> workspace = path(Arbitraries.of("/Users/dev", "/tmp", "/var/folders/zz/abc/T"));
        Arbitrary<Path> home = Arbitraries.of(Path.of("/Users/dev"), Path.of("/var/root"), Path.of("/Users/a b"));
        Arbitrary<NetworkAccess> network = Arbitraries.oneOf(Arbitraries.just(NetworkAccess.none()),
                Arbitraries.just(NetworkAccess.all()),
                Arbitraries.of("127.0.0.1", "localhost", "::1", "127.0.0.2").flatMap(host -> Arbitraries
                        .integers().between(1, 65535).map(port -> new Route(host, port))).list().ofMinSize(1)
                        .ofMaxSize(3).map(NetworkAccess::routes));
        return Combinators.combine(workspace, Arbitraries.of("demo", "ring", "libsqlite3-sys"), home,
                path(roots()).list().ofMaxSize(4), path(roots()).list().ofMaxSize(3),
                path(roots()).list().ofMaxSize(2), network, path(roots()))
                .as((ws, crate, h, hidden, writable, readable, net, probe) -> {
                    RunnerInvocation invocation = Fixtures.invocation(ws, crate, h);
                    Grant.Builder grant = Fixtures.defaultGrant(invocation).network(net);
                    hidden.forEach(grant::hidden);
                    writable.forEach(grant::writable);
                    readable.forEach(grant::readable);
                    return new Case(invocation, grant.build(), probe);
                });
    }

    static String profile(Case c) {
        return new ProfileWriter(PATHS).write(c.invocation(), c.grant());
    }

    @Property(tries = 300)
    void profile_isWellFormedSbpl(@ForAll("cases") Case c) {
        List<Object> forms = SbplReader.readAll(profile(c));
        assertEquals(List.of(new Sym("version"), new Sym("1")), forms.get(0));
        assertEquals(List.of(new Sym("deny"), new Sym("default")), forms.get(1));
        for (Object form : forms) {
            if (!(form instanceof List<?> list) || !(list.getFirst() instanceof Sym head)
                    || !Set.of("version", "allow", "deny").contains(head.name())) {
                fail("not a rule: " + form);
            }
        }
    }

    @Property(tries = 300)
    void profile_hiddenDenialsComeAfterEveryAllowTheyNarrow(@ForAll("cases") Case c) {
        List<Object> forms = SbplReader.readAll(profile(c));
        int lastFileAllow = -1;
        int firstHiddenDeny = Integer.MAX_VALUE;
        for (int i = 0; i < forms.size(); i++) {
            List<?> rule = (List<?>) forms.get(i);
            boolean touchesFiles = rule.stream().anyMatch(p -> p instanceof Sym s && (s.name().startsWith("file-")
                    || s.name().equals("process-exec")));
            if (rule.getFirst().equals(new Sym("allow")) && touchesFiles) {
                lastFileAllow = i;
            }
            if (rule.getFirst().equals(new Sym("deny")) && touchesFiles) {
                firstHiddenDeny = Math.min(firstHiddenDeny, i);
            }
        }
        if (!c.grant().hidden().isEmpty()) {
            assertTrue(lastFileAllow < firstHiddenDeny, "allow at " + lastFileAllow + " after deny at "
                    + firstHiddenDeny);
        }
    }

    @Property(tries = 300)
    void profile_hiddenPathsAreDeniedWhateverElseIsGranted(@ForAll("cases") Case c) {
        SbplEvaluator seatbelt = new SbplEvaluator(profile(c));
        for (Path hidden : c.grant().hidden()) {
            for (String form : PATHS.forms(hidden)) {
                for (String op : List.of("file-read*", "file-write*", "process-exec")) {
                    assertTrue(!seatbelt.allows(op, form), op + " allowed on hidden " + form);
                    if (PATHS.kind(hidden) != MacPaths.Kind.FILE) {
                        assertTrue(!seatbelt.allows(op, form + "/id_ed25519"), op + " allowed below hidden " + form);
                    }
                }
            }
        }
    }

    @Property(tries = 300)
    void profile_hasNoWritableRuleThatWasNotGranted(@ForAll("cases") Case c) {
        Set<String> granted = new HashSet<>(DEVICE_RULES);
        for (Path p : grantedWritable(c)) {
            granted.addAll(PATHS.forms(p));
        }
        for (Object form : SbplReader.readAll(profile(c))) {
            List<?> rule = (List<?>) form;
            if (rule.getFirst().equals(new Sym("allow")) && rule.contains(new Sym("file-write*"))) {
                assertTrue(rule.size() > 2, "unrestricted file-write* allow: " + rule);
                for (String path : pathsIn(rule)) {
                    assertTrue(granted.contains(path), "write allowed to ungranted " + path);
                }
            }
        }
    }

    @Property(tries = 500)
    void profile_decidesWritesExactlyAsTheGrantSays(@ForAll("cases") Case c) {
        SbplEvaluator seatbelt = new SbplEvaluator(profile(c));
        List<String> probes = new ArrayList<>(List.of(c.probe().toString(), c.probe() + "/file"));
        for (Path p : grantedWritable(c)) {
            PATHS.forms(p).forEach(f -> probes.add(f + "/new-file"));
        }
        probes.add(c.invocation().workingDirectory().resolve("src/lib.rs").toString());
        for (String probe : probes) {
            boolean expected = !isHidden(c.grant(), probe) && (isDevice(probe)
                    || grantedWritable(c).stream().anyMatch(w -> PATHS.forms(w).stream()
                            .anyMatch(f -> probe.equals(f) || probe.startsWith(f.equals("/") ? "/" : f + "/"))));
            assertEquals(expected, seatbelt.allows("file-write*", probe), "write " + probe);
            assertEquals(!isHidden(c.grant(), probe), seatbelt.allows("file-read*", probe), "read " + probe);
        }
    }

    static List<Path> grantedWritable(Case c) {
        List<Path> paths = new ArrayList<>(c.grant().writable());
        paths.add(c.grant().temporaryDirectory());
        c.invocation().outDir().ifPresent(paths::add);
        return paths;
    }

    static boolean isDevice(String path) {
        return path.equals("/dev/null") || path.equals("/dev/dtracehelper") || path.equals("/dev/fd")
                || path.startsWith("/dev/fd/");
    }

    static boolean isHidden(Grant grant, String path) {
        for (Path hidden : grant.hidden()) {
            for (String form : PATHS.forms(hidden)) {
                boolean below = path.startsWith(form.equals("/") ? "/" : form + "/");
                if (path.equals(form) || (below && PATHS.kind(hidden) != MacPaths.Kind.FILE)) {
                    return true;
                }
            }
        }
        return false;
    }

    static List<String> pathsIn(List<?> rule) {
        List<String> paths = new ArrayList<>();
        for (Object part : rule) {
            if (part instanceof List<?> filter && filter.size() == 2 && filter.get(1) instanceof Str s) {
                paths.add(s.value());
            }
        }
        return paths;
    }

    @Property(tries = 200)
    void profile_networkRulesFollowTheGrant(@ForAll("cases") Case c) {
        Set<String> networkTargets = new HashSet<>();
        boolean allowsAllNetwork = false;
        for (Object form : SbplReader.readAll(profile(c))) {
            List<?> rule = (List<?>) form;
            if (!rule.getFirst().equals(new Sym("allow"))) {
                continue;
            }
            if (rule.contains(new Sym("network*"))) {
                allowsAllNetwork = true;
            }
            if (rule.contains(new Sym("network-outbound"))) {
                List<?> remote = (List<?>) rule.get(2);
                assertEquals(List.of(new Sym("remote"), new Sym("ip")), remote.subList(0, 2));
                networkTargets.add(((Str) remote.get(2)).value());
            }
        }
        NetworkAccess network = c.grant().network();
        assertEquals(network.mode() == NetworkAccess.Mode.ALL, allowsAllNetwork);
        Set<String> expected = new HashSet<>();
        network.routes().forEach(r -> expected.add("localhost:" + r.port()));
        assertEquals(expected, networkTargets);
    }

    @Example
    void profile_defaultGrantPassesTheModel() {
        RunnerInvocation invocation = Fixtures.invocation(Path.of("/Users/dev/ws"), "demo", Path.of("/Users/dev"));
        Case c = new Case(invocation, Fixtures.defaultGrant(invocation).build(), Path.of("/etc/hosts"));
        profile_decidesWritesExactlyAsTheGrantSays(c);
        profile_hiddenPathsAreDeniedWhateverElseIsGranted(c);
        profile_hasNoWritableRuleThatWasNotGranted(c);
    }
}
