package org.wild3d.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.wild3d.Wild3dException;

/**
 * Parses metric names, which carry their protocol: {@code <kind><count>[k][_<features>]}.
 *
 * <ul>
 *   <li>kind: {@code fid}, {@code kid}, {@code is}, {@code acc}, {@code precision}, {@code recall}
 *       (see {@link MetricSpec.Kind});
 *   <li>count: generated images, {@code k} = ×1000 ({@code 50k} = 50000, {@code 500} = 500); FID
 *       and KID use as many real images (fewer if the dataset is smaller, recorded in the result);
 *   <li>features: none = Inception 2015-12-05, {@code _cls} = the toolkit's classifier trained on
 *       the dataset. {@code acc} exists only with {@code _cls}.
 * </ul>
 *
 * Examples: {@code fid50k}, {@code kid50k}, {@code is50k}, {@code fid2k_cls}, {@code kid2k_cls},
 * {@code acc2k_cls}, {@code is2k_cls}.
 *
 * <p>Geometry metrics, {@code <kind><count>[k]} with count = generated scenes and no feature
 * network ({@link MetricSpec.Features#GEOMETRY}; computed by {@link MetricRunner#runGeometry}):
 * {@code geo_iou<N>} and {@code geo_depth<N>} (agreement with the true objects of a synthetic
 * dataset), {@code mv_depth<N>} and {@code mv_agree<N>} (multi-view depth consistency; any
 * dataset). E.g. {@code geo_iou64}, {@code geo_depth64}, {@code mv_depth64}.
 */
public final class MetricRegistry {
  private static final Pattern NAME = Pattern.compile("(fid|kid|is|acc|precision|recall)(\\d+)(k?)(_[a-z]+)?");
  private static final Pattern GEOMETRY = Pattern.compile("(geo_iou|geo_depth|mv_depth|mv_agree)(\\d+)(k?)");

  private MetricRegistry() {}

  /** The spec of {@code name}; a malformed name is a usage error listing the grammar. */
  public static MetricSpec parse(String name) {
    Matcher g = GEOMETRY.matcher(name);
    if (g.matches()) {
      long count = Long.parseLong(g.group(2)) * (g.group(3).isEmpty() ? 1 : 1000);
      if (count <= 0 || count > Integer.MAX_VALUE) {
        throw usage(name, "a positive scene count");
      }
      return new MetricSpec(name, MetricSpec.Kind.valueOf(g.group(1).toUpperCase(Locale.ROOT)),
          (int) count, MetricSpec.Features.GEOMETRY);
    }
    Matcher m = NAME.matcher(name);
    if (!m.matches()) {
      throw usage(name, "a name of the form <fid|kid|is|acc|precision|recall><count>[k][_cls] or"
          + " <geo_iou|geo_depth|mv_depth|mv_agree><count>[k]");
    }
    MetricSpec.Kind kind = MetricSpec.Kind.valueOf(m.group(1).toUpperCase(Locale.ROOT));
    long count = Long.parseLong(m.group(2)) * (m.group(3).isEmpty() ? 1 : 1000);
    if (count <= 0 || count > Integer.MAX_VALUE) {
      throw usage(name, "a positive image count");
    }
    String suffix = m.group(4) == null ? "" : m.group(4);
    MetricSpec.Features features = null;
    for (MetricSpec.Features f : List.of(MetricSpec.Features.INCEPTION,
        MetricSpec.Features.CLASSIFIER)) {
      if (f.suffix.equals(suffix)) {
        features = f;
      }
    }
    if (features == null) {
      throw usage(name, "feature suffix none (Inception) or _cls (the toolkit's classifier)");
    }
    if (kind == MetricSpec.Kind.ACC && features != MetricSpec.Features.CLASSIFIER) {
      throw usage(name, "acc with _cls (accuracy needs a classifier of the dataset's classes)");
    }
    return new MetricSpec(name, kind, (int) count, features);
  }

  /** The name that, alone, means "no metrics" (as StyleGAN2-ADA's {@code --metrics=none}). */
  public static final String NONE = "none";

  /**
   * A configured metric list: {@code ["none"]} means none (an override can only replace a list,
   * not empty it); otherwise {@link #parseAll}.
   */
  public static List<MetricSpec> parseConfigured(List<String> names) {
    if (names.contains(NONE)) {
      if (names.size() > 1) {
        throw new Wild3dException(Wild3dException.EXIT_USAGE, "metric \"" + NONE + "\": expected"
            + " it alone (it turns metrics off), found it with " + (names.size() - 1)
            + " other name(s)");
      }
      return List.of();
    }
    return parseAll(names);
  }

  /** Parses several names, reporting every bad one together. */
  public static List<MetricSpec> parseAll(List<String> names) {
    List<MetricSpec> out = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    for (String n : names) {
      try {
        out.add(parse(n));
      } catch (Wild3dException e) {
        errors.add(e.getMessage());
      }
    }
    if (!errors.isEmpty()) {
      throw new Wild3dException(Wild3dException.EXIT_USAGE, String.join("\n", errors));
    }
    return out;
  }

  private static Wild3dException usage(String name, String expected) {
    return new Wild3dException(Wild3dException.EXIT_USAGE, "metric name: expected " + expected
        + ", found '" + name + "' (e.g. fid50k, kid50k, is50k, fid2k_cls, kid2k_cls, acc2k_cls,"
        + " geo_iou64, mv_depth64)");
  }
}
