package org.wild3d.config;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Range and consistency checks of an {@link Experiment}: every error names its field path and
 * says {@code expected <x>, found <y> (<how to fix>)}. At most one error is reported per field
 * (the first found); non-finite numbers are reported before anything else.
 */
public final class ConfigValidator {
  /** Classes of the shapes dataset when {@code data.shapes.classes} is empty. */
  public static final int DEFAULT_SHAPE_CLASSES = 6;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
  private static final Pattern METRIC = Pattern.compile("[a-z][a-z0-9_]*");

  private final Map<String, ConfigError> errors = new LinkedHashMap<>();

  private ConfigValidator() {}

  /** Every problem of {@code e} (whose unset fields read as their defaults); empty if valid. */
  public static List<ConfigError> validate(Experiment e) {
    ConfigValidator v = new ConfigValidator();
    v.finite("", e);
    v.experiment(e);
    return List.copyOf(v.errors.values());
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
    Model m = e.getModel();
    model(m, e.getRender());
    render(e.getRender(), m.getTriplane(), e.getCamera());
    camera(e.getCamera(), m.getTriplane());
    data(e.getData(), m, e.getRender());
    train(e.getTrain(), m);
    eval(e.getEval());
    invert(e.getInvert());
  }

  private void model(Model m, Render r) {
    atLeast("model.num_classes", m.getNumClasses(), 1,
        "1 = unconditional; else the number of classes in the dataset");
    Mapping map = m.getMapping();
    atLeast("model.mapping.z_dim", map.getZDim(), 1, "EG3D uses 512");
    atLeast("model.mapping.w_dim", map.getWDim(), 1, "EG3D uses 512");
    atLeast("model.mapping.embed_dim", map.getEmbedDim(), 0, "0 = w_dim");
    atLeast("model.mapping.num_layers", map.getNumLayers(), 1, "EG3D uses 2");
    positive("model.mapping.lr_multiplier", map.getLrMultiplier(), "EG3D uses 0.01");
    check(map.getWAvgBeta() >= 0 && map.getWAvgBeta() <= 1, "model.mapping.w_avg_beta",
        "a value in [0, 1]", map.getWAvgBeta(), "1 = w_avg never updated; StyleGAN uses 0.995");

    Triplane t = m.getTriplane();
    powerOfTwo("model.triplane.resolution", t.getResolution(), 8, "EG3D uses 256");
    atLeast("model.triplane.channels", t.getChannels(), 1, "EG3D uses 32");
    positive("model.triplane.box_size", t.getBoxSize(), "EG3D uses 1");

    Synthesis s = m.getSynthesis();
    atLeast("model.synthesis.channel_base", s.getChannelBase(), 1, "EG3D uses 32768");
    atLeast("model.synthesis.channel_max", s.getChannelMax(), 1, "EG3D uses 512");
    atLeast("model.synthesis.extra_blocks", s.getExtraBlocks(), 0, "0 = EG3D");
    atLeast("model.synthesis.conv_clamp", s.getConvClamp(), 0, "0 = off");
    if (t.getResolution() > 0) {
      int c = Math.min(s.getChannelBase() / t.getResolution(), s.getChannelMax());
      check(c >= 1, "model.synthesis.channel_base",
          "at least model.triplane.resolution = " + t.getResolution()
              + " (channels at resolution r are min(channel_base / r, channel_max))",
          s.getChannelBase(), "otherwise the last synthesis blocks get 0 channels");
    }

    Decoder d = m.getDecoder();
    atLeast("model.decoder.hidden_dim", d.getHiddenDim(), 1, "EG3D uses 64");
    atLeast("model.decoder.num_hidden_layers", d.getNumHiddenLayers(), 1, "EG3D uses 1");
    atLeast("model.decoder.feature_dim", d.getFeatureDim(), 3,
        "the first 3 features are RGB; EG3D uses 32");
    positive("model.decoder.lr_multiplier", d.getLrMultiplier(), "EG3D uses 1");

    SuperResolution sr = m.getSuperres();
    if (sr.getOutputResolution() != 0) {
      int rr = r.getResolution();
      boolean ok = rr > 0 && sr.getOutputResolution() > rr && sr.getOutputResolution() % rr == 0
          && isPowerOfTwo(sr.getOutputResolution() / rr);
      check(ok, "model.superres.output_resolution",
          "0 (off) or render.resolution = " + rr + " times 2, 4, 8, ...",
          sr.getOutputResolution(), "e.g. " + 2 * Math.max(rr, 1) + " for a 2x upsampling");
      atLeast("model.superres.channels", sr.getChannels(), 1, "EG3D uses 128");
    }

    Discriminator disc = m.getDiscriminator();
    atLeast("model.discriminator.channel_base", disc.getChannelBase(), 1, "EG3D uses 32768");
    atLeast("model.discriminator.channel_max", disc.getChannelMax(), 1, "EG3D uses 512");
    atLeast("model.discriminator.mbstd_group_size", disc.getMbstdGroupSize(), 0,
        "0 = off; EG3D uses 4");
    if (disc.getMbstdGroupSize() > 0) {
      atLeast("model.discriminator.mbstd_channels", disc.getMbstdChannels(), 1,
          "minibatch-std is on (mbstd_group_size > 0); StyleGAN uses 1");
    }
    atLeast("model.discriminator.cmap_dim", disc.getCmapDim(), 0,
        "0 = the last block's channels");
    atLeast("model.discriminator.mapping_layers", disc.getMappingLayers(), 0,
        "StyleGAN2-ADA uses 8");
    int image = imageResolution(m, r);
    if (isPowerOfTwo(image)) {
      int c = Math.min(disc.getChannelBase() / image, disc.getChannelMax());
      check(c >= 1, "model.discriminator.channel_base",
          "at least the image resolution " + image
              + " (channels at resolution r are min(channel_base / r, channel_max))",
          disc.getChannelBase(), "otherwise the first discriminator block gets 0 channels");
    }

    MultiView mv = m.getMultiview();
    atLeast("model.multiview.views", mv.getViews(), 1, "1 = EG3D; the paper renders several");
    if (mv.getFusion() == MultiView.Fusion.STACKED) {
      check(mv.getViews() >= 2, "model.multiview.views",
          "at least 2 with fusion STACKED", mv.getViews(),
          "stack several views, or use fusion PER_VIEW");
    }
  }

