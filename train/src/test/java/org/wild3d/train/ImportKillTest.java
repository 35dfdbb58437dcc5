package org.wild3d.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.cli.Cli;
import org.wild3d.data.Dataset;
import org.wild3d.data.ImportBench;
import picocli.CommandLine;

/**
 * {@code wild3d-train dataset import} in a separate JVM killed with SIGKILL part-way (after its
 * journal records some files): nothing at DEST, and the same command rerun continues and writes
 * exactly the ZIP an uninterrupted import writes.
 */
class ImportKillTest {
  @TempDir Path tmp;

  private int run(String... args) {
    CommandLine cl = Cli.commandLine(new DatasetCommand());
    StringWriter sink = new StringWriter();
    cl.setOut(new PrintWriter(sink, true));
    cl.setErr(new PrintWriter(sink, true));
    return cl.execute(args);
  }

  @Test
  @Timeout(180)
  void aSigkilledImportRerunWritesTheSameZip() throws Exception {
    Path src = tmp.resolve("train");
    for (int k = 0; k < 3; k++) {
      Path d = Files.createDirectories(src.resolve(String.format("n%08d", k)));
      for (int i = 0; i < 1000; i++) {
        Files.write(d.resolve(i + ".JPEG"), ImportBench.photoJpeg(96, 72, k * 10_000L + i, 0.9f));
      }
    }
    Path whole = tmp.resolve("whole.zip");
    assertThat(run("import", src.toString(), whole.toString(), "--resolution", "16"))
        .isZero();

    Path dest = tmp.resolve("killed.zip");
    Path journal = tmp.resolve(".killed.zip.import").resolve("journal");
    List<String> cmd = TinyTraining.javaMain(List.of("dataset", "import", src.toString(),
        dest.toString(), "--resolution", "16", "--threads", "1"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(tmp.resolve("log.txt").toFile());
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    Process p = pb.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!(Files.exists(journal) && Files.size(journal) > 0) && p.isAlive()
        && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    p.destroyForcibly(); // SIGKILL
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(tmp.resolve("log.txt"))).isEqualTo(137);
    assertThat(dest).doesNotExist();
    long done = Files.readAllLines(journal).size();
    assertThat(done).isBetween(1L, 2999L);

    assertThat(run("import", src.toString(), dest.toString(), "--resolution", "16"))
        .isZero();
    assertThat(Files.mismatch(whole, dest)).isEqualTo(-1L);
    try (Dataset ds = Dataset.open(dest)) {
      assertThat(ds.size()).isEqualTo(3000);
    }
  }
}
