package org.wild3d.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Event;
import org.wild3d.checkpoint.CheckpointManager;
import org.wild3d.config.Configs;
import org.wild3d.log.EventFiles;
import picocli.CommandLine;

class TrainLoopTest {
  @TempDir Path dir;

  private int train(TinyTraining.Io io, String... args) {
    CommandLine cl = Main.commandLine();
    cl.setOut(io.outW);
    cl.setErr(io.errW);
    return cl.execute(args);
  }

  private static String[] args(Path out, List<String> overrides, String... more) {
    List<String> a = new ArrayList<>(List.of("--out", out.toString()));
    for (String o : overrides) {
      a.add("--override");
      a.add(o);
    }
    a.addAll(List.of(more));
    return a.toArray(new String[0]);
  }

  @Test
  void trainsWritesCheckpointsSamplesAndEventsThenResumesWhereItStopped() throws Exception {
    Path runs = dir.resolve("runs");
    TinyTraining.Io io = new TinyTraining.Io();
    int code = train(io, args(runs, TinyTraining.overrides(dir.resolve("cache"), "train { total_kimg: 0.016 }")));
    assertThat(code).as(io.err.toString()).isZero();
    Path run;
    try (Stream<Path> s = Files.list(runs)) {
      run = s.findFirst().orElseThrow();
    }
    assertThat(io.out.toString()).contains("train 0.016/0.016 kimg").contains("sec/kimg").contains("ETA");
    CheckpointManager cm = new CheckpointManager(run.resolve("checkpoints"), 5);
    assertThat(cm.list()).extracting(c -> c.manifest().step()).containsExactly(2L, 4L);
    assertThat(run.resolve("samples/fakes-latest.png")).exists();
    assertThat(run.resolve("samples/reals.png")).exists();
    assertThat(run.resolve("samples/depth-latest.png")).exists();

    // Event files are valid TFRecords with the loss scalars and a sample image.
    Path events;
    try (Stream<Path> s = Files.list(run)) {
      events = s.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents")).findFirst().orElseThrow();
    }
    List<Event> ev = EventFiles.read(events);
    List<String> tags = ev.stream().filter(Event::hasSummary).flatMap(e -> e.getSummary().getValueList().stream()).map(v -> v.getTag()).distinct().toList();
    assertThat(tags).contains("Loss/G", "Loss/D_real", "Loss/D_fake", "Loss/R1", "Timing/sec_per_kimg");
    assertThat(tags).anyMatch(t -> t.startsWith("samples"));

    // Resume: continues from step 8 to the (raised) total with the recorded config.
    Path resolved = run.resolve(Configs.RESOLVED_FILE);
    String text = Files.readString(resolved).replace("total_kimg: 0.016", "total_kimg: 0.024");
    Files.writeString(resolved, text);
    TinyTraining.Io io2 = new TinyTraining.Io();
    int code2 = train(io2, "--resume", run.toString());
    assertThat(code2).as(io2.err.toString()).isZero();
    assertThat(io2.out.toString()).contains("resumed from").contains("step 4");
    assertThat(cm.latest().orElseThrow().manifest().step()).isEqualTo(6L);
  }

  @Test
  void theFirstTickEndsWithACheckpointSoARunThatDiesEarlyCanResume() throws Exception {
    // Snapshots every 3 ticks (steps 6, 12, ...); the first tick (step 2) is saved as well.
    Path runs = dir.resolve("runs");
    TinyTraining.Io io = new TinyTraining.Io();
    int code = train(io, args(runs, TinyTraining.overrides(dir.resolve("cache"),
        "train { total_kimg: 0.032 snapshot_ticks: 3 }")));
    assertThat(code).as(io.err.toString()).isZero();
    Path run = CheckpointValues.onlyRun(runs);
    assertThat(new CheckpointManager(run.resolve("checkpoints"), 5).list())
        .extracting(c -> c.manifest().step()).containsExactly(2L, 6L, 8L);
  }

