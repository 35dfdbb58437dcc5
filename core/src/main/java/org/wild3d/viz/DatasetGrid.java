package org.wild3d.viz;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.wild3d.data.Dataset;

/** A picture of a dataset: one row per class, its first images side by side. */
public final class DatasetGrid {
  private DatasetGrid() {}

  /**
   * {@code cols} images evenly spread over each of the first {@code maxClasses} classes (an empty
   * class gives a black row; a class with fewer images repeats them).
   */
  public static BufferedImage of(Dataset ds, int maxClasses, int cols) {
    int classes = Math.min(maxClasses, ds.numClasses());
    int res = ds.resolution();
    List<float[]> tiles = new ArrayList<>();
    for (int k = 0; k < classes; k++) {
      int[] idx = ds.indicesOfClass(k);
      for (int j = 0; j < cols; j++) {
        float[] tile = new float[res * res * 3];
        java.util.Arrays.fill(tile, -1f);
        if (idx.length > 0) {
          // Evenly spread over the class, so multi-view datasets show many objects.
          ds.readInto(idx[(int) ((long) j * idx.length / cols) % idx.length], false, tile, 0);
        }
        tiles.add(tile);
      }
    }
    return Grid.assemble(tiles.toArray(new float[0][]), classes, cols, res, res, 3, 1);
  }

  /** Writes {@link #of} as a PNG. */
  public static void write(Dataset ds, int maxClasses, int cols, Path png) {
    Grid.writePng(of(ds, maxClasses, cols), png);
  }
}
