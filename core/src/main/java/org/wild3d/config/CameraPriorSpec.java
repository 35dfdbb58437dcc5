package org.wild3d.config;

/**
 * What {@code camera} means: the prior over cameras of generated images, on a sphere around the
 * origin looking at it (convention in {@code org.wild3d.camera.Camera}): azimuth uniform in its
 * range, polar angle area-uniform in its range, radius and field of view fixed.
 *
 * @param radius distance from the origin (EG3D: 2.7)
 * @param fovDegrees vertical = horizontal field of view in (0, 180) degrees
 * @param azimuthMinDeg azimuth range about the world up axis, at most 360 wide (whole sphere: 0 ..
 *     360)
 * @param azimuthMaxDeg see azimuthMinDeg
 * @param polarMinDeg polar angle range from the up axis within [0, 180]
 * @param polarMaxDeg see polarMinDeg
 */
public record CameraPriorSpec(
    float radius,
    float fovDegrees,
    float azimuthMinDeg,
    float azimuthMaxDeg,
    float polarMinDeg,
    float polarMaxDeg) {
  public CameraPriorSpec {
    FieldRules r = new FieldRules();
    r.positive("camera.radius", radius, "the camera's distance from the object; EG3D uses 2.7");
    r.check(fovDegrees > 0 && fovDegrees < 180, "camera.fov_degrees",
        "a value in (0, 180)", fovDegrees, "EG3D's focal 4.2647 is 13.37 degrees");
    r.check(azimuthMinDeg >= -360 && azimuthMinDeg <= 360,
        "camera.azimuth_min_deg", "a value in [-360, 360]", azimuthMinDeg,
        "whole sphere: 0 .. 360");
    r.check(azimuthMaxDeg > azimuthMinDeg && azimuthMaxDeg - azimuthMinDeg <= 360,
        "camera.azimuth_max_deg",
        "more than camera.azimuth_min_deg = " + FieldRules.format(azimuthMinDeg) + " and at most 360 above it",
        azimuthMaxDeg, "whole sphere: 0 .. 360");
    r.check(polarMinDeg >= 0 && polarMinDeg < 180, "camera.polar_min_deg",
        "a value in [0, 180)", polarMinDeg, "0 is straight above, 180 straight below");
    r.check(polarMaxDeg > polarMinDeg && polarMaxDeg <= 180,
        "camera.polar_max_deg", "more than camera.polar_min_deg = " + FieldRules.format(polarMinDeg)
            + " and at most 180", polarMaxDeg, "whole sphere: 0 .. 180");
    r.throwIfFailed();
  }

  public static CameraPriorSpec from(CameraPrior c) {
    return new CameraPriorSpec(c.getRadius(), c.getFovDegrees(), c.getAzimuthMinDeg(),
        c.getAzimuthMaxDeg(), c.getPolarMinDeg(), c.getPolarMaxDeg());
  }
}
