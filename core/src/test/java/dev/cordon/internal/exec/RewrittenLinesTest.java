package dev.cordon.internal.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** stderr through a line rewrite, however the pipe cuts it into reads. */
class RewrittenLinesTest {
    private static final int MAX = Supervisor.MAX_LINE;

    /** Lines starting with X become Y; a line longer than the limit, and a last line without newline, pass as they are. */
    private static String expected(String text) {
        StringBuilder out = new StringBuilder();
        int from = 0;
        while (from < text.length()) {
            int nl = text.indexOf('\n', from);
            String line = nl < 0 ? text.substring(from) : text.substring(from, nl);
            boolean rewritten = nl >= 0 && line.length() <= MAX && line.startsWith("X");
            out.append(rewritten ? "Y" + line.substring(1) : line).append(nl < 0 ? "" : "\n");
            from = nl < 0 ? text.length() : nl + 1;
        }
        return out.toString();
    }

    @Property(tries = 60)
    void everyCutOfTheStreamGivesTheSameOutput(@ForAll @IntRange(min = 1, max = 200_000) int chunk,
            @ForAll @IntRange(min = -3, max = 3) int around) {
        // A line that crosses the limit right at its newline, one just under it, and short ones around them.
        String text = "Xone\nkeep\n" + "X" + "a".repeat(MAX + around) + "\nXtwo\n" + "X" + "b".repeat(MAX - 1)
                + "\nXlast";
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RewrittenLines lines = new RewrittenLines(out, (line, length) -> length > 0 && line[0] == 'X'
                ? Optional.of(("Y" + new String(line, 1, length - 1, StandardCharsets.US_ASCII))
                        .getBytes(StandardCharsets.US_ASCII)) : Optional.empty());
        for (int at = 0; at < bytes.length; at += chunk) {
            byte[] piece = java.util.Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + chunk));
            lines.pass(piece, piece.length);
        }
        lines.end();
        String got = out.toString(StandardCharsets.US_ASCII);
        String want = expected(text);
        assertEquals(want.length(), got.length());
        assertEquals(want, got);
    }
}