  @Test
  void theEtaHonoursTheTimeCapAndSaysSo() throws Exception {
    // 100 kimg would take hours; train.max_minutes ends the run after 6 s (the first step, with
    // TF's graph optimisation, takes a few of them).
    TinyTraining.Io io = new TinyTraining.Io();
    int code = train(io, args(dir.resolve("runs"), TinyTraining.overrides(dir.resolve("cache"),
        "train { total_kimg: 100 max_minutes: 0.1 }")));
    assertThat(code).as(io.err.toString()).isZero();
    List<String> lines = io.out.toString().lines().filter(l -> l.startsWith("train ")).toList();
    assertThat(lines).as(io.out.toString()).isNotEmpty();
    for (String l : lines) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("ETA (\\d+)s \\(time cap\\)").matcher(l);
      assertThat(m.find()).as(l).isTrue();
      assertThat(Integer.parseInt(m.group(1))).as(l).isBetween(0, 6);
    }
    assertThat(io.out.toString()).contains("stopped at the time limit (train.max_minutes = 0.1)");
  }

  @Test
  void computesTrainMetricsAtStepZeroAndAtEverySnapshotWithProvenance() throws Exception {
    Path runs = dir.resolve("runs");
    TinyTraining.Io io = new TinyTraining.Io();
    int code = train(io, args(runs, TinyTraining.overrides(dir.resolve("cache"),
        "train { total_kimg: 0.016 metrics: \"fid24_cls\" metrics: \"acc24_cls\" }"
            + " eval { classifier_steps: 10 batch_size: 8 }")));
    assertThat(code).as(io.err.toString()).isZero();
    Path run;
    try (Stream<Path> s = Files.list(runs)) {
      run = s.findFirst().orElseThrow();
    }
    // Step 0 (before any update) and the snapshots at steps 2 and 4, two metrics each.
    List<JsonObject> lines = Files.readAllLines(run.resolve("metrics.jsonl")).stream()
        .map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
    assertThat(lines).extracting(o -> o.get("name").getAsString() + "@"
            + o.getAsJsonObject("provenance").get("step").getAsString())
        .containsExactly("fid24_cls@0", "acc24_cls@0", "fid24_cls@2", "acc24_cls@2",
            "fid24_cls@4", "acc24_cls@4");
    for (JsonObject o : lines) {
      double v = o.get("value").getAsDouble();
      assertThat(v).isFinite().isGreaterThanOrEqualTo(0);
      assertThat(o.get("numGenerated").getAsInt()).isEqualTo(24);
      assertThat(o.get("featureNetwork").getAsString()).startsWith("cls-");
    }
    assertThat(lines.get(0).getAsJsonObject("provenance").get("checkpoint").getAsString())
        .isEqualTo("initialisation (step 0)");
    assertThat(lines.get(2).getAsJsonObject("provenance").get("checkpoint").getAsString())
        .endsWith("step-000000002");
    // The same G_ema and seeds give the same images: step 0's value is reproducible only if
    // sampling is deterministic, so two FIDs at different steps differ (the generator changed).
    assertThat(lines.get(0).get("value").getAsDouble())
        .isNotEqualTo(lines.get(4).get("value").getAsDouble());
    assertThat(io.out.toString()).contains("metrics at step 0 (0.000 kimg):  fid24_cls ");

    Path events;
    try (Stream<Path> s = Files.list(run)) {
      events = s.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents"))
          .findFirst().orElseThrow();
    }
    List<String> tags = EventFiles.read(events).stream().filter(Event::hasSummary)
        .flatMap(e -> e.getSummary().getValueList().stream()).map(v -> v.getTag()).distinct()
        .toList();
    assertThat(tags).contains("Metrics/fid24_cls", "Metrics/acc24_cls");
  }

  /** Runs until total_kimg with train.metrics; a SIGTERM request once the metrics of step 2 start. */
  private int stopDuringMetricsOfStepTwo(String totalKimg, StringBuilder text, TinyTraining.Io io) {
    java.util.concurrent.atomic.AtomicReference<GracefulStop> stop =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicInteger armedAt = new java.util.concurrent.atomic.AtomicInteger(-1);
    java.io.Writer watching = new java.io.Writer() {
      @Override
      public void write(char[] c, int off, int len) {
        text.append(c, off, len);
        if (armedAt.get() >= 0 && text.indexOf("generated images", armedAt.get()) >= 0
            && !stop.get().requested()) {
          stop.get().request(GracefulStop.Sig.TERM);
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    CommandLine cl = Main.commandLine(new TrainLoop((step, s) -> {
      if (stop.compareAndSet(null, s)) { // after the first step, so past the step-0 metrics
        armedAt.set(text.length());
      }
    }));
    cl.setOut(new java.io.PrintWriter(watching, true));
    cl.setErr(io.errW);
    return cl.execute(args(dir.resolve("runs"), TinyTraining.overrides(dir.resolve("cache"),
        "train { total_kimg: " + totalKimg + " metrics: \"fid24_cls\" }"
            + " eval { classifier_steps: 10 batch_size: 8 }")));
  }

  @Test
  void aSignalDuringTheMetricsSkipsThemAndStopsWithTheSnapshotJustWritten() throws Exception {
    StringBuilder text = new StringBuilder();
    TinyTraining.Io io = new TinyTraining.Io();
    int code = stopDuringMetricsOfStepTwo("0.016", text, io);
    assertThat(code).as(io.err.toString()).isEqualTo(5);
    Path run = CheckpointValues.onlyRun(dir.resolve("runs"));
    assertThat(text.toString()).contains("metrics at step 2 skipped: SIGTERM received\n")
        .doesNotContain("step 3");
    assertThat(io.err.toString()).endsWith("wild3d-train: stopped by SIGTERM at step 2 (0.008"
        + " kimg): checkpoint " + run.resolve("checkpoints").resolve("step-000000002")
        + " written; continue with: wild3d-train --resume " + run + "\n");
    assertThat(new CheckpointManager(run.resolve("checkpoints"), 5).list())
        .extracting(c -> c.manifest().step()).containsExactly(2L);
    // Only step 0's metric was recorded.
    assertThat(Files.readAllLines(run.resolve("metrics.jsonl"))).hasSize(1);
  }

  @Test
  void aSignalDuringTheFinalMetricsOfACompleteRunSkipsThemAndExitsZero() throws Exception {
    StringBuilder text = new StringBuilder();
    TinyTraining.Io io = new TinyTraining.Io();
    int code = stopDuringMetricsOfStepTwo("0.008", text, io);
    assertThat(code).as(io.err.toString()).isZero();
    Path run = CheckpointValues.onlyRun(dir.resolve("runs"));
    assertThat(text.toString()).contains("metrics at step 2 skipped: SIGTERM received\n");
    assertThat(io.err.toString()).endsWith("wild3d-train: SIGTERM during the final metrics: they"
        + " were skipped; the run is complete (" + run.resolve("checkpoints").resolve(
            "step-000000002") + "; compute them with wild3d-eval metrics --run " + run + ")\n");
    assertThat(new CheckpointManager(run.resolve("checkpoints"), 5).list())
        .extracting(c -> c.manifest().step()).containsExactly(2L);
  }

  @Test
  void blursDiscriminatorInputsWithASigmaFadingLinearlyToZero() throws Exception {
    Path runs = dir.resolve("runs");
    TinyTraining.Io io = new TinyTraining.Io();
    int code = train(io, args(runs, TinyTraining.overrides(dir.resolve("cache"),
        "train { total_kimg: 0.024 blur_fade_kimg: 0.016 blur_sigma: 2 }")));
    assertThat(code).as(io.err.toString()).isZero();
    Path run;
    try (Stream<Path> s = Files.list(runs)) {
      run = s.findFirst().orElseThrow();
    }
    Path events;
    try (Stream<Path> s = Files.list(run)) {
      events = s.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents"))
          .findFirst().orElseThrow();
    }
    // Ticks end at 0.008, 0.016, 0.024 kimg (steps 2, 4, 6): σ = 2·(1 − kimg/0.016), floored at 0.
    List<Float> sigmas = EventFiles.read(events).stream().filter(Event::hasSummary)
        .flatMap(e -> e.getSummary().getValueList().stream())
        .filter(v -> v.getTag().equals("Progress/blur_sigma")).map(EventFiles::scalar).toList();
    // (kimg is a running sum of 0.004s, so "0" at 0.016 kimg is within float rounding of 0.)
    assertThat(sigmas).hasSize(3);
    assertThat(sigmas.get(0)).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
    assertThat(sigmas.get(1)).isCloseTo(0f, org.assertj.core.data.Offset.offset(1e-5f));
    assertThat(sigmas.get(2)).isZero();
  }

  @Test
  void aMalformedTrainMetricIsAConfigErrorNamingTheField() {
    TinyTraining.Io io = new TinyTraining.Io();
    int code = train(io, args(dir.resolve("runs"), TinyTraining.overrides(dir.resolve("cache"),
        "train { metrics: \"acc2k\" }")));
    assertThat(code).isEqualTo(3);
    assertThat(io.err.toString()).contains("train.metrics").contains("acc2k");
  }

  @Test
  void nonFiniteLossStopsCleanlyAndKeepsTheLastGoodCheckpoint() throws Exception {
    Path runs = dir.resolve("runs");
    TinyTraining.Io io = new TinyTraining.Io();
    int code =
        train(
            io,
            args(
                runs,
                TinyTraining.overrides(dir.resolve("cache"), "train { d_lr: 1e38 g_lr: 1e38 total_kimg: 1 }")));
    assertThat(code).isEqualTo(1);
    assertThat(io.err.toString()).contains("non-finite loss").contains("--resume");
    Path run;
    try (Stream<Path> s = Files.list(runs)) {
      run = s.findFirst().orElseThrow();
    }
    // Every listed checkpoint is complete; nothing half-written remains listed.
    for (var c : new CheckpointManager(run.resolve("checkpoints"), 5).list()) {
      assertThat(c.dir().resolve("variables.index")).exists();
    }
  }
}
