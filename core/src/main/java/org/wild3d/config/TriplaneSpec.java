package org.wild3d.config;

/**
 * What {@code model.triplane} means: three axis-aligned planes (XY, XZ, YZ) of F channels at R×R
 * covering the cube {@code [−box/2, box/2]³}.
 *
 * @param resolution R, a power of two ≥ 8 (EG3D: 256)
 * @param channels F, features per plane (EG3D: 32)
 * @param boxSize edge of the cube the planes cover, centred at the origin (EG3D: 1)
 */
public record TriplaneSpec(int resolution, int channels, float boxSize) {
  public TriplaneSpec {
    FieldRules r = new FieldRules();
    r.powerOfTwo("model.triplane.resolution", resolution, 8, "EG3D uses 256");
    r.atLeast("model.triplane.channels", channels, 1, "EG3D uses 32");
    r.positive("model.triplane.box_size", boxSize, "EG3D uses 1");
    r.throwIfFailed();
  }

  public static TriplaneSpec from(Triplane t) {
    return new TriplaneSpec(t.getResolution(), t.getChannels(), t.getBoxSize());
  }

  /** 3F, the channels of the synthesis network's plane image. */
  public int planeImageChannels() {
    return 3 * channels;
  }
}
