package org.wild3d.metrics.classifier;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.wild3d.log.Progress;
import org.wild3d.metrics.features.FeatureNetwork;
import org.wild3d.metrics.images.ImageBatch;
import org.wild3d.metrics.stats.FeatureStats;
import org.wild3d.nn.Param;
import org.wild3d.nn.Params;
import org.wild3d.optim.Adam;
import org.wild3d.tf.Sessions;

/**
 * Trains the {@link ClassifierNet} of the {@code _cls} metrics on real images and their classes
 * (softmax cross-entropy, {@link Adam}); deterministic for a given seed and batch sequence.
 */
public final class ClassifierTrainer {
  /**
   * @param steps optimisation steps (a few hundred suffice for small synthetic sets; thousands for
   *     real data)
   * @param learningRate Adam learning rate
   * @param seed initial weights
   * @param intraThreads TF intra-op threads; 0 = all cores
   */
  public record Options(int steps, float learningRate, long seed, int intraThreads) {
    public Options {
      checkArgument(steps > 0, "classifier steps: expected > 0, found %s", steps);
      checkArgument(learningRate > 0, "classifier learning rate: expected > 0, found %s",
          learningRate);
    }
  }

  /** Batches of training data whose pooled activations give the feature standardisation. */
  static final int STANDARDISATION_BATCHES = 16;

  private ClassifierTrainer() {}

  /** Per-dimension mean and standard deviation of the pooled activations of the final weights. */
  private static void standardisation(Session s, Placeholder<TFloat32> x,
      Operand<TFloat32> pooled, Iterator<ImageBatch> data, int dim, Map<String, float[]> values,
      Map<String, long[]> shapes) {
    FeatureStats stats = new FeatureStats(dim, 0);
    for (int i = 0; i < STANDARDISATION_BATCHES && data.hasNext(); i++) {
      try (TFloat32 xt = data.next().toTensor();
          Result res = s.runner().feed(x, xt).fetch(pooled).run()) {
        stats.add(FeatureNetwork.rows((TFloat32) res.get(0)));
      }
    }
    double[] mean = stats.mean();
    double[][] cov = stats.covariance();
    float[] m = new float[dim];
    float[] sd = new float[dim];
    for (int j = 0; j < dim; j++) {
      m[j] = (float) mean[j];
      sd[j] = (float) Math.max(Math.sqrt(cov[j][j]), 1e-6); // a dead unit stays finite
    }
    values.put(ClassifierNet.FEATURE_MEAN, m);
    values.put(ClassifierNet.FEATURE_STD, sd);
    shapes.put(ClassifierNet.FEATURE_MEAN, new long[] {dim});
    shapes.put(ClassifierNet.FEATURE_STD, new long[] {dim});
  }

  /**
   * Trains on batches from {@code data} (one per step; it must not run out before
   * {@code options.steps()}), silently.
   *
   * @param datasetFingerprint recorded with the weights; metrics refuse other datasets
   */
  public static ClassifierWeights train(ClassifierNet.Spec spec, Iterator<ImageBatch> data,
      Options options, String datasetFingerprint) {
    return train(spec, data, options, datasetFingerprint, null);
  }

  /**
   * Trains on batches from {@code data} (one per step; it must not run out before
   * {@code options.steps()}), counting each step in {@code progress}.
   *
   * @param datasetFingerprint recorded with the weights; metrics refuse other datasets
   * @param progress in {@link Progress.Unit#STEPS} out of {@code options.steps()}; may be null
   */
  public static ClassifierWeights train(ClassifierNet.Spec spec, Iterator<ImageBatch> data,
      Options options, String datasetFingerprint, Progress progress) {
    int r = spec.resolution();
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Params params = new Params(options.seed());
      Placeholder<TFloat32> x = tf.withName("images").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, r, r, 3)));
      Placeholder<TInt32> y = tf.withName("labels").placeholder(TInt32.class,
          Placeholder.shape(Shape.of(-1)));
      ClassifierNet.Outputs out = ClassifierNet.build(tf, params, spec, x);
      Operand<TFloat32> logp = tf.nn.logSoftmax(out.logits()); // [N,K]
      Operand<TFloat32> onehot = tf.oneHot(y, tf.constant(spec.numClasses()), tf.constant(1f),
          tf.constant(0f));
      Operand<TFloat32> loss = tf.math.neg(tf.math.mean(tf.reduceSum(tf.math.mul(onehot, logp),
          tf.constant(1)), tf.constant(0)));
      Operand<TInt32> correct = tf.reduceSum(tf.dtypes.cast(tf.math.equal(
          tf.math.argMax(out.logits(), tf.constant(1), TInt32.class), y), TInt32.class),
          tf.constant(0));
      Op step = new Adam(tf, "C_adam", params.trainables(), Adam.Spec.defaults())
          .minimize(loss, options.learningRate());
      long seen = 0;
      long right = 0;
      int tail = Math.max(1, options.steps() / 10);
      try (Session s = Sessions.create(g, options.intraThreads())) {
        for (int i = 0; i < options.steps(); i++) {
          checkArgument(data.hasNext(), "classifier training: the data ran out after %s of %s"
              + " steps (give a repeating iterator)", i, options.steps());
          ImageBatch b = data.next();
          checkArgument(b.height() == r && b.width() == r,
              "classifier training images: expected %sx%s, found %sx%s", r, r, b.height(),
              b.width());
          try (TFloat32 xt = b.toTensor();
              TInt32 yt = TInt32.vectorOf(b.labels());
              Result res = s.runner().feed(x, xt).feed(y, yt).addTarget(step).fetch(correct)
                  .run()) {
            if (i >= options.steps() - tail) {
              right += ((TInt32) res.get(0)).getInt();
              seen += b.size();
            }
          }
          if (progress != null) {
            progress.add(1);
          }
        }
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        standardisation(s, x, out.pooled(), data, spec.featureDim(), values, shapes);
        for (Param p : params.trainables()) {
          try (Result res = s.runner().fetch(p.variable()).run()) {
            TFloat32 t = (TFloat32) res.get(0);
            float[] v = new float[(int) t.size()];
            t.copyTo(DataBuffers.of(v, false, false));
            values.put(p.name(), v);
            shapes.put(p.name(), p.shape().asArray());
          }
        }
        return new ClassifierWeights(spec, datasetFingerprint, options.seed(), options.steps(),
            seen == 0 ? 0 : (double) right / seen, values, shapes);
      }
    }
  }
}
