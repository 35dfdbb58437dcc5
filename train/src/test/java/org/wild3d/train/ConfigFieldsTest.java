package org.wild3d.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.wild3d.config.Experiment;
import picocli.CommandLine;

/**
 * Every numeric field of the schema, set out of range, ends in exit 3 from {@code wild3d-train
 * --dry-run} naming the field, before any graph is built; never exit 1 or a stack trace. And
 * values at the edges of what the rules accept build the training graph and run a step of every
 * phase, so that a value the validator lets through never fails in a block.
 */
class ConfigFieldsTest {
  @TempDir Path dir;

  /** A numeric field: its dotted path and protobuf type. */
  record Field(String path, FieldDescriptor fd) {}

  /** Every int, long, float and double field below {@code Experiment}, recursively. */
  static List<Field> numericFields() {
    List<Field> out = new ArrayList<>();
    walk(Experiment.getDescriptor(), "", out);
    return out;
  }

  private static void walk(Descriptor d, String prefix, List<Field> out) {
    for (FieldDescriptor fd : d.getFields()) {
      String path = prefix + fd.getName();
      switch (fd.getJavaType()) {
        case INT, LONG, FLOAT, DOUBLE -> out.add(new Field(path, fd));
        case MESSAGE -> walk(fd.getMessageType(), path + ".", out);
        default -> {}
      }
    }
  }

  /** {@code model.mapping.z_dim = -1} as {@code model { mapping { z_dim: -1 } }}. */
  static String snippet(String path, String value) {
    String[] parts = path.split("\\.");
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < parts.length - 1; i++) {
      s.append(parts[i]).append(" { ");
    }
    s.append(parts[parts.length - 1]).append(": ").append(value);
    for (int i = 0; i < parts.length - 1; i++) {
      s.append(" }");
    }
    return s.toString();
  }

  /** Values out of range for most fields (and in range for some, e.g. 0 = off). */
  static List<String> values(FieldDescriptor fd) {
    return switch (fd.getJavaType()) {
      case INT -> List.of("-1", "0", Integer.toString(Integer.MAX_VALUE));
      case LONG -> List.of("-1", "0", Long.toString(Long.MAX_VALUE));
      default -> List.of("-1", "0", "1e30", "nan", "inf", "-inf");
    };
  }

  record Outcome(int exit, String out, String err) {}

  static Outcome dryRun(String... overrides) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine(ctx -> {
      throw new AssertionError("--dry-run must not start a job");
    });
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    List<String> args = new ArrayList<>(List.of("--dry-run"));
    for (String o : overrides) {
      args.add("--override");
      args.add(o);
    }
    int exit = cl.execute(args.toArray(String[]::new));
    return new Outcome(exit, out.toString(), err.toString());
  }

  @Test
  void everyNumericFieldOutOfRangeIsExitThreeNamingTheField() {
    List<Field> fields = numericFields();
    assertThat(fields).as("numeric fields of the schema").hasSizeGreaterThan(80);
    int rejected = 0;
    List<String> problems = new ArrayList<>();
    for (Field f : fields) {
      for (String v : values(f.fd())) {
        String o = snippet(f.path(), v);
        // The mesh dataset, chosen by setting one of its fields, needs its folder.
        Outcome r = f.path().startsWith("data.meshes.")
            ? dryRun("data { meshes { root: \"meshes\" } }", o) : dryRun(o);
        boolean nonFinite = v.equals("nan") || v.endsWith("inf");
        if (r.exit() == 3) {
          rejected++;
          if (!r.err().contains(f.path() + ":") && !r.err().contains(f.path() + " ")) {
            problems.add(o + ": exit 3 without naming " + f.path() + ": " + r.err());
          }
        } else if (r.exit() != 0 || nonFinite) {
          problems.add(o + ": exit " + r.exit() + ": " + r.err());
        }
        if (r.err().contains("Exception") || r.err().contains("\tat ")) {
          problems.add(o + ": a Java exception reached the user: " + r.err());
        }
      }
    }
    assertThat(problems).isEmpty();
    assertThat(rejected).as("out-of-range values rejected").isGreaterThan(fields.size());
  }

  /** The three rules that used to pass the validator and then fail while building the graph. */
  @ParameterizedTest
  @ValueSource(strings = {
    "render { samples_stratified: 1 }|render.samples_stratified: expected a value >= 2, found 1",
    "render { ray_start: 0 }|render.ray_start: expected a value > 0, found 0",
    "model { decoder { num_hidden_layers: 0 } }"
        + "|model.decoder.num_hidden_layers: expected a value >= 1, found 0",
    "model { discriminator { mbstd_channels: 5 } }|model.discriminator.mbstd_channels: expected"
        + " a divisor of the discriminator's 4x4 channels",
  })
  void rulesOnceInTheValidatorAndTheBlockAreExitThree(String caseText) {
    String[] c = caseText.split("\\|");
    Outcome r = dryRun(c[0]);
    assertThat(r.exit()).as(r.err()).isEqualTo(3);
    assertThat(r.err()).startsWith("wild3d-train: invalid config").contains(c[1]);
    assertThat(r.out()).isEmpty();
  }

  /**
   * Values at the edges of the rules, a few per config: each builds the whole training graph and
   * runs every phase once ({@link Bench} on synthetic inputs).
   */
  @ParameterizedTest
  @ValueSource(strings = {
    // smallest rendering (D at 4×4), two coarse samples, no importance, the shallowest MLPs
    "render { resolution: 4 samples_stratified: 2 samples_importance: 0 ray_start: 0.01 }"
        + " data { resolution: 4 }"
        + " model { decoder { num_hidden_layers: 1 feature_dim: 3 } mapping { num_layers: 1 }"
        + " discriminator { mbstd_group_size: 0 mapping_layers: 0 cmap_dim: 1 } }",
    // stacked views, 2× super-resolution, smallest triplanes, no extra blocks, no clamp, blur
    "model { multiview { views: 2 fusion: STACKED } superres { output_resolution: 32"
        + " channels: 1 } triplane { resolution: 8 channels: 1 } synthesis { extra_blocks: 0"
        + " conv_clamp: 0 channel_max: 1 } discriminator { mbstd_channels: 16 } }"
        + " data { resolution: 32 } train { blur_fade_kimg: 1 blur_sigma: 0.5 }",
    // regularisers and EMA off, w_avg frozen, a one-wide embedding
    "train { density_reg: 0 r1_gamma: 0 ema_kimg: 0 shared_fakes: true } model { mapping {"
        + " w_avg_beta: 1 embed_dim: 1 } decoder { hidden_dim: 1 } }",
  })
  void acceptedEdgeValuesBuildAndRunEveryPhase(String extra) {
    Experiment cfg = TinyTraining.load(dir.resolve("cache"), extra).resolved();
    Bench.Report r = Bench.run(cfg, 0, 1, 0, new PrintWriter(Writer.nullWriter()));
    assertThat(r.mainStepSeconds()).isPositive();
  }
}
