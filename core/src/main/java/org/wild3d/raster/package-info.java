/**
 * A small CPU renderer for synthetic data and ground truth ({@link org.wild3d.raster.MeshRenderer}),
 * whole-sphere cameras in the project's convention ({@link org.wild3d.raster.SphereCameras}), the
 * procedural shape classes ({@link org.wild3d.raster.Procedural}) and mesh loading
 * ({@link org.wild3d.raster.MeshFiles}: OBJ+MTL+textures, PLY, OFF). Cameras are plain 4×4
 * row-major OpenCV cam2world matrices plus a field of view (docs/CONVENTIONS.md).
 */
package org.wild3d.raster;
