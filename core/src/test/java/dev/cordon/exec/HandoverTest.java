package dev.cordon.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cordon.ExecutionPlan;
import dev.cordon.SandboxException;
import dev.cordon.internal.exec.Handover;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Handing writable paths to the sandbox's user and back, on real files (issue 12, items 2 and 3). */
class HandoverTest {

    @TempDir
    Path dir;

    private static int uid(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void back_clearsSetuidAndSetgidBitsAndNamesEachFile() throws IOException {
        Path out = Files.createDirectories(dir.resolve("out"));
        Path suid = Files.writeString(out.resolve("suid"), "x");
        Files.setAttribute(suid, "unix:mode", 04755);
        Path sgid = Files.writeString(Files.createDirectories(out.resolve("deep/er")).resolve("sgid"), "x");
        Files.setAttribute(sgid, "unix:mode", 02750);
        Path plain = Files.writeString(out.resolve("plain"), "x");
        Handover.Receipt receipt = Handover.over(new ExecutionPlan.Handover(List.of(out), -1, -1));
        List<String> warnings = receipt.back();
        assertEquals(0755, mode(suid) & 07777);
        assertEquals(0750, mode(sgid) & 07777);
        assertEquals(0644, mode(plain) & 0777);
        assertEquals(2, warnings.size(), warnings::toString);
        assertTrue(warnings.stream().anyMatch(w -> w.contains("setuid bit of " + suid)), warnings::toString);
        assertTrue(warnings.stream().anyMatch(w -> w.contains("setgid bit of " + sgid)), warnings::toString);
        assertEquals(List.of(), receipt.back(), "a second call does nothing");
    }

    @Test
    void overAndBack_giveEveryFileToTheSandboxUserAndBackToItsOwnerWithoutFollowingLinks() throws Exception {
        Assumptions.assumeTrue(System.getProperty("user.name").equals("root"), "only root can give files away");
        Path out = Files.createDirectories(dir.resolve("out"));
        Path old = Files.writeString(Files.createDirectories(out.resolve("sub")).resolve("old.o"), "x");
        Files.setAttribute(old, "unix:uid", 1234);
        Path victim = Files.writeString(dir.resolve("victim"), "outside");
        Files.createSymbolicLink(out.resolve("link"), victim);
        assertEquals(0, new ProcessBuilder("mkfifo", out.resolve("fifo").toString()).start().waitFor());

        Handover.Receipt receipt = Handover.over(new ExecutionPlan.Handover(List.of(out), 65534, 65534));
        assertEquals(65534, uid(out));
        assertEquals(65534, uid(out.resolve("sub")));
        assertEquals(65534, uid(old));
        assertEquals(0, uid(victim), "the link was followed");
        Files.createSymbolicLink(out.resolve("planted"), victim); // by the script: back() must not follow it
        // What the script does meanwhile: a new file, and a link swapped in for a directory.
        Path made = Files.writeString(out.resolve("made.rs"), "x");
        Files.setAttribute(made, "unix:uid", 65534);
        Files.move(out.resolve("sub"), dir.resolve("sub-moved"));
        Files.createSymbolicLink(out.resolve("sub"), dir);

        assertEquals(List.of(), receipt.back(), "a FIFO would block the walk here, a link mislead it");
        assertEquals(0, uid(out));
        assertEquals(0, uid(made), "a new file goes to the owner of the path it is under");
        assertEquals(0, uid(victim));
        assertEquals(0, uid(dir), "the walk followed a link swapped in during the run");
        assertEquals(65534, uid(dir.resolve("sub-moved/old.o")), "moved out of the path: not the runner's to touch");
    }

    @Test
    void over_takesAPathLeftWithTheSandboxUserAsTheBuildUsers() throws IOException {
        Assumptions.assumeTrue(System.getProperty("user.name").equals("root"), "only root can give files away");
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.setAttribute(out, "unix:uid", 65534); // a runner killed during an earlier run
        Handover.over(new ExecutionPlan.Handover(List.of(out), 65534, 65534)).back();
        assertEquals(uid(dir), uid(out));
    }

    @Test
    void sharedDirectories_giveOnlyTheDirectoriesForGoodAndNothingBack() throws IOException {
        Assumptions.assumeTrue(System.getProperty("user.name").equals("root"), "only root can give files away");
        Path deps = Files.createDirectories(dir.resolve("deps"));
        Path incremental = Files.createDirectories(dir.resolve("incremental/crate-1"));
        Path others = Files.writeString(deps.resolve("libserde-1.rlib"), "another rustc call's output");
        Path victim = Files.writeString(dir.resolve("victim"), "outside");
        Files.createSymbolicLink(deps.resolve("link"), victim);
        ExecutionPlan.Handover plan = new ExecutionPlan.Handover(List.of(deps, incremental), 65534, 65534,
                ExecutionPlan.Handover.Scope.SHARED_DIRECTORIES);

        Handover.Receipt receipt = Handover.over(plan);
        assertEquals(65534, uid(deps));
        assertEquals(65534, uid(incremental));
        assertEquals(0, uid(others), "a shared directory's contents belong to the calls that made them");
        assertEquals(0, uid(victim), "the link was followed");
        Path made = Files.writeString(deps.resolve("libmine-2.rlib"), "x"); // the macro's call, as the sandbox user
        Files.setAttribute(made, "unix:uid", 65534);

        assertEquals(List.of(), receipt.back());
        assertEquals(65534, uid(deps), "given for good: calls still running write there as the sandbox user");
        assertEquals(65534, uid(made), "nothing is given back from a shared directory");
        assertEquals(0, uid(others));
    }

    @Test
    void sharedDirectories_refuseALinkAndAFile() throws IOException {
        Assumptions.assumeTrue(System.getProperty("user.name").equals("root"), "only root can give files away");
        Path link = Files.createSymbolicLink(dir.resolve("link-dir"), dir);
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        for (Path path : List.of(link, file)) {
            SandboxException e = org.junit.jupiter.api.Assertions.assertThrows(SandboxException.class,
                    () -> Handover.over(new ExecutionPlan.Handover(List.of(path), 65534, 65534,
                            ExecutionPlan.Handover.Scope.SHARED_DIRECTORIES)));
            assertTrue(e.getMessage().contains("is not a directory"), e.getMessage());
        }
        assertEquals(0, uid(dir), "the link was followed");
        assertEquals(0, uid(file));
    }
}
