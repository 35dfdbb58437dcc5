/**
 * Surfaces from scalar fields: {@link org.wild3d.meshing.ScalarGrid} (samples of a field on a
 * regular grid over a box), {@link org.wild3d.meshing.MarchingCubes} (iso-surface → welded,
 * closed, outward-wound {@link org.wild3d.meshing.TriangleMesh}) and mesh writers
 * ({@link org.wild3d.meshing.PlyWriter}, {@link org.wild3d.meshing.ObjWriter}) with per-vertex
 * colours. World units and axes as in docs/CONVENTIONS.md (y up).
 */
package org.wild3d.meshing;