  private void render(Render r, Triplane t, CameraPrior cam) {
    powerOfTwo("render.resolution", r.getResolution(), 4, "EG3D uses 64");
    atLeast("render.samples_stratified", r.getSamplesStratified(), 1, "EG3D uses 48");
    atLeast("render.samples_importance", r.getSamplesImportance(), 0, "0 = off; EG3D uses 48");
    atLeast("render.ray_start", r.getRayStart(), 0, "a depth along the ray from the camera");
    check(r.getRayEnd() > r.getRayStart(), "render.ray_end",
        "more than render.ray_start = " + r.getRayStart(), r.getRayEnd(),
        "samples lie between ray_start and ray_end");
    double halfDiag = Math.sqrt(3) * t.getBoxSize() / 2;
    double near = Math.max(0, cam.getRadius() - halfDiag);
    double far = cam.getRadius() + halfDiag;
    if (r.getRayEnd() > r.getRayStart() && t.getBoxSize() > 0 && cam.getRadius() > 0) {
      check(r.getRayStart() < far && r.getRayEnd() > near, "render.ray_start",
          String.format("a range [ray_start, ray_end] that meets the triplane box, i.e. within"
              + " [%.3g, %.3g] (camera.radius -/+ the box's half-diagonal)", near, far),
          "[" + r.getRayStart() + ", " + r.getRayEnd() + "]",
          "otherwise no sample ever reaches the object");
    }
    int n = r.getBackgroundRgbCount();
    check(n == 0 || n == 3, "render.background_rgb", "0 values (black) or 3 values",
        n + " values", "write background_rgb: [r, g, b] with values in [-1, 1]");
    for (int i = 0; n == 3 && i < 3; i++) {
      float v = r.getBackgroundRgb(i);
      check(v >= -1 && v <= 1, "render.background_rgb", "values in [-1, 1]", v,
          "-1 is black, 1 is white");
    }
    atLeast("render.density_noise", r.getDensityNoise(), 0, "0 = off");
  }

