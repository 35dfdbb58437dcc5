/**
 * Pinhole cameras and rays in the convention of {@code docs/CONVENTIONS.md}: world y up, OpenCV
 * camera axes (x right, y down, z forward), row-major {@code cam2world} with columns right, down,
 * forward, position; intrinsics normalised to the image ({@code fx = fy = 0.5/tan(fov/2)}, {@code
 * cx = cy = 0.5}); pixel (i, j) is ray {@code i·res + j} through {@code ((j+0.5)/res,
 * (i+0.5)/res)}.
 *
 * <p>{@link org.wild3d.camera.Camera} (plain Java, double precision, for tests and samplers),
 * {@link org.wild3d.camera.CameraSampler} (the whole-sphere prior, seeded), {@link
 * org.wild3d.camera.Cameras} (tensors to feed), {@link org.wild3d.camera.Rays} (in-graph rays).
 */
package org.wild3d.camera;
