package org.wild3d.metrics.stats;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.wild3d.AtomicFiles;
import org.wild3d.DataException;

/**
 * Streaming mean and covariance of feature vectors, in float64, mergeable across shards.
 *
 * <p>Batches are folded in with Chan et al.'s pairwise update (batch mean and centred co-moment,
 * then a rank-one correction), which avoids the cancellation of {@code Σxxᵀ − nμμᵀ}. Two shards'
 * statistics merge with the same formula, so a 50k metric can be computed as several seed ranges
 * in separate processes. {@link #covariance()} is the <b>unbiased</b> estimate (divides by
 * {@code n − 1}, like TTUR's {@code np.cov}; StyleGAN's metrics divide by {@code n}).
 *
 * <p>Optionally the first {@code maxRaw} feature vectors are kept as float32 rows for KID.
 *
 * <p>Shapes: features {@code [N, D]}.
 */
public final class FeatureStats {
  private static final int MAGIC = 0x57334653; // "W3FS"
  private static final int VERSION = 1;

  private final int dim;
  private final int maxRaw;
  private long count;
  private final double[] mean;
  private final double[] comoment; // [D*D], upper triangle (j >= i) maintained
  private final List<float[]> raw = new ArrayList<>();

  /**
   * @param dim D, the feature dimension
   * @param maxRaw how many raw feature rows to keep for KID; 0 = none
   */
  public FeatureStats(int dim, int maxRaw) {
    checkArgument(dim > 0, "FeatureStats: expected dim > 0, found %s", dim);
    checkArgument(maxRaw >= 0, "FeatureStats: expected maxRaw >= 0, found %s", maxRaw);
    this.dim = dim;
    this.maxRaw = maxRaw;
    this.mean = new double[dim];
    this.comoment = new double[dim * dim];
  }

  public int dim() {
    return dim;
  }

  public int maxRaw() {
    return maxRaw;
  }

  /** Number of feature vectors accumulated. */
  public long count() {
    return count;
  }

  /** Adds a batch of feature vectors. Shapes: {@code [B, D]}. */
  public void add(float[][] batch) {
    double[][] d = new double[batch.length][];
    for (int i = 0; i < batch.length; i++) {
      checkArgument(batch[i].length == dim,
          "FeatureStats.add: expected feature rows of length %s, found %s", dim, batch[i].length);
      d[i] = new double[dim];
      for (int j = 0; j < dim; j++) {
        d[i][j] = batch[i][j];
      }
      if (raw.size() < maxRaw) {
        raw.add(batch[i].clone());
      }
    }
    addDouble(d);
  }

  /** Adds a batch of float64 feature vectors (raw rows, if kept, are stored as float32). */
  public void add(double[][] batch) {
    for (double[] row : batch) {
      checkArgument(row.length == dim,
          "FeatureStats.add: expected feature rows of length %s, found %s", dim, row.length);
      if (raw.size() < maxRaw) {
        float[] f = new float[dim];
        for (int j = 0; j < dim; j++) {
          f[j] = (float) row[j];
        }
        raw.add(f);
      }
    }
    addDouble(batch);
  }

  private void addDouble(double[][] batch) {
    int b = batch.length;
    if (b == 0) {
      return;
    }
    double[] bm = new double[dim];
    for (double[] row : batch) {
      for (int j = 0; j < dim; j++) {
        bm[j] += row[j];
      }
    }
    for (int j = 0; j < dim; j++) {
      bm[j] /= b;
    }
    // The batch's centred co-moment goes straight into ours (no D×D temporary), four rows per
    // sweep over the matrix (it is memory-bound), then Chan's correction for the mean shift.
    int padded = (b + 3) / 4 * 4;
    double[][] c = new double[padded][dim]; // zero rows pad the last block
    for (int r = 0; r < b; r++) {
      for (int j = 0; j < dim; j++) {
        c[r][j] = batch[r][j] - bm[j];
      }
    }
    for (int r = 0; r < padded; r += 4) {
      double[] a0 = c[r];
      double[] a1 = c[r + 1];
      double[] a2 = c[r + 2];
      double[] a3 = c[r + 3];
      for (int i = 0; i < dim; i++) {
        double x0 = a0[i];
        double x1 = a1[i];
        double x2 = a2[i];
        double x3 = a3[i];
        int off = i * dim;
        for (int j = i; j < dim; j++) {
          comoment[off + j] += x0 * a0[j] + x1 * a1[j] + x2 * a2[j] + x3 * a3[j];
        }
      }
    }
    combine(b, bm, null);
  }

