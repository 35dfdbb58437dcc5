/**
 * Datasets: the StyleGAN2-ADA/EG3D on-disk format, validation, a streaming batch reader,
 * importers and the synthetic datasets rendered by {@link org.wild3d.raster}.
 *
 * <h2>Format</h2>
 *
 * A folder or an uncompressed ZIP holding {@code 00000/img00000000.png ...} (PNG, square, one
 * resolution; 8-bit RGB, other colour kinds are converted on read, see
 * {@link org.wild3d.data.Dataset}) and {@code dataset.json}, whose paths all stay inside the
 * dataset ({@link org.wild3d.PathRule}):
 *
 * <pre>{@code
 * {
 *   "labels": [["00000/img00000000.png", 3], ...],      // class index; EG3D: 25 floats instead
 *   "wild3d": {                                          // our extras; other tools ignore them
 *     "format": 1, "resolution": 64,
 *     "class_names": ["sphere", ...],                    // index = class label
 *     "source": {...},                                   // how it was made (importer/generator)
 *     "views": [{"path": ..., "object": 12,              // synthetic sets and generated samples
 *                                                      // ('wild3d-eval samples': object = the
 *                                                      // latent seed): the true camera,
 *                "cam2world": [16 floats, row-major OpenCV], "fov_degrees": 13.37}, ...],
 *     "objects": [{"id": 12, "class": 3, "kind": "shape"|"mesh", ...}, ...]  // re-creatable
 *   }
 * }
 * }</pre>
 *
 * Training reads only the pixels and class labels ({@link org.wild3d.data.BatchReader});
 * {@link org.wild3d.data.Dataset#trueView}, {@link org.wild3d.data.Dataset#object} and
 * {@link org.wild3d.data.SyntheticObjects} are for evaluation.
 */
package org.wild3d.data;
