package org.wild3d.config;

/**
 * Everything a training graph is built from, decided once from a resolved {@link Experiment}: the
 * architecture, the training settings, the camera prior and the seed, with the rules that tie them
 * together. Cheap and immutable: build it once and hand it to every graph builder.
 *
 * @param seed {@code Experiment.seed}: weights, data order, cameras, noise
 */
public record GanSpec(long seed, ModelSpec model, TrainSpec train, CameraPriorSpec camera) {
  public GanSpec {
    FieldRules r = new FieldRules();
    int group = model.discriminator().mbstdGroupSize();
    if (group > 0) {
      r.check(train.batchSize() % group == 0, "train.batch_size",
          "a multiple of model.discriminator.mbstd_group_size = " + group, train.batchSize(),
          "the discriminator's minibatch-std splits every batch into groups of " + group
              + "; change batch_size or mbstd_group_size");
    }
    float box = model.triplane().boxSize();
    r.check(camera.radius() > box / 2, "camera.radius",
        "more than half of model.triplane.box_size = " + FieldRules.format(box / 2), camera.radius(),
        "the camera must be outside the object's box; EG3D uses 2.7");
    RenderSpec render = model.render();
    double halfDiag = Math.sqrt(3) * box / 2;
    double near = Math.max(0, camera.radius() - halfDiag);
    double far = camera.radius() + halfDiag;
    r.check(render.rayStart() < far && render.rayEnd() > near, "render.ray_start",
        String.format("a range [ray_start, ray_end] that meets the triplane box, i.e. within"
            + " [%.3g, %.3g] (camera.radius -/+ the box's half-diagonal)", near, far),
        "[" + render.rayStart() + ", " + render.rayEnd() + "]",
        "otherwise no sample ever reaches the object");
    r.throwIfFailed();
  }

  /**
   * The spec of {@code e}: every part checked, then the rules between them.
   *
   * @throws ConfigException (exit 3) listing every problem, each at its field path
   */
  public static GanSpec from(Experiment e) {
    FieldRules rules = new FieldRules();
    ModelSpec model = rules.attempt(() -> ModelSpec.from(e));
    TrainSpec train = rules.attempt(() -> TrainSpec.from(e.getTrain()));
    CameraPriorSpec camera = rules.attempt(() -> CameraPriorSpec.from(e.getCamera()));
    rules.throwIfFailed();
    return new GanSpec(e.getSeed(), model, train, camera);
  }

  /** N, scenes per step. */
  public int scenes() {
    return train.batchSize();
  }

  /** Fake images per step, N·V (scene-major). */
  public int fakeImages() {
    return model.multiview().fakeImages(train.batchSize());
  }

  /** How a step's real images are drawn: as many as fakes, grouped by scene when STACKED. */
  public MultiViewSpec.RealBatch realBatch() {
    return model.multiview().realBatch(train.batchSize());
  }
}
