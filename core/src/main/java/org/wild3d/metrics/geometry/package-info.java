/**
 * Geometry metrics of generators on data with known geometry.
 *
 * <p>Everything is seen through {@link org.wild3d.metrics.geometry.DepthSource}: one scene rendered to
 * depth and opacity from any camera, implemented by the generator ({@link
 * org.wild3d.metrics.geometry.GeneratorScenes}), by a mesh ({@link
 * org.wild3d.metrics.geometry.MeshDepthSource}, the truth) and by rotated versions of either ({@link
 * org.wild3d.metrics.geometry.RotatedSource}). Both renderers cast the same pixel-centre rays
 * (docs/CONVENTIONS.md) and report the same depth: the distance along the ray.
 *
 * <ul>
 *   <li>{@link org.wild3d.metrics.geometry.GeometryAgreement}: silhouette IoU and depth error against
 *       the nearest true object of the class ({@link org.wild3d.metrics.geometry.TrueObjects}) under the
 *       best rotation about the origin ({@link org.wild3d.metrics.geometry.Aligner}).
 *   <li>{@link org.wild3d.metrics.geometry.MultiViewConsistency}: depth reprojected between two views
 *       20–40° apart.
 * </ul>
 *
 * Registry names: {@code geo_iou<N>}, {@code geo_depth<N>}, {@code mv_depth<N>},
 * {@code mv_agree<N>} (see {@code org.wild3d.metrics.MetricRegistry}).
 */
package org.wild3d.metrics.geometry;
