package org.wild3d.model;

import com.google.protobuf.TextFormat;
import org.wild3d.config.Experiment;

/** Small experiment configs for graph tests (seconds on 2 cores). */
public final class TinyConfigs {
  private TinyConfigs() {}

  /** A tiny class-conditional model: 3 classes, triplane 16²×3×8, render 8², 6+6 samples. */
  public static final String TINY =
      """
      seed: 5
      model {
        num_classes: 3
        mapping { z_dim: 16 w_dim: 16 num_layers: 2 }
        synthesis { channel_base: 1024 channel_max: 16 extra_blocks: 1 }
        triplane { resolution: 16 channels: 8 }
        decoder { hidden_dim: 16 num_hidden_layers: 2 feature_dim: 8 }
        discriminator { channel_base: 1024 channel_max: 16 mbstd_group_size: 2 mapping_layers: 2 }
        multiview { views: 2 }
      }
      render { resolution: 8 samples_stratified: 6 samples_importance: 6 }
      data { resolution: 8 }
      train { batch_size: 2 }
      """;

  /** Parses {@code TINY} merged with {@code extra} (text proto). */
  public static Experiment tiny(String extra) {
    try {
      Experiment.Builder b = Experiment.newBuilder();
      TextFormat.merge(TINY, b);
      TextFormat.merge(extra, b);
      return b.build();
    } catch (TextFormat.ParseException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
