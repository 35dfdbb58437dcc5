/**
 * Feature networks that turn images into the vectors metrics compare ({@link
 * org.wild3d.metrics.features.FeatureNetwork}): the standard Inception graph ({@link
 * org.wild3d.metrics.features.InceptionV3Graph}), and the collector that runs one over an image
 * source into statistics.
 */
package org.wild3d.metrics.features;
