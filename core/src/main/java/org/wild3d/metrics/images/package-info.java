/**
 * Where metrics get images ({@link org.wild3d.metrics.images.ImageSource}): a dataset's real images,
 * a generator's fakes, arrays, with progress; and the fingerprint that names a dataset's content
 * in caches.
 */
package org.wild3d.metrics.images;
