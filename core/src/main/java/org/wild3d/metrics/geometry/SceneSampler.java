package org.wild3d.metrics.geometry;

/**
 * The scenes a geometry metric measures: scene {@code index} of class {@code classIndex}, e.g. the
 * generator with a latent drawn from {@code (seed, index)} ({@link GeneratorScenes}). The same
 * arguments must always give the same scene.
 */
public interface SceneSampler {
  /** Scene {@code index} of class {@code classIndex}. */
  DepthSource scene(int index, int classIndex);

  /** K, the classes it can make (1 for unconditional models). */
  int numClasses();
}
