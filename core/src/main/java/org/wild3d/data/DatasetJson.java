package org.wild3d.data;

/** Key names of {@code dataset.json}; one place so the reader and the writer cannot disagree. */
final class DatasetJson {
  /** File name at the dataset root. */
  static final String FILE = "dataset.json";
  /** StyleGAN2-ADA/EG3D: {@code [[relative_path, class_index or 25 floats], ...]}. */
  static final String LABELS = "labels";
  /** Our extras block; other tools read only {@link #LABELS} and ignore it. */
  static final String EXTRAS = "wild3d";
  static final String FORMAT = "format";
  static final int FORMAT_VERSION = 1;
  static final String CLASS_NAMES = "class_names";
  static final String RESOLUTION = "resolution";
  /** Free-form description of how the dataset was made (importer flags, generator params). */
  static final String SOURCE = "source";
  /** {@code [{path, object, cam2world[16], fov_degrees}, ...]} for synthetic images. */
  static final String VIEWS = "views";
  /** {@code [{id, class, kind, ...}, ...]}: what is needed to re-create each object. */
  static final String OBJECTS = "objects";
  static final String PATH = "path";
  static final String OBJECT = "object";
  static final String CAM2WORLD = "cam2world";
  static final String FOV = "fov_degrees";
  static final String ID = "id";

  private DatasetJson() {}
}
