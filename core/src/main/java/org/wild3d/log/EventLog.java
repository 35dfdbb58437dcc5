package org.wild3d.log;

import java.nio.file.Files;
import java.nio.file.Path;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TType;

/**
 * TensorBoard event files written by TF's own summary ops (CreateSummaryFileWriter,
 * WriteScalarSummary, WriteImageSummary, FlushSummaryWriter) in a small graph of its own, so the
 * model graph and its checkpoints stay free of logging state. Not thread-safe.
 */
public final class EventLog implements AutoCloseable {
  private final Graph graph;
  private final Session session;
  private final Placeholder<TString> tag;
  private final Placeholder<TInt64> step;
  private final Placeholder<TFloat32> value;
  private final Placeholder<TUint8> image;
  private final Op writeScalar;
  private final Op writeImage;
  private final Op flush;
  private final Op closeWriter;

  /** Opens (creates) an event file in {@code dir}, TensorBoard's {@code events.out.tfevents.*}. */
  public EventLog(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("creating " + dir, e);
    }
    graph = new Graph();
    Ops tf = Ops.create(graph);
    Operand<? extends TType> writer = tf.summary.summaryWriter();
    Op create =
        tf.summary.createSummaryFileWriter(
            writer,
            tf.constant(dir.toAbsolutePath().toString()),
            tf.constant(10),
            tf.constant(60_000),
            tf.constant(".v2"));
    tag = tf.placeholder(TString.class, Placeholder.shape(Shape.scalar()));
    step = tf.placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
    value = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    image = tf.placeholder(TUint8.class, Placeholder.shape(Shape.of(1, -1, -1, 3)));
    writeScalar = tf.summary.writeScalarSummary(writer, step, tag, value);
    writeImage =
        tf.summary.writeImageSummary(
            writer, step, tag, image, tf.constant(new byte[] {0, 0, 0}), org.tensorflow.op.summary.WriteImageSummary.maxImages(1L));
    flush = tf.summary.flushSummaryWriter(writer);
    closeWriter = tf.summary.closeSummaryWriter(writer);
    session = new Session(graph);
    session.run(create);
  }

  /** Logs a scalar {@code value} under {@code name} at {@code globalStep}. */
  public void scalar(String name, long globalStep, float v) {
    try (TString t = TString.scalarOf(name);
        TInt64 s = TInt64.scalarOf(globalStep);
        TFloat32 x = TFloat32.scalarOf(v)) {
      session.runner().feed(tag, t).feed(step, s).feed(value, x).addTarget(writeScalar).run();
    }
  }

  /** Logs an RGB image ({@code rgb} row-major [h][w][3] bytes) under {@code name}. */
  public void image(String name, long globalStep, byte[] rgb, int height, int width) {
    try (TString t = TString.scalarOf(name);
        TInt64 s = TInt64.scalarOf(globalStep);
        TUint8 img = TUint8.tensorOf(Shape.of(1, height, width, 3), DataBuffers.of(rgb, true, false))) {
      session.runner().feed(tag, t).feed(step, s).feed(image, img).addTarget(writeImage).run();
    }
  }

  /** Forces buffered events to disk. */
  public void flush() {
    session.run(flush);
  }

  @Override
  public void close() {
    try {
      session.run(flush);
      session.run(closeWriter);
    } finally {
      session.close();
      graph.close();
    }
  }

}