  private void camera(CameraPrior c, Triplane t) {
    check(c.getRadius() > t.getBoxSize() / 2, "camera.radius",
        "more than half of model.triplane.box_size = " + t.getBoxSize() / 2, c.getRadius(),
        "the camera must be outside the object's box; EG3D uses 2.7");
    check(c.getFovDegrees() > 0 && c.getFovDegrees() < 180, "camera.fov_degrees",
        "a value in (0, 180)", c.getFovDegrees(), "EG3D's focal 4.2647 is 13.37 degrees");
    check(c.getAzimuthMinDeg() >= -360 && c.getAzimuthMinDeg() <= 360,
        "camera.azimuth_min_deg", "a value in [-360, 360]", c.getAzimuthMinDeg(),
        "whole sphere: 0 .. 360");
    check(c.getAzimuthMaxDeg() > c.getAzimuthMinDeg()
            && c.getAzimuthMaxDeg() - c.getAzimuthMinDeg() <= 360,
        "camera.azimuth_max_deg",
        "more than azimuth_min_deg = " + c.getAzimuthMinDeg() + " and at most 360 above it",
        c.getAzimuthMaxDeg(), "whole sphere: 0 .. 360");
    check(c.getPolarMinDeg() >= 0 && c.getPolarMinDeg() < 180, "camera.polar_min_deg",
        "a value in [0, 180)", c.getPolarMinDeg(), "0 is straight above, 180 straight below");
    check(c.getPolarMaxDeg() > c.getPolarMinDeg() && c.getPolarMaxDeg() <= 180,
        "camera.polar_max_deg", "more than polar_min_deg = " + c.getPolarMinDeg()
            + " and at most 180", c.getPolarMaxDeg(), "whole sphere: 0 .. 180");
  }

  private void data(Data d, Model m, Render r) {
    switch (d.getSourceCase()) {
      case PATH -> check(!d.getPath().isBlank(), "data.path", "a dataset folder or ZIP",
          quote(d.getPath()), "e.g. data/imagenet-128.zip");
      case SHAPES -> {
        ShapesDataset s = d.getShapes();
        atLeast("data.shapes.images_per_class", s.getImagesPerClass(), 1, "e.g. 1000");
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
        atLeast("data.meshes.views_per_mesh", d.getMeshes().getViewsPerMesh(), 1, "e.g. 24");
      }
      case SOURCE_NOT_SET -> errors.putIfAbsent("data.source", new ConfigError("data.source",
          "expected one of data.path, data.shapes or data.meshes, found none (add e.g. "
              + "data { shapes {} } for the procedural shapes dataset)"));
    }
    int image = imageResolution(m, r);
    boolean sr = m.getSuperres().getOutputResolution() != 0;
    // Only compare with a valid generator resolution; an invalid one is reported on its own field.
    check(d.getResolution() == image || !isPowerOfTwo(image), "data.resolution",
        image + ", the resolution of generated images ("
            + (sr ? "model.superres.output_resolution" : "render.resolution, superres off") + ")",
        d.getResolution(), "set data { resolution: " + image + " } or change the generator");
    atLeast("data.max_images", d.getMaxImages(), 0, "0 = all");
  }

  private void train(Train t, Model m) {
    atLeast("train.batch_size", t.getBatchSize(), 1, "EG3D uses 32");
    int group = m.getDiscriminator().getMbstdGroupSize();
    if (group > 0 && t.getBatchSize() > 0) {
      check(t.getBatchSize() % group == 0, "train.batch_size",
          "a multiple of model.discriminator.mbstd_group_size = " + group, t.getBatchSize(),
          "the discriminator's minibatch-std splits every batch into groups of " + group
              + "; change batch_size or mbstd_group_size");
    }
    positive("train.g_lr", t.getGLr(), "EG3D uses 0.0025");
    positive("train.d_lr", t.getDLr(), "EG3D uses 0.002");
    check(t.getBeta1() >= 0 && t.getBeta1() < 1, "train.beta1", "a value in [0, 1)",
        t.getBeta1(), "EG3D uses 0");
    check(t.getBeta2() >= 0 && t.getBeta2() < 1, "train.beta2", "a value in [0, 1)",
        t.getBeta2(), "EG3D uses 0.99");
    positive("train.adam_epsilon", t.getAdamEpsilon(), "EG3D uses 1e-8");
    atLeast("train.r1_gamma", t.getR1Gamma(), 0, "0 = off");
    atLeast("train.r1_interval", t.getR1Interval(), 1, "1 = every step; EG3D uses 16");
    atLeast("train.density_reg", t.getDensityReg(), 0, "0 = off; EG3D uses 0.25");
    atLeast("train.density_reg_interval", t.getDensityRegInterval(), 1,
        "1 = every step; EG3D uses 4");
    if (t.getDensityReg() > 0) {
      positive("train.density_reg_p_dist", t.getDensityRegPDist(), "EG3D uses 0.004");
    }
    atLeast("train.ema_kimg", t.getEmaKimg(), 0, "0 = no EMA");
    atLeast("train.ema_rampup", t.getEmaRampup(), 0, "0 = off");
    atLeast("train.blur_fade_kimg", t.getBlurFadeKimg(), 0, "0 = off");
    atLeast("train.blur_sigma", t.getBlurSigma(), 0, "in pixels");
    positive("train.total_kimg", t.getTotalKimg(), "training length in thousands of images");
    atLeast("train.max_minutes", t.getMaxMinutes(), 0, "0 = no limit");
    positive("train.kimg_per_tick", t.getKimgPerTick(), "e.g. 4");
    atLeast("train.snapshot_ticks", t.getSnapshotTicks(), 1, "1 = a checkpoint every tick");
    atLeast("train.keep_checkpoints", t.getKeepCheckpoints(), 1, "the newest are kept");
    atLeast("train.threads", t.getThreads(), 0, "0 = TF's default");
    metrics("train.metrics", t.getMetricsList());
  }

