package org.wild3d.configs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.wild3d.camera.CameraSampler;
import org.wild3d.camera.Cameras;
import org.wild3d.config.CameraPriorSpec;
import org.wild3d.config.ConfigLoader;
import org.wild3d.config.ConfigValidator;
import org.wild3d.config.Experiment;
import org.wild3d.config.ModelSpec;
import org.wild3d.config.MultiView;
import org.wild3d.disc.Discriminator;
import org.wild3d.model.Generator3D;
import org.wild3d.nn.Noise;
import org.wild3d.nn.Params;

/**
 * Every shipped experiment builds: its generator and discriminator graphs are constructed from the
 * file — every architectural switch as written (classes, extra blocks, decoder depth, SR, views and
 * fusion) — at reduced widths and resolutions, and one forward pass runs.
 */
class ShippedConfigsBuildTest {
  private static final Path DIR = Path.of(System.getProperty("basedir", "."));

  /** Experiments: configs/*.pbtxt and the ablation variants configs/ablation/*.pbtxt. */
  static Stream<Path> shipped() throws Exception {
    try (Stream<Path> files = Files.list(DIR); Stream<Path> ablation = Files.list(
        DIR.resolve("ablation"))) {
      return Stream.concat(files, ablation).filter(p -> p.toString().endsWith(".pbtxt"))
          .sorted().toList().stream();
    }
  }

  /** The config with widths and resolutions shrunk; every structural choice kept. */
  static Experiment reduced(Experiment e) {
    Experiment.Builder b = e.toBuilder();
    var m = b.getModelBuilder();
    m.getMappingBuilder().setZDim(16).setWDim(16).setEmbedDim(0);
    m.getSynthesisBuilder().setChannelBase(256).setChannelMax(16);
    m.getTriplaneBuilder().setResolution(16).setChannels(4);
    m.getDecoderBuilder().setHiddenDim(8);
    m.getDiscriminatorBuilder().setChannelBase(256).setChannelMax(16).setCmapDim(0);
    if (m.getDiscriminator().getMbstdGroupSize() > 0) {
      m.getDiscriminatorBuilder().setMbstdGroupSize(2).setMbstdChannels(1);
    }
    int sr = m.getSuperres().getOutputResolution();
    int rr = 8;
    b.getRenderBuilder().setResolution(rr).setSamplesStratified(4).setSamplesImportance(
        e.getRender().getSamplesImportance() > 0 ? 4 : 0);
    if (sr > 0) {
      int factor = sr / e.getRender().getResolution();
      m.getSuperresBuilder().setOutputResolution(rr * factor).setChannels(8);
      b.getDataBuilder().setResolution(rr * factor);
    } else {
      b.getDataBuilder().setResolution(rr);
    }
    b.getTrainBuilder().setBatchSize(2);
    return b.build();
  }

  @ParameterizedTest
  @MethodSource("shipped")
  void buildsAndRunsAtReducedSize(Path file) throws Exception {
    Experiment full = ConfigLoader.load(file, List.of()).resolved();
    Experiment cfg = reduced(full);
    assertThat(ConfigValidator.validate(cfg)).as("reduced %s", file).isEmpty();
    int n = 2;
    int views = cfg.getModel().getMultiview().getViews();
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      ModelSpec model = ModelSpec.from(cfg);
      Generator3D gen = new Generator3D(tf, new Params(1), model, "G");
      int res = gen.imageResolution();
      Discriminator d = new Discriminator(tf, new Params(2), "D", model.discriminator());
      var z = tf.constant(new float[n][16]);
      var c = tf.constant(new int[] {0, cfg.getModel().getNumClasses() - 1});
      var cams = Cameras.toTensors(new CameraSampler(CameraPriorSpec.from(cfg.getCamera()), 0).sample(n * views));
      var mapped = gen.map(z, c, tf.constant(1f));
      Generator3D.Output out =
          gen.synthesize(mapped.ws(), tf.constantOf(cams.cam2world()), tf.constantOf(cams.intrinsics()), views, Noise.none(), null);
      var cv = Discriminator.repeatViews(tf, c, views);
      var logits = d.score(out.image(), gen.hasSuperResolution() ? out.raw() : null, cv);
      try (Session s = new Session(g); Result r = s.runner().fetch(out.image()).fetch(logits).run()) {
        assertThat(r.get(0).shape().asArray()).containsExactly((long) n * views, res, res, 3);
        long scores = cfg.getModel().getMultiview().getFusion() == MultiView.Fusion.STACKED ? n : (long) n * views;
        assertThat(r.get(1).shape().asArray()).containsExactly(scores, 1);
        float l = ((TFloat32) r.get(1)).getFloat(0, 0);
        assertThat(Float.isFinite(l)).isTrue();
      } finally {
        cams.close();
      }
    }
  }
}
