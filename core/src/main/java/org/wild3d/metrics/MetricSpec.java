package org.wild3d.metrics;

import static com.google.common.base.Preconditions.checkArgument;

import org.wild3d.metrics.classifier.ClassifierFeatures;
import org.wild3d.metrics.features.FeatureNetwork;
import org.wild3d.metrics.features.InceptionV3Graph;

/**
 * One registry metric: what it measures, on how many images, with which feature network. The name
 * carries the whole protocol: {@code <kind><count>[k][_cls]}, e.g. {@code fid50k}, {@code kid2k_cls},
 * {@code precision2k_cls}.
 *
 * @param name the canonical name, e.g. {@code fid2k_cls}
 * @param count generated images (and, for FID/KID, at most this many real images)
 */
public record MetricSpec(String name, Kind kind, int count, Features features) {
  /** What is measured. */
  public enum Kind {
    /** Fréchet distance of feature Gaussians, generated vs real (lower is better). */
    FID(true),
    /** Unbiased MMD² with the cubic kernel, generated vs real (lower is better). */
    KID(true),
    /** Inception Score of the generated images' class probabilities (higher is better). */
    IS(false),
    /**
     * Accuracy of the classifier on generated images w.r.t. the class they were generated for
     * (class-conditional generators; higher is better). Only with the toolkit's classifier.
     */
    ACC(false),
    /** Improved precision (k=3 nearest-neighbour manifolds): generated inside real (higher is better). */
    PRECISION(true),
    /** Improved recall (k=3): real inside generated (higher is better). */
    RECALL(true),
    /**
     * Silhouette IoU with the nearest true object of the class under the best rotation, mean over
     * generated scenes (synthetic datasets; higher is better). See {@code
     * org.wild3d.metrics.geometry.GeometryAgreement}.
     */
    GEO_IOU(false, true),
    /** Mean |depth difference| (scene units) inside both silhouettes, same alignment (lower is better). */
    GEO_DEPTH(false, true),
    /**
     * Mean |reprojected depth error| (scene units) between two views 20–40° apart (lower is
     * better). See {@code org.wild3d.metrics.geometry.MultiViewConsistency}.
     */
    MV_DEPTH(false, true),
    /** Fraction of reprojected points whose depth agrees within the tolerance (higher is better). */
    MV_AGREE(false, true);

    final boolean needsReal;
    final boolean geometry;

    Kind(boolean needsReal) {
      this(needsReal, false);
    }

    Kind(boolean needsReal, boolean geometry) {
      this.needsReal = needsReal;
      this.geometry = geometry;
    }

    /** Whether this is a geometry metric (rendered depth and opacity, no feature network). */
    public boolean isGeometry() {
      return geometry;
    }
  }

  /** Which feature network a metric runs on; the name suffix says which. */
  public enum Features {
    /** TF Inception 2015-12-05 ({@link InceptionV3Graph}); no suffix. */
    INCEPTION("", "inception-"),
    /** The toolkit's classifier trained on the dataset ({@link ClassifierFeatures}); {@code _cls}. */
    CLASSIFIER("_cls", "cls-"),
    /**
     * No feature network: geometry metrics ({@code geo_*}, {@code mv_*}) measure rendered depth and
     * opacity. Never accepts a network.
     */
    GEOMETRY("", "\0geometry");

    final String suffix;
    final String networkPrefix;

    Features(String suffix, String networkPrefix) {
      this.suffix = suffix;
      this.networkPrefix = networkPrefix;
    }

    /** True if {@code net} is this kind of feature network. */
    public boolean accepts(FeatureNetwork net) {
      return net.name().startsWith(networkPrefix);
    }
  }

  /** KID subsets (StyleGAN's protocol). */
  public static final int KID_SUBSETS = 100;
  /** KID subset size (StyleGAN's protocol; smaller sets use all rows). */
  public static final int KID_SUBSET_SIZE = 1000;
  /** IS splits (OpenAI's protocol). */
  public static final int IS_SPLITS = 10;

  public MetricSpec {
    checkArgument(count > 0, "metric %s: expected a positive image count, found %s", name, count);
  }

  /** Generated images this metric consumes. */
  public int numGenerated() {
    return count;
  }

  /** Real images it needs statistics of (0 for IS and accuracy). */
  public int numReal() {
    return kind.needsReal ? count : 0;
  }

  /** Whether this is a geometry metric ({@link Kind#isGeometry()}); see {@link MetricRunner#runGeometry}. */
  public boolean isGeometry() {
    return kind.isGeometry();
  }

  /** Whether the real/generated statistics must keep raw features (KID). */
  public boolean needsRawFeatures() {
    return kind == Kind.KID || kind == Kind.PRECISION || kind == Kind.RECALL;
  }
}
