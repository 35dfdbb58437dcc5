package org.wild3d.invert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.camera.Camera;
import org.wild3d.checkpoint.CheckpointManager.Checkpoint;
import org.wild3d.checkpoint.CheckpointRestore;
import org.wild3d.config.Experiment;
import org.wild3d.config.LoadedConfig;
import org.wild3d.model.Snapshot;
import org.wild3d.model.TinyRuns;

class InverterTest {
  @TempDir static Path dir;
  static Path run;
  static Experiment cfg;
  static Checkpoint ckpt;

  @BeforeAll
  static void tinyRun() {
    LoadedConfig loaded = TinyRuns.config(dir.resolve("cache"), """
        invert { camera_candidates: 12 latent_starts: 2 stage1_steps: 60 stage1_lr: 0.05
                 stage2_steps: 30 stage2_lr: 0.003 }
        """);
    run = dir.resolve("run");
    cfg = loaded.resolved();
    TinyRuns.writeRun(run, loaded, 40, TinyRuns.Inputs.of(cfg, 2), 1f);
    ckpt = CheckpointRestore.choose(run, null, new PrintWriter(new StringWriter()));
  }

  private static Inverter open(Experiment c) {
    return Inverter.open(c, ckpt, new ClassifierPerceptual(ClassifierPerceptualTest.randomWeights(
        2)), 2);
  }

  @Test
  void rendersExactlyWhatTheSnapshotRendersForTheSameLatent() {
    Experiment quick = cfg.toBuilder().setInvert(cfg.getInvert().toBuilder().setStage2Steps(3))
        .build();
    try (Inverter inv = open(quick); Snapshot snap = Snapshot.open(run, 2)) {
      int zDim = cfg.getModel().getMapping().getZDim();
      float[] zs = new float[zDim];
      SplittableRandom rng = new SplittableRandom(1);
      for (int i = 0; i < zDim; i++) {
        zs[i] = (float) rng.nextGaussian();
      }
      float[] w = inv.mapLatents(zs, 1, 1);
      Camera cam = new Camera(SphereCamera.cam2world(0.4, 0.3, 0, 2.7), cfg.getCamera()
          .getFovDegrees());
      inv.setPivot(w, new SphereCamera.Angles(0.4, 0.3, 0, 2.7));
      float[] mine = inv.render(new Camera[] {cam}).images();
      float[] want = snap.generate(zs, new int[] {1}, new Camera[] {cam}, 1f).images();
      assertThat(mine).containsExactly(want, within(1e-4f));
      // tuning changes the generator; reset() restores it from the checkpoint
      inv.setTarget(new float[16 * 16 * 3], 1);
      Inverter.Stage tuned = inv.tune(null);
      assertThat(tuned.steps()).isEqualTo(3);
      assertThat(inv.render(new Camera[] {cam}).images()).isNotEqualTo(mine);
      inv.reset();
      inv.setPivot(w, new SphereCamera.Angles(0.4, 0.3, 0, 2.7));
      assertThat(inv.render(new Camera[] {cam}).images()).containsExactly(want, within(1e-4f));
      Inverter.Pivot p = inv.pivot();
      assertThat(p.camera().azimuth()).isCloseTo(0.4, within(1e-6));
      assertThat(p.camera().elevation()).isCloseTo(0.3, within(1e-6));
      assertThat(p.ws()).hasSize(p.numWs() * p.wDim());
    }
  }

