package org.wild3d.invert;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.LeakyRelu;
import org.tensorflow.types.TFloat32;
import org.wild3d.DataException;
import org.wild3d.metrics.classifier.ClassifierWeights;

/**
 * The toolkit's own perceptual distance: the four convolution layers of the dataset's
 * {@code _cls} classifier ({@link org.wild3d.metrics.classifier.ClassifierCache}; 3×3 stride-2 convs, bias,
 * LeakyReLU 0.2) as graph constants, compared LPIPS-style ({@link
 * PerceptualDistance#normalizedDistance}) on every layer's activations. Images of another size
 * than the classifier's are resized bilinearly first.
 *
 * <p>Shapes: {@code [N,H,W,3]} ×2 in [−1,1] → {@code [N]}.
 */
public final class ClassifierPerceptual implements PerceptualDistance {
  private final ClassifierWeights weights;
  private final int layers;

  /** @throws DataException if the file lacks a layer's weight or bias */
  public ClassifierPerceptual(ClassifierWeights weights) {
    this.weights = weights;
    int n = 0;
    while (weights.values().containsKey(weightName(n))) {
      if (!weights.values().containsKey(biasName(n))) {
        throw new DataException("classifier weights: expected " + biasName(n) + " next to "
            + weightName(n) + ", found none (retrain the classifier)");
      }
      n++;
    }
    if (n == 0) {
      throw new DataException("classifier weights: expected convolution layers " + weightName(0)
          + "..., found none (retrain the classifier)");
    }
    this.layers = n;
  }

  private static String weightName(int i) {
    return "C/conv" + i + "/weight";
  }

  private static String biasName(int i) {
    return "C/conv" + i + "/bias";
  }

  @Override
  public String name() {
    return "cls-" + weights.id();
  }

  /** Number of convolution layers compared. */
  public int layers() {
    return layers;
  }

  @Override
  public Operand<TFloat32> distance(Ops tf, Operand<TFloat32> x, Operand<TFloat32> y) {
    Ops p = tf.withSubScope("perceptual");
    List<Operand<TFloat32>> w = new ArrayList<>();
    List<Operand<TFloat32>> b = new ArrayList<>();
    for (int i = 0; i < layers; i++) {
      w.add(constant(p, weightName(i)));
      b.add(constant(p, biasName(i)));
    }
    List<Operand<TFloat32>> fx = features(p, resize(p, x), w, b);
    List<Operand<TFloat32>> fy = features(p, resize(p, y), w, b);
    Operand<TFloat32> d = null;
    for (int i = 0; i < layers; i++) {
      Operand<TFloat32> di = PerceptualDistance.normalizedDistance(p, fx.get(i), fy.get(i)); // [N]
      d = d == null ? di : p.math.add(d, di);
    }
    return d;
  }

  private Operand<TFloat32> resize(Ops tf, Operand<TFloat32> x) {
    int r = weights.spec().resolution();
    checkArgument(x.shape().numDimensions() == 4 && x.shape().size(3) == 3,
        "perceptual input: expected [N,H,W,3], found %s", x.shape());
    if (x.shape().size(1) == r && x.shape().size(2) == r) {
      return x;
    }
    return tf.image.resizeBilinear(x, tf.constant(new int[] {r, r})); // [N,r,r,3]
  }

  private static List<Operand<TFloat32>> features(Ops tf, Operand<TFloat32> x,
      List<Operand<TFloat32>> w, List<Operand<TFloat32>> b) {
    List<Operand<TFloat32>> out = new ArrayList<>();
    Operand<TFloat32> h = x;
    for (int i = 0; i < w.size(); i++) {
      h = tf.nn.conv2d(h, w.get(i), List.of(1L, 2L, 2L, 1L), "SAME");
      h = tf.nn.leakyRelu(tf.math.add(h, b.get(i)), LeakyRelu.alpha(0.2f)); // [N,h/2,w/2,C]
      out.add(h);
    }
    return out;
  }

  private Operand<TFloat32> constant(Ops tf, String name) {
    float[] v = weights.values().get(name);
    return tf.constant(Shape.of(weights.shapes().get(name)), DataBuffers.of(v, true, false));
  }
}
