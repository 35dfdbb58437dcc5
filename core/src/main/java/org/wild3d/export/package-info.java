/**
 * SavedModel export of a trained generator: {@link org.wild3d.export.GeneratorExporter} writes the
 * EMA generator of a checkpoint with the signatures of {@link org.wild3d.export.ExportGraph}
 * ({@code generate}, {@code synthesize}, {@code map}, {@code metadata}, {@code serving_default})
 * and its {@link org.wild3d.export.ExportMetadata} ({@code wild3d.json}), atomically.
 */
package org.wild3d.export;
