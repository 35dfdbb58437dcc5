package org.wild3d.configs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.wild3d.config.ConfigLoader;
import org.wild3d.config.Experiment;
import org.wild3d.table.TableRow;
import org.wild3d.table.TableSpec;
import org.wild3d.table.TableSpecs;

/**
 * Every shipped table spec (configs/tables/*.pbtxt) parses strictly and names real metrics; the
 * ablation table's rows are exactly shapes-tiny and the configs/ablation variants, and each
 * variant differs from shapes-tiny only in the field its header names.
 */
class ShippedTablesTest {
  private static final Path DIR = Path.of(System.getProperty("basedir", "."));

  static Stream<Path> tables() throws Exception {
    try (Stream<Path> files = Files.list(DIR.resolve("tables"))) {
      return files.filter(p -> p.toString().endsWith(".pbtxt")).sorted().toList().stream();
    }
  }

  private static Experiment load(Path file) {
    return ConfigLoader.load(file, List.of()).resolved();
  }

  @ParameterizedTest
  @MethodSource("tables")
  void parsesWithAHeaderComment(Path file) throws Exception {
    TableSpec spec = TableSpecs.load(file);
    String stem = file.getFileName().toString().replace(".pbtxt", "");
    assertThat(spec.getName()).isEqualTo(stem);
    assertThat(Files.readString(file)).startsWith("# " + stem + ": ");
    assertThat(TableSpecs.metrics(spec)).hasSameSizeAs(spec.getColumnList());
    assertThat(spec.getRowList()).allSatisfy(r -> assertThat(r.getPath()).startsWith("runs/"));
  }

  @Test
  void everyPromisedTableShips() throws Exception {
    assertThat(tables().map(p -> p.getFileName().toString())).containsExactly(
        "ablation-shapes.pbtxt", "shapenet-style.pbtxt", "table1-imagenet.pbtxt");
  }

  @Test
  void table1ComparesTheEg3dBaselineWithOursOnInceptionMetrics() {
    TableSpec t = TableSpecs.load(DIR.resolve("tables/table1-imagenet.pbtxt"));
    assertThat(t.getRowList()).extracting(TableRow::getPath).containsExactly(
        "runs/table1/eg3d-imagenet-128", "runs/table1/imagenet-128");
    assertThat(t.getColumnList()).extracting(c -> c.getMetric()).containsExactly(
        "fid50k", "is50k", "kid50k");
  }

  @Test
  void ablationRowsAreShapesTinyAndEveryAblationConfig() throws Exception {
    TableSpec t = TableSpecs.load(DIR.resolve("tables/ablation-shapes.pbtxt"));
    List<String> names = t.getRowList().stream()
        .map(r -> r.getPath().substring("runs/ablation/".length())).toList();
    assertThat(t.getRowList()).allSatisfy(r -> assertThat(r.getPath()).startsWith(
        "runs/ablation/"));
    assertThat(names.get(0)).isEqualTo("shapes-tiny");
    try (Stream<Path> files = Files.list(DIR.resolve("ablation"))) {
      assertThat(names.subList(1, names.size())).containsExactlyInAnyOrderElementsOf(
          files.map(p -> p.getFileName().toString().replace(".pbtxt", "")).toList());
    }
    // bin/wild3d-ablation trains the same list.
    String script = Files.readString(DIR.resolve("../bin/wild3d-ablation"));
    assertThat(script).contains("configs/shapes-tiny.pbtxt");
    for (String n : names.subList(1, names.size())) {
      assertThat(script).contains("configs/ablation/" + n + ".pbtxt");
    }
  }

  @Test
  void eachAblationDiffersFromShapesTinyOnlyInItsField() throws Exception {
    Experiment ours = load(DIR.resolve("shapes-tiny.pbtxt"));
    Map<String, Consumer<Experiment.Builder>> change = Map.of(
        "shapes-tiny-v1", b -> b.getModelBuilder().getMultiviewBuilder().setViews(1),
        "shapes-tiny-v4", b -> b.getModelBuilder().getMultiviewBuilder().setViews(4),
        "shapes-tiny-no-extra-blocks",
        b -> b.getModelBuilder().getSynthesisBuilder().setExtraBlocks(0),
        "shapes-tiny-eg3d-decoder",
        b -> b.getModelBuilder().getDecoderBuilder().setNumHiddenLayers(1).setHiddenDim(64));
    assertThat(ours.getModel().getMultiview().getViews()).isEqualTo(2);
    assertThat(ours.getModel().getSynthesis().getExtraBlocks()).isEqualTo(1);
    assertThat(ours.getModel().getDecoder().getNumHiddenLayers()).isEqualTo(2);
    try (Stream<Path> files = Files.list(DIR.resolve("ablation"))) {
      for (Path f : files.sorted().toList()) {
        String name = f.getFileName().toString().replace(".pbtxt", "");
        assertThat(change).as("the change of %s", f).containsKey(name);
        Experiment.Builder expected = ours.toBuilder().setName(name);
        change.get(name).accept(expected);
        assertThat(load(f)).as(f.toString()).isEqualTo(expected.build());
        assertThat(Files.readString(f)).contains("ablation of configs/shapes-tiny.pbtxt");
      }
    }
  }
}
