package org.wild3d.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Each rule: a snippet merged onto the embedded default must give exactly one error, there. */
class ConfigValidatorTest {

  private static Experiment withDefault(String snippet) {
    Experiment.Builder b = ConfigLoader.parse("default", ConfigLoader.defaultText()).toBuilder();
    ConfigLoader.overlay(b, ConfigLoader.parse("snippet", snippet));
    return Configs.resolved(b.build());
  }

  private static List<ConfigError> errors(String snippet) {
    return ConfigValidator.validate(withDefault(snippet));
  }

  @Test
  void embeddedDefaultIsValid() {
    assertThat(errors("")).isEmpty();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      name: "a b"                                               | name                                | letters, digits
      model { num_classes: 0 }                                  | model.num_classes                   | expected a value >= 1, found 0
      model { num_classes: 5 }                                  | model.num_classes                   | expected 6 (the classes of data.shapes, default six), found 5
      model { mapping { z_dim: 0 } }                            | model.mapping.z_dim                 | >= 1
      model { mapping { w_avg_beta: 1.5 } }                     | model.mapping.w_avg_beta            | [0, 1]
      model { mapping { lr_multiplier: 0 } }                    | model.mapping.lr_multiplier         | > 0
      model { triplane { resolution: 48 } }                     | model.triplane.resolution           | expected a power of two >= 8, found 48
      model { triplane { resolution: 4 } }                      | model.triplane.resolution           | power of two >= 8
      model { triplane { resolution: -32 } }                    | model.triplane.resolution           | power of two
      model { triplane { channels: 0 } }                        | model.triplane.channels             | >= 1
      model { triplane { box_size: 0 } }                        | model.triplane.box_size             | > 0
      model { synthesis { channel_base: 16 } }                  | model.synthesis.channel_base        | at least model.triplane.resolution = 32
      model { synthesis { extra_blocks: -1 } }                  | model.synthesis.extra_blocks        | >= 0
      model { decoder { feature_dim: 2 } }                      | model.decoder.feature_dim           | expected a value >= 3, found 2
      model { decoder { num_hidden_layers: 0 } }                | model.decoder.num_hidden_layers     | expected a value >= 1, found 0
      model { decoder { hidden_dim: 0 } }                       | model.decoder.hidden_dim            | >= 1
      model { superres { output_resolution: 96 } }              | model.superres.output_resolution    | render.resolution = 32 times 2, 4, 8
      model { superres { output_resolution: 32 } }              | model.superres.output_resolution    | times 2, 4, 8
      model { discriminator { mbstd_group_size: -1 } }          | model.discriminator.mbstd_group_size | >= 0
      model { discriminator { channel_base: 8 } }               | model.discriminator.channel_base    | at least the image resolution 32
      model { multiview { views: 0 } }                          | model.multiview.views               | expected a value >= 1, found 0
      model { multiview { views: 1 fusion: STACKED } }          | model.multiview.views               | at least 2 with fusion STACKED
      render { resolution: 24 }                                 | render.resolution                   | power of two >= 4
      render { samples_stratified: 1 }                          | render.samples_stratified           | expected a value >= 2, found 1
      render { ray_start: 0 }                                   | render.ray_start                    | expected a value > 0, found 0
      render { ray_start: -1 }                                  | render.ray_start                    | expected a value > 0, found -1
      model { discriminator { mbstd_channels: 3 } }             | model.discriminator.mbstd_channels  | a divisor of the discriminator's 4x4 channels min(channel_base / 4, channel_max) = 64, found 3
      model { discriminator { mbstd_channels: 0 } }             | model.discriminator.mbstd_channels  | expected a value >= 1, found 0
      camera { radius: -1 } render { ray_start: 0.1 ray_end: 1 } | camera.radius                      | expected a value > 0, found -1
      render { samples_importance: -1 }                         | render.samples_importance           | >= 0
      render { ray_start: 3 ray_end: 3 }                        | render.ray_end                      | more than render.ray_start = 3
      render { ray_start: 4 ray_end: 5 }                        | render.ray_start                    | meets the triplane box
      render { background_rgb: [1, 1] }                         | render.background_rgb               | 0 values (black) or 3 values, found 2 values
      render { background_rgb: [1, 1.5, 0] }                    | render.background_rgb               | values in [-1, 1], found 1.5
      render { density_noise: -1 }                              | render.density_noise                | >= 0
      camera { radius: 0.4 } render { ray_start: 0.1 ray_end: 1 } | camera.radius                       | more than half of model.triplane.box_size
      camera { fov_degrees: 180 }                               | camera.fov_degrees                  | (0, 180)
      camera { fov_degrees: 0 }                                 | camera.fov_degrees                  | (0, 180)
      camera { azimuth_min_deg: 10 azimuth_max_deg: 10 }        | camera.azimuth_max_deg              | more than camera.azimuth_min_deg = 10 
      camera { azimuth_min_deg: -10 azimuth_max_deg: 360 }      | camera.azimuth_max_deg              | at most 360 above it
      camera { polar_min_deg: 90 polar_max_deg: 90 }            | camera.polar_max_deg                | more than camera.polar_min_deg = 90 and
      camera { polar_max_deg: 190 }                             | camera.polar_max_deg                | at most 180
      camera { polar_min_deg: -5 }                              | camera.polar_min_deg                | [0, 180)
      data { resolution: 64 }                                   | data.resolution                     | expected 32, the resolution of generated images (render.resolution, superres off), found 64
      data { path: "" }                                         | data.path                           | a dataset folder or ZIP
      data { meshes { root: "" } }                              | data.meshes.root                    | one sub-folder of meshes per class
      data { shapes { classes: ["a", "b", "a", "c", "d", "e"] } } | data.shapes.classes               | distinct class names, found "a"
      data { shapes { images_per_class: 0 } }                   | data.shapes.images_per_class        | >= 1
      data { max_images: -1 }                                   | data.max_images                     | >= 0
      train { batch_size: 6 }                                   | train.batch_size                    | a multiple of model.discriminator.mbstd_group_size = 4, found 6
      train { batch_size: 0 }                                   | train.batch_size                    | >= 1
      train { g_lr: 0 }                                         | train.g_lr                          | expected a value > 0, found 0
      train { d_lr: -0.002 }                                    | train.d_lr                          | > 0
      train { beta1: 1 }                                        | train.beta1                         | [0, 1)
      train { beta2: -0.5 }                                     | train.beta2                         | [0, 1)
      train { adam_epsilon: 0 }                                 | train.adam_epsilon                  | > 0
      train { r1_gamma: -1 }                                    | train.r1_gamma                      | >= 0
      train { r1_interval: 0 }                                  | train.r1_interval                   | >= 1
      train { density_reg_interval: 0 }                         | train.density_reg_interval          | >= 1
      train { density_reg_p_dist: 0 }                           | train.density_reg_p_dist            | > 0
      train { total_kimg: 0 }                                   | train.total_kimg                    | > 0
      train { kimg_per_tick: 0 }                                | train.kimg_per_tick                 | > 0
      train { snapshot_ticks: 0 }                               | train.snapshot_ticks                | >= 1
      train { g_lr: nan }                                       | train.g_lr                          | expected a finite number, found NaN
      train { total_kimg: inf }                                 | train.total_kimg                    | expected a finite number, found Infinity
      train { metrics: "FID 50k" }                              | train.metrics                       | metric names
      eval { batch_size: 0 }                                    | eval.batch_size                     | >= 1
      invert { stage1_lr: 0 }                                   | invert.stage1_lr                    | > 0
      invert { camera_candidates: 0 }                           | invert.camera_candidates            | >= 1
      invert { pixel_weight: 0 perceptual_weight: 0 }           | invert.pixel_weight                 | pixel_weight + perceptual_weight > 0
      """)
  void ruleReportsOneErrorAtItsField(String snippet, String path, String message) {
    List<ConfigError> errors = errors(snippet);
    assertThat(errors).as("errors of %s", snippet).hasSize(1);
    assertThat(errors.get(0).fieldPath()).isEqualTo(path);
    assertThat(errors.get(0).message()).contains(message).matches("expected .+, found .+ \\(.+\\)");
  }

  @ParameterizedTest
  @ValueSource(strings = {
    // minibatch-std off: any batch size
    "model { discriminator { mbstd_group_size: 0 } } train { batch_size: 6 }",
    // super-resolution on: data must match its output, not the neural rendering
    "model { superres { output_resolution: 128 } } data { resolution: 128 }",
    "model { multiview { views: 4 fusion: STACKED } }",
    "data { shapes { classes: [\"a\", \"b\", \"c\"] } } model { num_classes: 3 }",
    "data { path: \"data/x.zip\" } model { num_classes: 1000 }",
    "camera { azimuth_min_deg: -180 azimuth_max_deg: 180 polar_min_deg: 60 polar_max_deg: 120 }",
    "render { background_rgb: [1, 1, 1] ray_start: 0.1 ray_end: 2.6 } camera { radius: 1.7 }",
    "train { beta1: 0.5 beta2: 0.999 r1_gamma: 0 density_reg: 0 density_reg_p_dist: 0 }",
  })
  void consistentSettingsPass(String snippet) {
    assertThat(errors(snippet)).isEmpty();
  }

  @Test
  void superresMismatchIsReportedOnDataResolution() {
    List<ConfigError> errors = errors("model { superres { output_resolution: 128 } }");
    assertThat(errors).extracting(ConfigError::fieldPath).containsExactly("data.resolution");
    assertThat(errors.get(0).message()).startsWith("expected 128, the resolution of generated "
        + "images (model.superres.output_resolution), found 32");
  }

  @Test
  void independentProblemsAreAllReported() {
    List<ConfigError> errors = errors("model { multiview { views: 0 } triplane { resolution: 33 } }"
        + " train { g_lr: 0 } camera { fov_degrees: 200 }");
    assertThat(errors).extracting(ConfigError::fieldPath).containsExactlyInAnyOrder(
        "model.multiview.views", "model.triplane.resolution", "train.g_lr", "camera.fov_degrees");
  }
}