  private void eval(Eval e) {
    atLeast("eval.batch_size", e.getBatchSize(), 1, "e.g. 16");
    atLeast("eval.classifier_steps", e.getClassifierSteps(), 1, "e.g. 1000");
    metrics("eval.metrics", e.getMetricsList());
  }

  private void invert(Invert i) {
    atLeast("invert.camera_candidates", i.getCameraCandidates(), 1, "e.g. 24");
    atLeast("invert.latent_starts", i.getLatentStarts(), 1, "e.g. 4");
    atLeast("invert.stage1_steps", i.getStage1Steps(), 0, "0 = skip stage 1");
    atLeast("invert.stage2_steps", i.getStage2Steps(), 0, "0 = skip pivotal tuning");
    positive("invert.stage1_lr", i.getStage1Lr(), "PTI uses 0.01");
    positive("invert.stage2_lr", i.getStage2Lr(), "PTI uses 3e-4");
    atLeast("invert.stage2_early_stop", i.getStage2EarlyStop(), 0, "0 = never");
    atLeast("invert.pixel_weight", i.getPixelWeight(), 0, "0 = off");
    atLeast("invert.perceptual_weight", i.getPerceptualWeight(), 0, "0 = off");
    check(i.getPixelWeight() + i.getPerceptualWeight() > 0, "invert.pixel_weight",
        "pixel_weight + perceptual_weight > 0", i.getPixelWeight() + i.getPerceptualWeight(),
        "with both 0 there is nothing to fit");
    atLeast("invert.locality_weight", i.getLocalityWeight(), 0, "0 = off");
  }

  // -- helpers --------------------------------------------------------------------------------

  /** The resolution of generated images: superres output if on, else the neural rendering. */
  static int imageResolution(Model m, Render r) {
    int sr = m.getSuperres().getOutputResolution();
    return sr != 0 ? sr : r.getResolution();
  }

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

  private void atLeast(String path, long value, long min, String hint) {
    check(value >= min, path, min == 0 ? "a value >= 0" : "a value >= " + min, value, hint);
  }

  private void atLeast(String path, double value, double min, String hint) {
    check(value >= min, path, "a value >= " + fmt(min), value, hint);
  }

  private void positive(String path, double value, String hint) {
    check(value > 0, path, "a value > 0", value, hint);
  }

  private void powerOfTwo(String path, int value, int min, String hint) {
    check(value >= min && isPowerOfTwo(value), path, "a power of two >= " + min, value, hint);
  }

  private static boolean isPowerOfTwo(int v) {
    return v > 0 && (v & (v - 1)) == 0;
  }

  private void check(boolean ok, String path, String expected, Object found, String fix) {
    if (!ok && !errors.containsKey(path)) {
      String f = found instanceof Double || found instanceof Float
          ? fmt(((Number) found).doubleValue())
          : String.valueOf(found);
      errors.put(path, new ConfigError(path,
          "expected " + expected + ", found " + f + " (" + fix + ")"));
    }
  }

  private static String fmt(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return String.valueOf((long) v);
    }
    return String.valueOf((float) v).equals(String.valueOf(v)) ? String.valueOf(v)
        : String.valueOf((float) v);
  }

  private static String quote(String s) {
    return "\"" + s + "\"";
  }
}
