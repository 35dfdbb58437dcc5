package org.wild3d.metrics.images;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import org.wild3d.data.Dataset;

/**
 * Identifies a dataset's content for caches and provenance: {@code <R>px-<N>-<16 hex>}, where the
 * hex is the SHA-256 of the resolution, every entry's path and class, and the encoded bytes of up
 * to {@value #SAMPLED_IMAGES} images spread evenly over the dataset (reading all of a large dataset
 * would take minutes). The same files give the same fingerprint wherever they are; a copy with
 * changed pixels gives another one.
 */
public final class DatasetFingerprint {
  /** Images whose bytes are hashed. */
  public static final int SAMPLED_IMAGES = 64;

  private DatasetFingerprint() {}

  public static String of(Dataset ds) {
    Hasher h = Hashing.sha256().newHasher();
    h.putInt(ds.resolution()).putInt(ds.size());
    for (int i = 0; i < ds.size(); i++) {
      h.putString(ds.path(i), StandardCharsets.UTF_8).putInt(ds.classOf(i));
    }
    int n = Math.min(SAMPLED_IMAGES, ds.size());
    for (int j = 0; j < n; j++) {
      byte[] b = ds.encoded((int) ((long) j * ds.size() / n));
      h.putInt(b.length).putBytes(b);
    }
    return ds.resolution() + "px-" + ds.size() + "-" + h.hash().toString().substring(0, 16);
  }
}
