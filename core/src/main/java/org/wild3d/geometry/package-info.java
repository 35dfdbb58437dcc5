/**
 * Surfaces from scalar fields: {@link org.wild3d.geometry.ScalarGrid} (samples of a field on a
 * regular grid over a box), {@link org.wild3d.geometry.MarchingCubes} (iso-surface → welded,
 * closed, outward-wound {@link org.wild3d.geometry.TriangleMesh}) and mesh writers
 * ({@link org.wild3d.geometry.PlyWriter}, {@link org.wild3d.geometry.ObjWriter}) with per-vertex
 * colours. World units and axes as in docs/CONVENTIONS.md (y up).
 */
package org.wild3d.geometry;
