package org.wild3d.config;

/**
 * What {@code model.multiview} means: V views of every generated scene, scored one by one or
 * stacked along channels, and what that asks of the real batch.
 *
 * @param views V, cameras per generated scene (1 = EG3D)
 * @param fusion PER_VIEW: every view scored alone; STACKED: the V views stacked along channels
 */
public record MultiViewSpec(int views, MultiView.Fusion fusion) {
  public MultiViewSpec {
    FieldRules r = new FieldRules();
    if (r.atLeast("model.multiview.views", views, 1, "1 = EG3D; the paper renders several")
        && fusion == MultiView.Fusion.STACKED) {
      r.check(views >= 2, "model.multiview.views", "at least 2 with fusion STACKED", views,
          "stack several views, or use fusion PER_VIEW");
    }
    r.check(fusion != null, "model.multiview.fusion", "PER_VIEW or STACKED", fusion,
        "the default is PER_VIEW");
    r.throwIfFailed();
  }

  public static MultiViewSpec from(MultiView m) {
    return new MultiViewSpec(m.getViews(), m.getFusion());
  }

  /** One view per scene, scored alone: EG3D. */
  public static MultiViewSpec single() {
    return new MultiViewSpec(1, MultiView.Fusion.PER_VIEW);
  }

  /** True when the V views of a scene are stacked along channels into one D input. */
  public boolean stacked() {
    return fusion == MultiView.Fusion.STACKED;
  }

  /** Fake images of a step of {@code scenes} scenes: N·V, scene-major. */
  public int fakeImages(int scenes) {
    return scenes * views;
  }

  /**
   * The real batch matching {@code scenes} generated scenes: always N·V images, so D sees as many
   * reals as fakes; STACKED takes them as N groups of V images of one class (one D input per
   * group, like a scene's views), PER_VIEW as N·V single images.
   */
  public RealBatch realBatch(int scenes) {
    return stacked() ? new RealBatch(scenes, views) : new RealBatch(scenes * views, 1);
  }

  /**
   * How a step's real images are drawn.
   *
   * @param groups groups read from the dataset
   * @param imagesPerGroup images of one class per group (1 = independent images)
   */
  public record RealBatch(int groups, int imagesPerGroup) {
    /** Images per step, {@code groups · imagesPerGroup}. */
    public int images() {
      return groups * imagesPerGroup;
    }
  }
}
