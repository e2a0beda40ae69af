package dev.cordon.internal.runner;

import dev.cordon.CordonException;
import dev.cordon.ExitCodes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The runner's command line: {@code [command] [options] [--] [program [args]]}.
 *
 * <p>Commands are bare words ({@code run}, {@code check}, {@code explain}, {@code help},
 * {@code version}); Cargo always passes the build script as an absolute path, so a program is never
 * mistaken for a command.
 *
 * @param command the command; {@code run} when none is given
 * @param policy {@code --policy FILE}
 * @param crate {@code --crate NAME} (explain)
 * @param manifestDir {@code --manifest-dir DIR} (explain)
 * @param outDir {@code --out-dir DIR} (explain)
 * @param rest the program and its arguments (run)
 * @param socket {@code --socket PATH} (daemon)
 * @param syntaxOnly {@code --syntax-only} (check): validate the file only, not against this machine
 * @param auditLog {@code --audit-log FILE} (suggest): the audit log to read
 * @param build {@code --build} (suggest): run {@code cargo build --keep-going} (and the arguments after
 *     {@code --}) first, with a fresh audit log
 * @param procMacros {@code --proc-macros A,B} (macro): the proc-macro packages the rustc call loads, as
 *     {@code bin/cordon-rustc} found them
 */
record Arguments(String command, Optional<String> policy, Optional<String> crate, Optional<String> manifestDir,
        Optional<String> outDir, List<String> rest, Optional<String> socket, boolean syntaxOnly,
        Optional<String> auditLog, boolean build, List<String> procMacros) {

    static final List<String> COMMANDS = List.of("run", "check", "explain", "summary", "help", "version",
            "daemon", "suggest", "macro");

    static Arguments parse(List<String> args) {
        String command = "run";
        int i = 0;
        if (!args.isEmpty() && COMMANDS.contains(args.getFirst())) {
            command = args.getFirst();
            i = 1;
        } else if (!args.isEmpty() && (args.getFirst().equals("--help") || args.getFirst().equals("-h"))) {
            return new Arguments("help", Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                    List.of(), Optional.empty(), false, Optional.empty(), false, List.of());
        } else if (!args.isEmpty() && args.getFirst().equals("--version")) {
            return new Arguments("version", Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                    List.of(), Optional.empty(), false, Optional.empty(), false, List.of());
        }
        Optional<String> policy = Optional.empty();
        Optional<String> crate = Optional.empty();
        Optional<String> manifestDir = Optional.empty();
        Optional<String> outDir = Optional.empty();
        Optional<String> socket = Optional.empty();
        boolean syntaxOnly = false;
        Optional<String> auditLog = Optional.empty();
        boolean build = false;
        List<String> procMacros = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        for (; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--")) {
                rest.addAll(args.subList(i + 1, args.size()));
                break;
            }
            if (!arg.startsWith("--")) {
                rest.addAll(args.subList(i, args.size()));
                break;
            }
            if (arg.equals("--syntax-only") && command.equals("check")) {
                syntaxOnly = true;
                continue;
            }
            if (arg.equals("--build") && command.equals("suggest")) {
                build = true;
                continue;
            }
            String name = arg;
            String value;
            int eq = arg.indexOf('=');
            if (eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            } else {
                if (i + 1 >= args.size()) {
                    throw usage("option " + arg + " needs a value");
                }
                value = args.get(++i);
            }
            switch (name) {
                case "--policy" -> policy = Optional.of(value);
                case "--crate" -> crate = Optional.of(value);
                case "--manifest-dir" -> manifestDir = Optional.of(value);
                case "--out-dir" -> outDir = Optional.of(value);
                case "--target-dir" -> outDir = Optional.of(value); // summary: the same slot, its own name
                case "--socket" -> socket = Optional.of(value);
                case "--audit-log" -> auditLog = Optional.of(value);
                case "--proc-macros" -> {
                    for (String macro : value.split(",")) {
                        if (!macro.isBlank()) {
                            procMacros.add(macro.strip());
                        }
                    }
                }
                default -> throw usage("unknown option '" + name + "'; known: --policy, --crate, "
                        + "--manifest-dir, --out-dir, --target-dir (summary), --socket, --syntax-only (check), "
                        + "--audit-log and --build (suggest), --proc-macros (macro)");
            }
        }
        if (command.equals("suggest") && !rest.isEmpty() && !build) {
            throw usage("suggest takes Cargo arguments only with --build, got '" + rest.getFirst() + "'");
        }
        if (command.equals("suggest") && build && auditLog.isPresent()) {
            throw usage("suggest: --build writes a fresh audit log; give either --build or --audit-log FILE");
        }
        if (!command.equals("run") && !command.equals("suggest") && !command.equals("macro") && !rest.isEmpty()) {
            throw usage("'" + command + "' takes no program, got '" + rest.getFirst() + "'");
        }
        if (command.equals("explain") && crate.isEmpty()) {
            throw usage("explain needs --crate NAME (the package name, as in CARGO_PKG_NAME)");
        }
        if (command.equals("macro") && (rest.isEmpty() || procMacros.isEmpty())) {
            throw usage("macro needs --proc-macros NAME,... and the rustc command line (bin/cordon-rustc calls it)");
        }
        return new Arguments(command, policy, crate, manifestDir, outDir, List.copyOf(rest), socket, syntaxOnly,
                auditLog, build, List.copyOf(procMacros));
    }

    static CordonException usage(String message) {
        return new CordonException(message + "\n" + USAGE, ExitCodes.USAGE);
    }

    static final String USAGE = """
            usage: cordon-runner [--policy FILE] <program> [args...]   (how Cargo calls it)
                   cordon-runner check [--policy FILE] [--syntax-only]   (does this machine enforce it? or: is it valid?)
                   cordon-runner explain [--policy FILE] --crate NAME [--manifest-dir DIR] [--out-dir DIR]
                         (without --manifest-dir, the package is found with cargo metadata from the current directory)
                   cordon-runner summary [--target-dir DIR]   (after cargo build: scripts run, backends, denials)
                   cordon-runner suggest [--audit-log FILE | --build [-- CARGO_ARGS...]]   (the policy lines that
                         would have let every failed script pass, from the audit log; --build runs cargo build first)
                   cordon-runner macro --proc-macros NAME,... -- RUSTC ARGS...   (bin/cordon-rustc: rustc
                         loading proc macros, in the sandbox [permissions.macro] grants)
                   cordon-runner daemon --socket PATH   (the plan daemon bin/cordon-runner starts itself)
                   cordon-runner help | version
                   bin/cordon-runner init [--mode stable|host-runner|run] [--write]   (Cargo configuration)
            Cargo calls it as [host] runner (build scripts, -Z), through bin/cordon-rustc's launchers (build
            scripts, stable Cargo) and as [target] runner (cargo run/test/bench: <binary> [its args]).
            The policy is --policy FILE, else $CORDON_POLICY, else [workspace.metadata.cordon] of the workspace's
            Cargo.toml, else a policy jar on the class path, else the built-in defaults.""";
}
