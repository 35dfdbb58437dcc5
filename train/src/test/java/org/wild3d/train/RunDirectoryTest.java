package org.wild3d.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDirectoryTest {
  @Test
  void numbersFollowTheLargestInUse(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("a/runs");
    assertThat(RunDirectory.create(out, "x")).isEqualTo(out.resolve("00000-x"));
    assertThat(RunDirectory.create(out, "x")).isEqualTo(out.resolve("00001-x"));
    Files.createDirectory(out.resolve("00041-other"));
    Files.createFile(out.resolve("notes.txt"));
    Files.createDirectory(out.resolve("99999999999-too-long-to-be-ours"));
    assertThat(RunDirectory.create(out, "y")).isEqualTo(out.resolve("00042-y"));
  }
}
