package org.wild3d.table;

import static com.google.common.base.Preconditions.checkArgument;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes a filled table as Markdown, CSV and LaTeX (booktabs). The output depends only on the spec
 * and the values: no dates, numbers formatted with {@link Locale#ROOT}, rows and columns in spec
 * order, {@code \n} line ends; the same inputs give the same bytes.
 *
 * <p>Shown values are {@code metric × scale} with the column's decimals; the best shown value of a
 * column (lowest or highest, by {@link TableSpecs#better}) is bold, every row that ties with it
 * too, when at least two rows have a finite value. A spread ({@code std > 0}: KID subsets, IS
 * splits) is shown as {@code ± std}. The CSV keeps the metric's own units (unscaled), with the
 * decimals the scale moved, plus each row's path, step and kimg.
 */
public final class TableFormat {
  /**
   * One measured value.
   *
   * @param value the metric in its own units
   * @param std its spread (0 when the metric has none)
   */
  public record Cell(double value, double std) {}

  /**
   * One filled row.
   *
   * @param label the spec's label
   * @param path the spec's path as written
   * @param step training step of the measured checkpoint
   * @param kimg kimg of the measured checkpoint
   * @param cells one per spec column, in column order
   */
  public record Row(String label, String path, long step, double kimg, List<Cell> cells) {
    public Row {
      cells = List.copyOf(cells);
    }
  }

  private final TableSpec spec;
  private final List<Row> rows;
  /** [row][column]: whether the cell is the column's best. */
  private final boolean[][] best;

  /**
   * @param rows one per spec row, in spec order, each with one cell per column
   */
  public TableFormat(TableSpec spec, List<Row> rows) {
    checkArgument(rows.size() == spec.getRowCount(), "table %s: expected %s rows, found %s",
        spec.getName(), spec.getRowCount(), rows.size());
    for (Row r : rows) {
      checkArgument(r.cells().size() == spec.getColumnCount(),
          "table %s row %s: expected %s cells, found %s", spec.getName(), r.label(),
          spec.getColumnCount(), r.cells().size());
    }
    this.spec = spec;
    this.rows = List.copyOf(rows);
    this.best = new boolean[rows.size()][spec.getColumnCount()];
    for (int j = 0; j < spec.getColumnCount(); j++) {
      markBest(j);
    }
  }

  private void markBest(int j) {
    TableColumn c = spec.getColumn(j);
    TableColumn.Better better = TableSpecs.better(c);
    if (better == TableColumn.Better.NONE) {
      return;
    }
    BigDecimal top = null;
    int finite = 0;
    for (Row r : rows) {
      double v = r.cells().get(j).value();
      if (!Double.isFinite(v)) {
        continue;
      }
      finite++;
      BigDecimal shown = new BigDecimal(shown(v * c.getScale(), c.getDecimals()));
      if (top == null || (better == TableColumn.Better.LOWER ? shown.compareTo(top) < 0
          : shown.compareTo(top) > 0)) {
        top = shown;
      }
    }
    if (finite < 2) {
      return;
    }
    for (int i = 0; i < rows.size(); i++) {
      double v = rows.get(i).cells().get(j).value();
      best[i][j] = Double.isFinite(v)
          && new BigDecimal(shown(v * c.getScale(), c.getDecimals())).compareTo(top) == 0;
    }
  }

  // -- Markdown -------------------------------------------------------------------------------

  /** A Markdown table: {@code ### title}, the table, the caption. */
  public String markdown() {
    StringBuilder s = new StringBuilder();
    if (!spec.getTitle().isEmpty()) {
      s.append("### ").append(spec.getTitle()).append("\n\n");
    }
    List<String> header = new ArrayList<>();
    List<String> align = new ArrayList<>();
    header.add(md(spec.getRowHeader()));
    align.add(":---");
    if (spec.getShowKimg()) {
      header.add("kimg");
      align.add("---:");
    }
    if (spec.getShowStep()) {
      header.add("step");
      align.add("---:");
    }
    for (TableColumn c : spec.getColumnList()) {
      header.add(md(TableSpecs.header(c)) + arrow(c, " ↓", " ↑"));
      align.add("---:");
    }
    row(s, header);
    row(s, align);
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      List<String> cells = new ArrayList<>();
      cells.add(md(r.label()));
      if (spec.getShowKimg()) {
        cells.add(shown(r.kimg(), 2));
      }
      if (spec.getShowStep()) {
        cells.add(Long.toString(r.step()));
      }
      for (int j = 0; j < spec.getColumnCount(); j++) {
        cells.add(cell(i, j, "**", "**", " ± "));
      }
      row(s, cells);
    }
    if (!spec.getCaption().isEmpty()) {
      s.append('\n').append(spec.getCaption()).append('\n');
    }
    return s.toString();
  }

  private static void row(StringBuilder s, List<String> cells) {
    s.append("| ").append(String.join(" | ", cells)).append(" |\n");
  }

  private static String md(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }

  // -- CSV ------------------------------------------------------------------------------------

  /**
   * CSV (RFC 4180 quoting, {@code \n} line ends): {@code label,path,step,kimg}, then per column its
   * metric name and, if any row has a spread, {@code <metric>_std}; values unscaled.
   */
  public String csv() {
    List<String> header = new ArrayList<>(List.of("label", "path", "step", "kimg"));
    boolean[] spread = new boolean[spec.getColumnCount()];
    for (int j = 0; j < spec.getColumnCount(); j++) {
      String m = spec.getColumn(j).getMetric();
      header.add(m);
      for (Row r : rows) {
        spread[j] |= r.cells().get(j).std() > 0;
      }
      if (spread[j]) {
        header.add(m + "_std");
      }
    }
    StringBuilder s = new StringBuilder();
    csvLine(s, header);
    for (Row r : rows) {
      List<String> cells = new ArrayList<>(List.of(r.label(), r.path(), Long.toString(r.step()),
          shown(r.kimg(), 3)));
      for (int j = 0; j < spec.getColumnCount(); j++) {
        TableColumn c = spec.getColumn(j);
        int d = csvDecimals(c);
        Cell cell = r.cells().get(j);
        cells.add(shown(cell.value(), d));
        if (spread[j]) {
          cells.add(shown(cell.std(), d));
        }
      }
      csvLine(s, cells);
    }
    return s.toString();
  }

  /** Decimals of the unscaled CSV value: the column's, plus the digits its scale moved. */
  static int csvDecimals(TableColumn c) {
    return Math.max(0, c.getDecimals() + (int) Math.round(Math.log10(c.getScale())));
  }

  private static void csvLine(StringBuilder s, List<String> cells) {
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        s.append(',');
      }
      String c = cells.get(i);
      if (c.contains(",") || c.contains("\"") || c.contains("\n") || c.contains("\r")) {
        s.append('"').append(c.replace("\"", "\"\"")).append('"');
      } else {
        s.append(c);
      }
    }
    s.append('\n');
  }

  // -- LaTeX ----------------------------------------------------------------------------------

  /** A booktabs {@code table} environment with caption and label {@code tab:<name>}. */
  public String latex() {
    StringBuilder s = new StringBuilder();
    s.append("% ").append(spec.getName())
        .append(": written by wild3d-eval table (needs \\usepackage{booktabs}).\n");
    s.append("\\begin{table}[t]\n  \\centering\n");
    String caption = tex(spec.getTitle());
    if (!spec.getTitle().isEmpty() && !spec.getCaption().isEmpty()) {
      caption += spec.getTitle().endsWith(".") ? " " : ". ";
    }
    caption += tex(spec.getCaption());
    if (!caption.isEmpty()) {
      s.append("  \\caption{").append(caption).append("}\n");
    }
    s.append("  \\label{tab:").append(spec.getName()).append("}\n");
    int numeric = spec.getColumnCount() + (spec.getShowKimg() ? 1 : 0)
        + (spec.getShowStep() ? 1 : 0);
    s.append("  \\begin{tabular}{l").append("r".repeat(numeric)).append("}\n");
    s.append("    \\toprule\n");
    List<String> header = new ArrayList<>();
    header.add(tex(spec.getRowHeader()));
    if (spec.getShowKimg()) {
      header.add("kimg");
    }
    if (spec.getShowStep()) {
      header.add("step");
    }
    for (TableColumn c : spec.getColumnList()) {
      String h = c.getLatexHeader().isEmpty() ? tex(TableSpecs.header(c)) : c.getLatexHeader();
      header.add(h + arrow(c, " $\\downarrow$", " $\\uparrow$"));
    }
    texRow(s, header);
    s.append("    \\midrule\n");
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      List<String> cells = new ArrayList<>();
      cells.add(tex(r.label()));
      if (spec.getShowKimg()) {
        cells.add(shown(r.kimg(), 2));
      }
      if (spec.getShowStep()) {
        cells.add(Long.toString(r.step()));
      }
      for (int j = 0; j < spec.getColumnCount(); j++) {
        cells.add(cell(i, j, "\\textbf{", "}", " $\\pm$ "));
      }
      texRow(s, cells);
    }
    s.append("    \\bottomrule\n  \\end{tabular}\n\\end{table}\n");
    return s.toString();
  }

  private static void texRow(StringBuilder s, List<String> cells) {
    s.append("    ").append(String.join(" & ", cells)).append(" \\\\\n");
  }

  /** {@code text} with LaTeX's special characters escaped and common symbols in math mode. */
  static String tex(String text) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      switch (ch) {
        case '\\' -> s.append("\\textbackslash{}");
        case '&', '%', '$', '#', '_', '{', '}' -> s.append('\\').append(ch);
        case '~' -> s.append("\\textasciitilde{}");
        case '|' -> s.append("\\textbar{}");
        case '^' -> s.append("\\textasciicircum{}");
        case '×' -> s.append("$\\times$");
        case '±' -> s.append("$\\pm$");
        case '²' -> s.append("$^{2}$");
        case '³' -> s.append("$^{3}$");
        case '↓' -> s.append("$\\downarrow$");
        case '↑' -> s.append("$\\uparrow$");
        case '\n' -> s.append(' ');
        default -> s.append(ch);
      }
    }
    return s.toString();
  }

  // -- shared ---------------------------------------------------------------------------------

  private static String arrow(TableColumn c, String down, String up) {
    return switch (TableSpecs.better(c)) {
      case LOWER -> down;
      case HIGHER -> up;
      default -> "";
    };
  }

  /** Cell (i, j) as shown: the scaled value, bold when best, then {@code ± spread} if any. */
  private String cell(int i, int j, String boldOpen, String boldClose, String pm) {
    TableColumn c = spec.getColumn(j);
    Cell cell = rows.get(i).cells().get(j);
    String v = shown(cell.value() * c.getScale(), c.getDecimals());
    if (best[i][j]) {
      v = boldOpen + v + boldClose;
    }
    if (c.getShowSpread() && cell.std() > 0 && Double.isFinite(cell.value())) {
      v += pm + shown(cell.std() * c.getScale(), c.getDecimals());
    }
    return v;
  }

  /** {@code v} with {@code decimals} digits (Locale.ROOT, half-up, no "-0"); "NaN"/"inf". */
  static String shown(double v, int decimals) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    String s = new BigDecimal(v).setScale(decimals, java.math.RoundingMode.HALF_UP)
        .toPlainString();
    if (s.startsWith("-") && new BigDecimal(s).signum() == 0) {
      s = s.substring(1);
    }
    return s;
  }
}
