/**
 * The metric registry and its jobs: {@link org.wild3d.metrics.MetricRegistry} parses names that
 * carry their protocol ({@code fid50k}, {@code kid2k_cls}, {@code geo_iou64}),
 * {@link org.wild3d.metrics.MetricRunner} and {@link org.wild3d.metrics.MetricJobs} compute them
 * and {@link org.wild3d.metrics.MetricResult} is one line of {@code metrics.jsonl}; real-data
 * statistics are cached by {@link org.wild3d.metrics.RealStatsCache}.
 *
 * <p>By concern, below: {@code stats} (FID, KID, IS, precision/recall and the streaming feature
 * statistics), {@code features} (the feature networks: Inception), {@code classifier} (the
 * toolkit's own feature network trained on the dataset, behind the {@code _cls} metrics),
 * {@code images} (where images come from: datasets, generators) and {@code geometry} (geometry
 * metrics against synthetic ground truth).
 */
package org.wild3d.metrics;
