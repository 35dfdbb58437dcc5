/**
 * The statistics of the metrics, on feature vectors in float64: streaming mean and covariance
 * ({@link org.wild3d.metrics.stats.FeatureStats}), Fréchet distance (FID), KID, Inception Score
 * and improved precision/recall, each checked against reference known answers.
 */
package org.wild3d.metrics.stats;
