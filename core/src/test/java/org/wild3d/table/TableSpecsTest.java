package org.wild3d.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wild3d.Wild3dException;
import org.wild3d.config.ConfigError;
import org.wild3d.config.ConfigException;

class TableSpecsTest {
  @TempDir Path dir;

  private static ConfigException error(String text) {
    return catchThrowableOfType(ConfigException.class,
        () -> TableSpecs.parse("s.pbtxt", text, "s"));
  }

  @Test
  void loadsAFileNamedAfterItWithDefaults() throws Exception {
    Path f = dir.resolve("my-table.pbtxt");
    Files.writeString(f, """
        # comment
        row { label: "a" path: "runs/a" }
        column { metric: "fid2k_cls" }
        column { metric: "is50k" header: "IS" }
        """);
    TableSpec s = TableSpecs.load(f);
    assertThat(s.getName()).isEqualTo("my-table");
    assertThat(s.getRowHeader()).isEqualTo("Method");
    assertThat(s.getSeed()).isZero();
    assertThat(s.getColumn(0).getDecimals()).isEqualTo(2);
    assertThat(s.getColumn(0).getScale()).isEqualTo(1.0);
    assertThat(TableSpecs.header(s.getColumn(0))).isEqualTo("fid2k_cls");
    assertThat(TableSpecs.header(s.getColumn(1))).isEqualTo("IS");
    assertThat(TableSpecs.better(s.getColumn(0))).isEqualTo(TableColumn.Better.LOWER);
    assertThat(TableSpecs.better(s.getColumn(1))).isEqualTo(TableColumn.Better.HIGHER);
    assertThat(TableSpecs.metrics(s).get(1).count()).isEqualTo(50000);
  }

  @Test
  void unknownFieldsAreAllReportedWithTheirLinesAndASuggestion() {
    ConfigException e = error("""
        title: "t"
        row { label: "a" pth: "runs/a" }
        column { metric: "fid2k_cls" }
        colour: 3
        """);
    assertThat(e.exitCode()).isEqualTo(Wild3dException.EXIT_CONFIG);
    assertThat(e.errors()).extracting(ConfigError::line).containsExactly(2, 4);
    assertThat(e.getMessage())
        .contains("s.pbtxt:2: expected a field of TableRow, found unknown field \"pth\""
            + " (did you mean \"path\"?)")
        .contains("s.pbtxt:4: expected a field of TableSpec, found unknown field \"colour\""
            + " (fields of TableSpec: name, title, caption, row_header, row, column, seed,"
            + " classifier_steps, show_kimg, show_step)");
  }

  @Test
  void syntaxErrorNamesItsLine() {
    ConfigException e = error("row { label: \"a\" path: \"r\" }\ncolumn { metric: fid }\n");
    assertThat(e.errors()).hasSize(1);
    assertThat(e.errors().get(0).line()).isEqualTo(2);
    assertThat(e.getMessage()).contains("s.pbtxt:2: ", "cannot be parsed");
  }

  @Test
  void aFieldWrittenTwiceIsAnError() {
    ConfigException e = error("""
        row { label: "a" path: "r" }
        column { metric: "fid2k_cls"
          decimals: 1
          decimals: 2 }
        """);
    assertThat(e.errors()).extracting(ConfigError::line).containsExactly(4);
    assertThat(e.getMessage()).contains("decimals", "cannot be overwritten");
  }

  @Test
  void unknownMetricNamesTheColumnAndTheKnownFamilies() {
    ConfigException e = error("""
        row { label: "a" path: "r" }
        column { metric: "fid2k_cls" header: "FID" }
        column {
          header: "Depth"
          metric: "lpips64"
        }
        """);
    assertThat(e.exitCode()).isEqualTo(3);
    assertThat(e.errors()).hasSize(1);
    assertThat(e.errors().get(0).format()).isEqualTo("s.pbtxt:5: column[1].metric: expected a"
        + " registry metric name <family><count>[k][_cls] with family one of fid, kid, is, acc,"
        + " precision, recall, geo_iou, geo_depth, mv_depth, mv_agree, found \"lpips64\" (column"
        + " \"Depth\"; e.g. fid2k_cls, kid2k_cls,"
        + " is2k_cls, acc2k_cls, fid50k)");
  }

  @Test
  void badValuesAreAllReportedTogether() {
    ConfigException e = error("""
        name: "bad name"
        row { label: "a" path: "r" }
        row { label: "a" }
        column { metric: "fid2k_cls" decimals: 12 }
        column { metric: "fid2k_cls" scale: 0 }
        """);
    assertThat(e.errors()).extracting(ConfigError::fieldPath).containsExactly("name",
        "row[1].label", "row[1].path", "column[0].decimals", "column[1].metric",
        "column[1].scale");
    assertThat(e.errors()).extracting(ConfigError::line).containsExactly(1, 3, 3, 4, 5, 5);
    assertThat(e.getMessage()).contains("\"a\" again", "an integer in [0, 9]", "found 12");
  }

  @Test
  void emptySpecNeedsRowsAndColumns() {
    ConfigException e = error("# nothing\n");
    assertThat(e.errors()).extracting(ConfigError::fieldPath).containsExactly("row", "column");
  }

  @Test
  void aSpecThatIsNotUtf8IsSaidInWords() throws Exception {
    Path f = dir.resolve("latin1.pbtxt");
    java.nio.file.Files.write(f, "name: \"caf\u00e9\"\n"
        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> TableSpecs.load(f));
    assertThat(e.getMessage()).contains("expected a readable UTF-8 text file, found not UTF-8 "
        + "text (byte 0xE9 at line 1, column 11; save the file as UTF-8)")
        .doesNotContain("Exception");
  }

  @Test
  void missingFileIsAConfigErrorNamingIt() {
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> TableSpecs.load(dir.resolve("nope.pbtxt")));
    assertThat(e.getMessage()).contains("nope.pbtxt", "configs/tables");
  }
}
