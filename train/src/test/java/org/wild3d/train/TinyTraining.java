package org.wild3d.train;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.wild3d.config.ConfigLoader;
import org.wild3d.config.LoadedConfig;

/** A seconds-long training setup on a tiny generated shapes dataset, for end-to-end tests. */
final class TinyTraining {
  private TinyTraining() {}

  /** Overrides that shrink shapes-tiny to a few seconds per tick; {@code extra} goes last. */
  static List<String> overrides(Path cache, String extra) {
    List<String> o = new ArrayList<>();
    o.add(
        """
        model {
          mapping { z_dim: 16 w_dim: 16 }
          synthesis { channel_base: 256 channel_max: 16 extra_blocks: 1 }
          triplane { resolution: 16 channels: 4 }
          decoder { hidden_dim: 16 }
          discriminator { channel_base: 256 channel_max: 16 mbstd_group_size: 2 mapping_layers: 2 }
        }
        render { resolution: 16 samples_stratified: 6 samples_importance: 6 }
        data { resolution: 16 shapes { images_per_class: 6 } cache_dir: "%s" }
        train { batch_size: 2 kimg_per_tick: 0.008 snapshot_ticks: 1 total_kimg: 0.024 max_minutes: 0
                metrics: "none" }
        """
            .formatted(cache.toString().replace("\\", "\\\\")));
    if (!extra.isEmpty()) {
      o.add(extra);
    }
    return o;
  }

  static LoadedConfig load(Path cache, String extra) {
    return ConfigLoader.loadDefault(overrides(cache, extra));
  }

  /**
   * The java command running {@link Main} with {@code args} in a new JVM with this JVM's class
   * path and native cache (multi-process and signal tests).
   */
  static List<String> javaMain(List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    String cache = System.getProperty("org.bytedeco.javacpp.cachedir");
    if (cache != null) {
      cmd.add("-Dorg.bytedeco.javacpp.cachedir=" + cache);
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.addAll(args);
    return cmd;
  }

  /** Captured writers. */
  static final class Io {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final PrintWriter outW = new PrintWriter(out, true);
    final PrintWriter errW = new PrintWriter(err, true);
  }
}
