package dev.cordon.examples;

import dev.cordon.testing.CargoProject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Every way a build script reaches Cordon, for suites that must hold on all of them: the cold path (a runner
 * JVM per build script), the warm path (the thin client and the plan daemon), stable Cargo (the rustc
 * wrapper's launchers), and a team's own runner main on the warm path. Each wires a Cargo project the
 * way a user of that path would and builds it.
 */
final class LaunchPaths implements AutoCloseable {

    /** One launch path. */
    interface LaunchPath {
        /** {@return a short name for test reports} */
        String name();

        /**
         * Writes the workspace and Cargo configuration that route build scripts through this path.
         *
         * @param project the project
         * @param runnerArgs arguments for the runner (e.g. {@code --policy FILE})
         * @param members the workspace members
         */
        void wire(CargoProject project, List<String> runnerArgs, String... members);

        /**
         * Builds the project as a user of this path would.
         *
         * @param project the wired project
         * @param targetDir a fresh target dir
         * @param cargoArgs more arguments for {@code cargo build}
         * @return what Cargo did
         */
        CargoProject.Result build(CargoProject project, Path targetDir, String... cargoArgs);
    }

    private final WarmPath warm;
    private final List<LaunchPath> all = new ArrayList<>();

    private LaunchPaths(WarmPath warm) {
        this.warm = warm;
        all.add(hostRunner("cold", p -> p.env("CORDON_NO_DAEMON", "1")));
        all.add(hostRunner("warm", warm::wire));
        // Stable Cargo: bin/cordon-rustc puts a launcher in place of every build script (no -Z flags).
        all.add(hostRunner("stable", p -> p.stable(CargoProject.rustcWrapper())));
        // A team's own runner main (Runner.builder() with its own fallback policy and grant refinement), on the
        // warm path a team gets from the launcher module: the same client and daemon, another main class.
        all.add(hostRunner("team", p -> warm.wire(p).env("CORDON_RUNNER_MAIN",
                "dev.cordon.examples.EnvironmentControlRunner")));
    }

    /**
     * @param dir an empty directory that outlives the tests
     * @return the launch paths, with the thin client compiled there
     */
    static LaunchPaths in(Path dir) throws IOException, InterruptedException {
        return new LaunchPaths(WarmPath.in(Files.createDirectories(dir)));
    }

    /** {@return every launch path} */
    List<LaunchPath> all() {
        return List.copyOf(all);
    }

    private static LaunchPath hostRunner(String name, java.util.function.UnaryOperator<CargoProject> env) {
        return new LaunchPath() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void wire(CargoProject project, List<String> runnerArgs, String... members) {
                List<String> runner = new ArrayList<>(List.of(CargoProject.runnerLauncher().toString()));
                runner.addAll(runnerArgs);
                env.apply(project.workspace(runner, members));
            }

            @Override
            public CargoProject.Result build(CargoProject project, Path targetDir, String... cargoArgs) {
                return project.build(targetDir, cargoArgs);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    /** {@return how many plans the warm path's daemons handed out so far} */
    long plansServedWarm() throws IOException {
        return warm.plansServed();
    }

    @Override
    public void close() throws IOException {
        warm.stop();
    }
}
