package org.wild3d.metrics.classifier;

import static com.google.common.base.Preconditions.checkArgument;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
import org.wild3d.DataException;
import org.wild3d.metrics.features.FeatureNetwork;
import org.wild3d.metrics.images.ImageBatch;
import org.wild3d.nn.Param;
import org.wild3d.nn.Params;
import org.wild3d.tf.Sessions;

/**
 * The offline feature network: a {@link ClassifierNet} trained on the dataset itself. Its metrics
 * carry the {@code _cls} suffix and its name is {@code cls-<first 12 hex of the weights file's
 * SHA-256>}, so results and cached statistics of different classifiers are never mixed.
 */
public final class ClassifierFeatures implements FeatureNetwork {
  private final ClassifierWeights weights;
  private final String name;
  private final Graph graph;
  private final Session session;
  private final Placeholder<TFloat32> images;
  private final Operand<TFloat32> features;
  private final Operand<TFloat32> probabilities;

  /** Builds the inference graph from trained weights. */
  public ClassifierFeatures(ClassifierWeights weights, int intraThreads) {
    this.weights = weights;
    this.name = "cls-" + weights.id();
    ClassifierNet.Spec spec = weights.spec();
    int r = spec.resolution();
    graph = new Graph();
    Ops tf = Ops.create(graph);
    Params params = new Params(0);
    images = tf.withName("images").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, r, r, 3)));
    ClassifierNet.Outputs out = ClassifierNet.build(tf, params, spec, images);
    features = out.features();
    probabilities = tf.nn.softmax(out.logits());
    List<Op> loads = new ArrayList<>();
    List<Placeholder<TFloat32>> feeds = new ArrayList<>();
    List<float[]> values = new ArrayList<>();
    List<Param> all = new ArrayList<>(params.trainables());
    all.addAll(params.state());
    for (Param p : all) {
      float[] v = weights.values().get(p.name());
      if (v == null || v.length != p.shape().size()) {
        graph.close();
        throw new DataException("classifier weights: expected variable " + p.name() + " with "
            + p.shape().size() + " values, found " + (v == null ? "none" : v.length)
            + " (the file does not match this version's classifier; retrain it)");
      }
      Placeholder<TFloat32> ph = tf.placeholder(TFloat32.class, Placeholder.shape(p.shape()));
      loads.add(tf.assign(p.variable(), ph));
      feeds.add(ph);
      values.add(v);
    }
    session = Sessions.create(graph, intraThreads);
    Session.Runner run = session.runner();
    List<TFloat32> tensors = new ArrayList<>();
    try {
      for (int i = 0; i < feeds.size(); i++) {
        TFloat32 t = TFloat32.tensorOf(feeds.get(i).shape(),
            DataBuffers.of(values.get(i), true, false));
        tensors.add(t);
        run.feed(feeds.get(i), t);
      }
      loads.forEach(run::addTarget);
      run.run();
    } finally {
      tensors.forEach(TFloat32::close);
    }
  }

  /**
   * Loads a weights file and checks it was trained on the dataset with {@code datasetFingerprint}.
   */
  public static ClassifierFeatures load(Path file, String datasetFingerprint, int intraThreads) {
    ClassifierWeights w = ClassifierWeights.load(file);
    if (!w.datasetFingerprint().equals(datasetFingerprint)) {
      throw new DataException("classifier weights: expected a classifier trained on dataset "
          + datasetFingerprint + ", found one trained on " + w.datasetFingerprint() + " (" + file
          + "; retrain it on this dataset)");
    }
    return new ClassifierFeatures(w, intraThreads);
  }

  public ClassifierWeights weights() {
    return weights;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int featureDim() {
    return weights.spec().featureDim();
  }

  @Override
  public int numClasses() {
    return weights.spec().numClasses();
  }

  @Override
  public Activations compute(ImageBatch batch) {
    int r = weights.spec().resolution();
    checkArgument(batch.height() == r && batch.width() == r,
        "%s: expected %sx%s images (the classifier's training resolution), found %sx%s", name, r,
        r, batch.height(), batch.width());
    if (batch.size() == 0) {
      return new Activations(new float[0][], new float[0][]);
    }
    try (TFloat32 x = batch.toTensor();
        Result res = session.runner().feed(images, x).fetch(features).fetch(probabilities).run()) {
      return new Activations(FeatureNetwork.rows((TFloat32) res.get(0)),
          FeatureNetwork.rows((TFloat32) res.get(1)));
    }
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
