package dev.cordon.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cordon.internal.exec.OutputTail;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

class OutputTailProperties {

    @Property
    void add_linesSurviveAnySplitOfTheBytes(@ForAll @Size(max = 8) List<@StringLength(max = 40) String> raw,
            @ForAll @IntRange(min = 1, max = 7) int chunk) {
        List<String> lines = raw.stream().map(l -> l.replace("\n", "").replace("\r", "") + "é€😀").toList();
        StringBuilder text = new StringBuilder();
        lines.forEach(l -> text.append(l).append('\n'));
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        OutputTail tail = new OutputTail(100);
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < bytes.length; i += chunk) {
            byte[] part = Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + chunk));
            seen.addAll(tail.add(part, part.length));
        }
        assertEquals(lines, seen);
        assertEquals(lines, tail.lines());
    }
}
