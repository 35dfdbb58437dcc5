/**
 * The toolkit's own feature network behind the {@code _cls} metrics: a small CNN classifier
 * trained on the dataset itself ({@link org.wild3d.metrics.classifier.ClassifierNet}, {@link
 * org.wild3d.metrics.classifier.ClassifierTrainer}), its weights file and cache.
 */
package org.wild3d.metrics.classifier;
