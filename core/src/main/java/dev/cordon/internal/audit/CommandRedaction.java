package dev.cordon.internal.audit;

import dev.cordon.Secrets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Hides the values of secret-looking variables in an argv before it is logged. */
public final class CommandRedaction {
    /** What replaces a secret value. */
    public static final String REDACTED = "<redacted>";
    private static final Pattern ASSIGNMENT = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=.*", Pattern.DOTALL);

    private CommandRedaction() {
    }

    /**
     * Redacts {@code NAME=value} arguments (as {@code env} takes them) and the value after
     * {@code --setenv NAME} (as {@code bwrap} takes it) when {@link Secrets#looksSecret} says the name
     * holds a secret.
     *
     * @param command an argv
     * @return a copy with secret values replaced by {@value #REDACTED}
     */
    public static List<String> redact(List<String> command) {
        List<String> out = new ArrayList<>(command.size());
        for (int i = 0; i < command.size(); i++) {
            String arg = command.get(i);
            var assignment = ASSIGNMENT.matcher(arg);
            if (i >= 2 && command.get(i - 2).equals("--setenv") && Secrets.looksSecret(command.get(i - 1))) {
                out.add(REDACTED);
            } else if (assignment.matches() && Secrets.looksSecret(assignment.group(1))) {
                out.add(assignment.group(1) + "=" + REDACTED);
            } else {
                out.add(arg);
            }
        }
        return out;
    }
}
