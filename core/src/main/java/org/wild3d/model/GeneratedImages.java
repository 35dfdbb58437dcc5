package org.wild3d.model;

/**
 * Images of a generator, flattened NHWC: what every {@link ImageGenerator} returns.
 *
 * @param images {@code [N,H,W,3]} in [−1,1]
 * @param depth {@code [N,r,r,1]} expected depth of the neural rendering
 * @param opacity {@code [N,r,r,1]} accumulated opacity of the neural rendering
 * @param size N
 * @param resolution H = W
 * @param renderResolution r
 */
public record GeneratedImages(
    float[] images, float[] depth, float[] opacity, int size, int resolution,
    int renderResolution) {}
