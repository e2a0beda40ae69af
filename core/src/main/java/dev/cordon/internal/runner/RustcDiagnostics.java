package dev.cordon.internal.runner;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns the end of rustc's stderr into text a denial explanation can read. Cargo has rustc write its
 * diagnostics as JSON lines ({@code --error-format=json}), where a proc macro's panic message sits inside the
 * {@code "rendered"} string with its path escaped; this keeps each rendered text, unescaped, and every other
 * line as it is.
 */
final class RustcDiagnostics {
    private static final String RENDERED = "\"rendered\":\"";

    private RustcDiagnostics() {
    }

    /**
     * @param lines the last lines rustc wrote to stderr
     * @return the same, JSON diagnostics replaced by their rendered text; never null
     */
    static List<String> readable(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            int at = line.startsWith("{") ? line.indexOf(RENDERED) : -1;
            if (at < 0) {
                out.add(line);
                continue;
            }
            StringBuilder text = new StringBuilder();
            for (int i = at + RENDERED.length(); i < line.length(); i++) {
                char c = line.charAt(i);
                if (c == '"') {
                    break;
                }
                if (c == '\\' && i + 1 < line.length()) {
                    char e = line.charAt(++i);
                    switch (e) {
                        case 'n' -> text.append('\n');
                        case 't' -> text.append('\t');
                        case 'u' -> {
                            if (i + 4 < line.length()) {
                                text.append((char) Integer.parseInt(line.substring(i + 1, i + 5), 16));
                                i += 4;
                            }
                        }
                        default -> text.append(e);
                    }
                } else {
                    text.append(c);
                }
            }
            // ANSI colours (--json=diagnostic-rendered-ansi) would stick to the paths.
            out.addAll(List.of(text.toString().replaceAll("\u001b\\[[0-9;]*m", "").split("\n")));
        }
        return out;
    }
}
