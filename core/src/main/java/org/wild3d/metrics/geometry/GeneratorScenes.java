package org.wild3d.metrics.geometry;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.wild3d.camera.Camera;
import org.wild3d.model.GeneratedImages;
import org.wild3d.model.ImageGenerator;
import org.wild3d.model.Latents;

/**
 * Scenes of a trained generator: scene {@code i} has latent {@code z ~ N(0, I)} drawn from a
 * generator seeded by {@code (seed, i)} alone, so it does not depend on which other scenes are
 * asked for. Its views are rendered in one {@link ImageGenerator#generate} call (the latent repeated per
 * camera); depth and opacity come from the neural rendering ({@code r = render.resolution}).
 */
public final class GeneratorScenes implements SceneSampler {
  private final ImageGenerator snapshot;
  private final long seed;
  private final float psi;

  /** @param truncationPsi 1 = none */
  public GeneratorScenes(ImageGenerator snapshot, long seed, float truncationPsi) {
    this.snapshot = snapshot;
    this.seed = seed;
    this.psi = truncationPsi;
  }

  /** The latent of scene {@code index}: {@code [Z]}. */
  public float[] latent(int index) {
    return Latents.gaussian(new SplittableRandom(mix(seed, index)), snapshot.zDim());
  }

  @Override
  public DepthSource scene(int index, int classIndex) {
    checkArgument(classIndex >= 0 && classIndex < numClasses(),
        "scene class: expected [0, %s), found %s", numClasses(), classIndex);
    float[] z = latent(index);
    return new DepthSource() {
      @Override
      public DepthViews render(Camera... cameras) {
        int v = cameras.length;
        float[] zs = new float[v * z.length];
        for (int k = 0; k < v; k++) {
          System.arraycopy(z, 0, zs, k * z.length, z.length);
        }
        int[] classes = new int[v];
        Arrays.fill(classes, classIndex);
        GeneratedImages g = snapshot.generate(zs, classes, cameras, psi);
        return new DepthViews(g.depth(), g.opacity(), v, g.renderResolution()); // [V,r,r,1]
      }

      @Override
      public int resolution() {
        return snapshot.renderResolution();
      }
    };
  }

  @Override
  public int numClasses() {
    return snapshot.numClasses();
  }

  /** A well-mixed 64-bit seed of {@code (seed, index)} (SplitMix64 finaliser). */
  static long mix(long seed, long index) {
    long z = seed * 0x9E3779B97F4A7C15L + index * 0xBF58476D1CE4E5B9L + 0x94D049BB133111EBL;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
