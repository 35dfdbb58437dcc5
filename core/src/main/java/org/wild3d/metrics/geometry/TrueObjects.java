package org.wild3d.metrics.geometry;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.wild3d.DataException;
import org.wild3d.data.Dataset;
import org.wild3d.data.SyntheticObjects;
import org.wild3d.data.TrueView;
import org.wild3d.raster.Mesh;

/**
 * The true objects of a synthetic dataset, per class, that generated objects are compared with:
 * the distinct objects shown by the dataset's images ({@link Dataset#trueView}), at most
 * {@code maxPerClass} per class chosen evenly spaced in id order (deterministic), re-created as
 * meshes exactly as they were rendered ({@link SyntheticObjects#mesh}).
 */
public final class TrueObjects {
  /** Default cap of candidates per class. */
  public static final int DEFAULT_MAX_PER_CLASS = 16;

  /** One true object: its id in the dataset and its mesh in world units. */
  public record Candidate(int objectId, Mesh mesh) {}

  private final Map<Integer, List<Candidate>> byClass;

  /** @param byClass candidates per class index (classes without candidates may be absent) */
  public TrueObjects(Map<Integer, List<Candidate>> byClass) {
    TreeMap<Integer, List<Candidate>> m = new TreeMap<>();
    byClass.forEach((k, v) -> {
      if (!v.isEmpty()) {
        m.put(k, List.copyOf(v));
      }
    });
    checkArgument(!m.isEmpty(), "true objects: expected at least one candidate, found none");
    this.byClass = m;
  }

  /**
   * The candidates of {@code dataset}.
   *
   * @throws DataException (exit 4) naming the dataset when it records no true objects (it is not
   *     a synthetic dataset) or an object cannot be re-created
   */
  public static TrueObjects of(Dataset dataset, int maxPerClass) {
    checkArgument(maxPerClass > 0, "candidates per class: expected > 0, found %s", maxPerClass);
    Map<Integer, TreeSet<Integer>> ids = new TreeMap<>();
    for (int i = 0; i < dataset.size(); i++) {
      Optional<TrueView> v = dataset.trueView(i);
      if (v.isPresent() && v.get().objectId() >= 0) {
        ids.computeIfAbsent(dataset.classOf(i), k -> new TreeSet<>()).add(v.get().objectId());
      }
    }
    if (ids.isEmpty()) {
      throw new DataException("dataset " + dataset.location() + ": geometry metrics need the"
          + " true object of each image (wild3d.views and wild3d.objects in dataset.json, written"
          + " by the synthetic shapes and meshes/furniture generators), found none (this dataset"
          + " was not rendered by wild3d; geo_* metrics need a synthetic dataset, mv_* metrics"
          + " work on any run)");
    }
    Path meshRoot = meshRoot(dataset);
    Map<Integer, List<Candidate>> out = new TreeMap<>();
    for (Map.Entry<Integer, TreeSet<Integer>> e : ids.entrySet()) {
      List<Integer> all = new ArrayList<>(e.getValue());
      int n = Math.min(maxPerClass, all.size());
      List<Candidate> list = new ArrayList<>();
      for (int j = 0; j < n; j++) {
        int id = all.get((int) ((long) j * all.size() / n));
        JsonObject o = dataset.object(id).orElseThrow(() -> new DataException("dataset "
            + dataset.location() + ": an image shows object " + id + " but wild3d.objects has no"
            + " record of it (regenerate the dataset)"));
        list.add(new Candidate(id, SyntheticObjects.mesh(o, meshRoot)));
      }
      out.put(e.getKey(), list);
    }
    return new TrueObjects(out);
  }

  private static Path meshRoot(Dataset dataset) {
    JsonObject extras = dataset.extras();
    if (extras.has("source") && extras.get("source").isJsonObject()) {
      JsonObject s = extras.getAsJsonObject("source");
      if (s.has("root")) {
        return Path.of(s.get("root").getAsString());
      }
    }
    return null;
  }

  /** Classes that have candidates, ascending. */
  public int[] classes() {
    return byClass.keySet().stream().mapToInt(Integer::intValue).toArray();
  }

  /** The candidates of class {@code k} (empty if none). */
  public List<Candidate> candidates(int k) {
    return byClass.getOrDefault(k, List.of());
  }

  /** The candidates' meshes of class {@code k}. */
  public List<Mesh> meshes(int k) {
    return candidates(k).stream().map(Candidate::mesh).toList();
  }

  /** Candidates over all classes. */
  public int size() {
    return byClass.values().stream().mapToInt(List::size).sum();
  }
}