  /**
   * Chan's update: folds in {@code nb} rows with mean {@code mb} and centred co-moment {@code cb}
   * ({@code null} when it was already added to ours).
   */
  private void combine(long nb, double[] mb, double[] cb) {
    long n = count + nb;
    double[] delta = new double[dim];
    for (int j = 0; j < dim; j++) {
      delta[j] = mb[j] - mean[j];
    }
    double w = (double) count * nb / n;
    for (int i = 0; i < dim; i++) {
      double di = delta[i] * w;
      int off = i * dim;
      if (cb != null) {
        for (int j = i; j < dim; j++) {
          comoment[off + j] += cb[off + j];
        }
      }
      if (di != 0) {
        for (int j = i; j < dim; j++) {
          comoment[off + j] += di * delta[j];
        }
      }
    }
    double f = (double) nb / n;
    for (int j = 0; j < dim; j++) {
      mean[j] += delta[j] * f;
    }
    count = n;
  }

  /** Folds in another shard's statistics (same dimension); raw rows are appended up to maxRaw. */
  public void merge(FeatureStats other) {
    checkArgument(other.dim == dim,
        "FeatureStats.merge: expected dim %s, found %s (shards from different feature networks?)",
        dim, other.dim);
    if (other.count == 0) {
      return;
    }
    for (float[] r : other.raw) {
      if (raw.size() < maxRaw) {
        raw.add(r.clone());
      }
    }
    combine(other.count, other.mean, other.comoment);
  }

  /** The mean feature vector. Shapes: {@code [D]}. */
  public double[] mean() {
    checkArgument(count > 0, "FeatureStats: no features accumulated");
    return mean.clone();
  }

  /** Unbiased covariance (divides by {@code n − 1}). Shapes: {@code [D, D]}. */
  public double[][] covariance() {
    checkArgument(count > 1, "FeatureStats: covariance needs at least 2 features, found %s",
        count);
    double[][] cov = new double[dim][dim];
    double inv = 1.0 / (count - 1);
    for (int i = 0; i < dim; i++) {
      for (int j = i; j < dim; j++) {
        double v = comoment[i * dim + j] * inv;
        cov[i][j] = v;
        cov[j][i] = v;
      }
    }
    return cov;
  }

  /** The kept raw feature rows (at most maxRaw), in arrival order. Shapes: {@code [M, D]}. */
  public float[][] rawFeatures() {
    return raw.stream().map(float[]::clone).toArray(float[][]::new);
  }

  /** Writes the statistics to {@code file} atomically (temporary file + rename). */
  public void save(Path file) throws IOException {
    AtomicFiles.write(file, os -> {
      DataOutputStream out = new DataOutputStream(os);
      out.writeInt(MAGIC);
      out.writeInt(VERSION);
      out.writeInt(dim);
      out.writeInt(maxRaw);
      out.writeLong(count);
      out.writeInt(raw.size());
      for (double m : mean) {
        out.writeDouble(m);
      }
      for (int i = 0; i < dim; i++) {
        for (int j = i; j < dim; j++) {
          out.writeDouble(comoment[i * dim + j]);
        }
      }
      for (float[] r : raw) {
        for (float v : r) {
          out.writeFloat(v);
        }
      }
      out.flush();
    });
  }

  /** Reads statistics written by {@link #save}; a bad file is a {@link DataException}. */
  public static FeatureStats load(Path file) {
    try (InputStream is = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new BufferedInputStream(is, 1 << 16))) {
      int magic = in.readInt();
      int version = in.readInt();
      if (magic != MAGIC || version != VERSION) {
        throw new DataException(String.format(
            "feature statistics: expected a wild3d stats file version %d, found magic %08x version"
                + " %d (%s; delete it to recompute)", VERSION, magic, version, file));
      }
      FeatureStats s = new FeatureStats(in.readInt(), in.readInt());
      s.count = in.readLong();
      int rawCount = in.readInt();
      for (int j = 0; j < s.dim; j++) {
        s.mean[j] = in.readDouble();
      }
      for (int i = 0; i < s.dim; i++) {
        for (int j = i; j < s.dim; j++) {
          s.comoment[i * s.dim + j] = in.readDouble();
        }
      }
      for (int r = 0; r < rawCount; r++) {
        float[] row = new float[s.dim];
        for (int j = 0; j < s.dim; j++) {
          row[j] = in.readFloat();
        }
        s.raw.add(row);
      }
      if (in.read() != -1) {
        throw new DataException("feature statistics: unexpected trailing bytes (" + file
            + "; delete it to recompute)");
      }
      return s;
    } catch (IOException e) {
      throw new DataException("feature statistics: cannot read " + file + " (" + e
          + "; delete it to recompute)", e);
    }
  }
}