  @Test
  void theLocalityTermFeedsTheSamplePathAndChangesTheTuning() {
    Camera cam = new Camera(SphereCamera.cam2world(0.4, 0.3, 0, 2.7), cfg.getCamera()
        .getFovDegrees());
    float[][] tuned = new float[2][];
    double[] losses = new double[2];
    for (int k = 0; k < 2; k++) {
      Experiment c = cfg.toBuilder().setInvert(cfg.getInvert().toBuilder().setStage2Steps(3)
          .setLocalityWeight(k == 0 ? 0f : 10f)).build();
      try (Inverter inv = open(c)) {
        float[] zs = new float[cfg.getModel().getMapping().getZDim()];
        zs[0] = 1f;
        inv.setPivot(inv.mapLatents(zs, 1, 1), new SphereCamera.Angles(0.4, 0.3, 0, 2.7));
        inv.setTarget(new float[16 * 16 * 3], 1);
        Inverter.Stage s = inv.tune(null);
        losses[k] = s.lossEnd();
        tuned[k] = inv.render(new Camera[] {cam}).images();
      }
    }
    assertThat(Double.isFinite(losses[0]) && Double.isFinite(losses[1]))
        .as("losses %s, %s", losses[0], losses[1]).isTrue();
    // Same pivot, target and steps: only the locality term (PTI's samples near the pivot, through
    // the sampling path) differs, so the tuned generators differ.
    assertThat(tuned[1]).isNotEqualTo(tuned[0]);
  }

  @Test
  @org.junit.jupiter.api.Tag("slow")
  void stageOneRecoversTheCameraAndStageTwoRaisesPsnr() throws Exception {
    StringWriter log = new StringWriter();
    try (Inverter inv = open(cfg)) {
      // the target: the generator's own image of a latent of class 2 from a camera between the
      // search's candidates
      SplittableRandom rng = new SplittableRandom(4);
      float[] zs = new float[cfg.getModel().getMapping().getZDim()];
      for (int i = 0; i < zs.length; i++) {
        zs[i] = (float) rng.nextGaussian();
      }
      float[] w = inv.mapLatents(zs, 2, 1);
      SphereCamera.Angles truth = new SphereCamera.Angles(1.0, 0.35, 0, 2.7);
      inv.setPivot(w, truth);
      float[] target = inv.pivotImage();

      Inverter.Search s = inv.search(target, -1, new PrintWriter(log));
      assertThat(s.evaluated()).isEqualTo(3 * 12 + 12); // classes x cameras, then 1 more start
      Inverter.Stage s1 = inv.fitPivot(new PrintWriter(log));
      Inverter.Pivot p = inv.pivot();
      double err = SphereCamera.viewpointErrorDegrees(p.camera().cam2world(), truth.cam2world());
      System.out.printf("stage1: class %d, camera error %.1f deg, psnr %.2f, loss %.4f -> %.4f%n",
          p.classIndex(), err, s1.psnr(), s1.lossStart(), s1.lossEnd());
      assertThat(s1.lossEnd()).isLessThan(s1.lossStart());
      assertThat(err).isLessThan(15);
      assertThat(s1.psnr()).isGreaterThan(25);

      Inverter.Stage s2 = inv.tune(new PrintWriter(log));
      System.out.printf("stage2: psnr %.2f, loss %.4f -> %.4f%n", s2.psnr(), s2.lossStart(),
          s2.lossEnd());
      assertThat(s2.steps()).isEqualTo(30);
      assertThat(s2.psnr()).isGreaterThan(s1.psnr());
      assertThat(s2.lossEnd()).isLessThan(s2.lossStart());

      Path out = dir.resolve("tuned");
      java.nio.file.Files.createDirectories(out);
      org.wild3d.config.Configs.writeRunConfigs(out, TinyRuns.config(dir.resolve("cache"), ""));
      inv.saveGenerator(out, Map.of("pti", "test"));
      float[] tunedView = inv.render(new Camera[] {p.toCamera()}).images();
      // the reloaded generator is the tuned one: same image for the same latent and camera
      float[] w2 = inv.mapLatents(zs, 1, 1);
      inv.setPivot(w2, truth);
      float[] tunedOther = inv.pivotImage();
      try (Snapshot snap = Snapshot.open(out, 2)) {
        assertThat(snap.checkpoint().manifest().extra()).containsEntry("pti", "test");
        float[] re = snap.generate(zs, new int[] {1}, new Camera[] {new Camera(truth.cam2world(),
            cfg.getCamera().getFovDegrees())}, 1f).images();
        assertThat(re).containsExactly(tunedOther, within(1e-4f));
      }
      assertThat(tunedView).hasSize(16 * 16 * 3);
    }
    assertThat(log.toString()).contains("search: 48 renders", "stage 1 step 60/60",
        "stage 2 step 30/30");
  }
}
