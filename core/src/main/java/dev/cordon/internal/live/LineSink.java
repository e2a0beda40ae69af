package dev.cordon.internal.live;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Where live-log lines go: each line is one whole write, so concurrent writers never split a line. */
@FunctionalInterface
public interface LineSink {

    /**
     * Writes one complete line.
     *
     * @param line the bytes of one line, newline included
     * @throws IOException when the sink cannot be written
     */
    void write(byte[] line) throws IOException;

    /**
     * @param stream a stream shared with other writers (e.g. the runner's stderr); writes lock on it
     * @return a sink that writes and flushes each line under the stream's monitor
     */
    static LineSink of(OutputStream stream) {
        return line -> {
            synchronized (stream) {
                stream.write(line);
                stream.flush();
            }
        };
    }

    /**
     * @param file a file shared by every build script of the build; created with its folders if missing
     * @return a sink appending each line with one {@code O_APPEND} write (the file is opened per line,
     *     so nothing stays open when the script ends)
     */
    static LineSink appendingTo(Path file) {
        return line -> {
            Path parent = file.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                channel.write(ByteBuffer.wrap(line));
            }
        };
    }
}
