package org.wild3d.config;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Range and consistency checks of an {@link Experiment}: every error names its field path and
 * says {@code expected <x>, found <y> (<how to fix>)}. At most one error is reported per field
 * (the first found); non-finite numbers are reported before anything else.
 *
 * <p>The rules of everything that is built from the config (model, render, camera, train) live
 * in the spec constructors ({@link GanSpec#from} and its parts), which this runs; the rules here
 * are those of the messages nothing builds from (name, data, eval, invert) and between the data and
 * the model.
 */
public final class ConfigValidator {
  /** Classes of the shapes dataset when {@code data.shapes.classes} is empty. */
  public static final int DEFAULT_SHAPE_CLASSES = 6;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
  private static final Pattern METRIC = Pattern.compile("[a-z][a-z0-9_]*");

  private final FieldRules rules = new FieldRules();

  private ConfigValidator() {}

  /** Every problem of {@code e} (whose unset fields read as their defaults); empty if valid. */
  public static List<ConfigError> validate(Experiment e) {
    ConfigValidator v = new ConfigValidator();
    v.finite("", e);
    v.experiment(e);
    return List.copyOf(v.rules.errors());
  }

  /** Throws a {@link ConfigException} listing every problem of {@code e}, if any. */
  public static void check(Experiment e) {
    List<ConfigError> errors = validate(e);
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
  }

  // -- rules ----------------------------------------------------------------------------------

  private void experiment(Experiment e) {
    check(e.getName().isEmpty() || NAME.matcher(e.getName()).matches(), "name",
        "letters, digits, '.', '_' or '-' (at most 100, starting with a letter or digit)",
        quote(e.getName()), "it names the run directory");
    rules.attempt(() -> GanSpec.from(e));
    data(e.getData(), e.getModel(), rules.attempt(() -> ModelSpec.from(e)));
    metrics("train.metrics", e.getTrain().getMetricsList());
    eval(e.getEval());
    invert(e.getInvert());
  }

  /** {@code model} is null when the architecture is invalid (reported on its own fields). */
  private void data(Data d, Model m, ModelSpec model) {
    switch (d.getSourceCase()) {
      case PATH -> check(!d.getPath().isBlank(), "data.path", "a dataset folder or ZIP",
          quote(d.getPath()), "e.g. data/imagenet-128.zip");
      case SHAPES -> {
        ShapesDataset s = d.getShapes();
        rules.atLeast("data.shapes.images_per_class", s.getImagesPerClass(), 1, "e.g. 1000");
        Set<String> seen = new HashSet<>();
        for (String c : s.getClassesList()) {
          check(!c.isBlank() && seen.add(c), "data.shapes.classes", "distinct class names",
              quote(c), "list each class once");
        }
        int k = s.getClassesCount() == 0 ? DEFAULT_SHAPE_CLASSES : s.getClassesCount();
        check(m.getNumClasses() == k, "model.num_classes",
            k + " (the classes of data.shapes" + (s.getClassesCount() == 0 ? ", default six" : "")
                + ")", m.getNumClasses(), "set model { num_classes: " + k + " }");
      }
      case MESHES -> {
        check(!d.getMeshes().getRoot().isBlank(), "data.meshes.root",
            "a folder with one sub-folder of meshes per class", quote(d.getMeshes().getRoot()),
            "e.g. data/furniture-src");
        rules.atLeast("data.meshes.views_per_mesh", d.getMeshes().getViewsPerMesh(), 1, "e.g. 24");
      }
      case SOURCE_NOT_SET -> check(false, "data.source",
          "one of data.path, data.shapes or data.meshes", "none",
          "add e.g. data { shapes {} } for the procedural shapes dataset");
    }
    // Only compare with a valid generator; an invalid one is reported on its own fields.
    if (model != null) {
      int image = model.imageResolution();
      check(d.getResolution() == image, "data.resolution",
          image + ", the resolution of generated images ("
              + (model.hasSuperResolution() ? "model.superres.output_resolution"
                  : "render.resolution, superres off") + ")",
          d.getResolution(), "set data { resolution: " + image + " } or change the generator");
    }
    rules.atLeast("data.max_images", d.getMaxImages(), 0, "0 = all");
  }

  private void eval(Eval e) {
    rules.atLeast("eval.batch_size", e.getBatchSize(), 1, "e.g. 16");
    rules.atLeast("eval.classifier_steps", e.getClassifierSteps(), 1, "e.g. 1000");
    metrics("eval.metrics", e.getMetricsList());
  }

  private void invert(Invert i) {
    rules.atLeast("invert.camera_candidates", i.getCameraCandidates(), 1, "e.g. 24");
    rules.atLeast("invert.latent_starts", i.getLatentStarts(), 1, "e.g. 4");
    rules.atLeast("invert.stage1_steps", i.getStage1Steps(), 0, "0 = skip stage 1");
    rules.atLeast("invert.stage2_steps", i.getStage2Steps(), 0, "0 = skip pivotal tuning");
    rules.positive("invert.stage1_lr", i.getStage1Lr(), "PTI uses 0.01");
    rules.positive("invert.stage2_lr", i.getStage2Lr(), "PTI uses 3e-4");
    rules.atLeast("invert.stage2_early_stop", i.getStage2EarlyStop(), 0, "0 = never");
    rules.atLeast("invert.pixel_weight", i.getPixelWeight(), 0, "0 = off");
    rules.atLeast("invert.perceptual_weight", i.getPerceptualWeight(), 0, "0 = off");
    check(i.getPixelWeight() + i.getPerceptualWeight() > 0, "invert.pixel_weight",
        "pixel_weight + perceptual_weight > 0", i.getPixelWeight() + i.getPerceptualWeight(),
        "with both 0 there is nothing to fit");
    rules.atLeast("invert.locality_weight", i.getLocalityWeight(), 0, "0 = off");
  }

  // -- helpers --------------------------------------------------------------------------------

  private void metrics(String path, List<String> names) {
    for (String n : names) {
      check(METRIC.matcher(n).matches(), path, "metric names like fid50k or kid2k",
          quote(n), "lower-case letters, digits and '_'");
    }
  }

  /** Every float and double field, set or default, must be finite. */
  private void finite(String prefix, Message msg) {
    for (FieldDescriptor fd : msg.getDescriptorForType().getFields()) {
      String path = prefix + fd.getName();
      switch (fd.getJavaType()) {
        case FLOAT, DOUBLE -> {
          List<Object> values = new ArrayList<>();
          if (fd.isRepeated()) {
            for (int i = 0; i < msg.getRepeatedFieldCount(fd); i++) {
              values.add(msg.getRepeatedField(fd, i));
            }
          } else {
            values.add(msg.getField(fd));
          }
          for (Object v : values) {
            check(Double.isFinite(((Number) v).doubleValue()), path, "a finite number", v,
                "inf and nan are not allowed");
          }
        }
        case MESSAGE -> {
          if (!fd.isRepeated()) {
            finite(path + ".", (Message) msg.getField(fd));
          }
        }
        default -> {}
      }
    }
  }

  private void check(boolean ok, String path, String expected, Object found, String fix) {
    rules.check(ok, path, expected, found, fix);
  }

  private static String quote(String s) {
    return "\"" + s + "\"";
  }
}
