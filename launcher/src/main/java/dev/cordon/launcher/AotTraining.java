package dev.cordon.launcher;

import dev.cordon.Runner;
import java.lang.reflect.InvocationTargetException;

/**
 * The training run behind a packaged runner's AOT cache ({@code package-launcher.sh}, at package time): one
 * build script through Cordon twice in one JVM, once under a policy file and once under the defaults, then
 * once through the runner's own {@code main} (the reference runner's or a team's). The cache keeps what the
 * training loaded and linked, so every path a real build script takes starts from it; a path left out of
 * training spins its lambdas at every start instead. Not an API.
 */
public final class AotTraining {
    private AotTraining() {
    }

    /**
     * @param args {@code MAIN-CLASS POLICY-FILE BUILD-SCRIPT}
     * @throws ReflectiveOperationException when the main class or its {@code main(String[])} cannot be found
     */
    public static void main(String[] args) throws ReflectiveOperationException {
        if (args.length != 3) {
            System.err.println("usage: AotTraining MAIN-CLASS POLICY-FILE BUILD-SCRIPT");
            System.exit(64);
        }
        Class<?> main = Class.forName(args[0]);
        int underPolicy = Runner.builder().build().run(new String[] {"--policy", args[1], args[2]});
        int underDefaults = Runner.builder().build().run(new String[] {args[2]});
        if (underPolicy != 0 || underDefaults != 0) {
            System.exit(underPolicy != 0 ? underPolicy : underDefaults);
        }
        // Last, the real entry point on the same script, so that its own classes (a team's policy in code)
        // come from the cache too. A runner's main ends with System.exit.
        try {
            main.getMethod("main", String[].class).invoke(null, (Object) new String[] {args[2]});
        } catch (InvocationTargetException e) {
            e.getCause().printStackTrace();
            System.exit(70);
        }
    }
}
