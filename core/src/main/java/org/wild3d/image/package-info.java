/**
 * 8-bit RGB images ({@link org.wild3d.image.RgbImage}), decoding of JPEG/PNG (CMYK, grayscale,
 * alpha, 16-bit) with errors that name the file, a deterministic PNG encoder, centre crop and
 * Lanczos-3 resampling.
 */
package org.wild3d.image;
