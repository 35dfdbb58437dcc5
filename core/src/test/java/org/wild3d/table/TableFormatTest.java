package org.wild3d.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Known answers: fixed metric values → exact Markdown, CSV and LaTeX text. */
class TableFormatTest {
  private static final String SPEC = """
      name: "t1"
      title: "Ablation"
      caption: "Equal kimg."
      show_kimg: true
      row { label: "ours" path: "runs/a" }
      row { label: "V=1" path: "runs/b" }
      row { label: "a|b_c" path: "runs/c,d" }
      column { metric: "fid2k_cls" header: "FID" }
      column { metric: "kid2k_cls" header: "KID ×10³" scale: 1000 }
      column { metric: "acc2k_cls" header: "Acc" decimals: 3 }
      column { metric: "is2k_cls" header: "IS" better: NONE show_spread: false }
      """;

  private static final double NAN = Double.NaN;

  /**
   * FID ties at the shown 12.34 (both bold); KID's best is a tiny negative value shown as 0.00
   * (never "-0.00"); the NaN accuracy takes no part in the best; IS has no arrow and no bold.
   */
  private static TableFormat format() {
    TableSpec spec = TableSpecs.parse("t1.pbtxt", SPEC, "t1");
    return new TableFormat(spec, List.of(
        new TableFormat.Row("ours", "runs/a", 63, 1.008, List.of(cell(12.344, 0),
            cell(0.00123, 0.0004), cell(0.5, 0), cell(2.5, 0.1))),
        new TableFormat.Row("V=1", "runs/b", 125, 1.0, List.of(cell(12.336, 0),
            cell(0.002, 0.0001), cell(0.6125, 0), cell(3.0, 0.2))),
        new TableFormat.Row("a|b_c", "runs/c,d", 124, 0.9995, List.of(cell(20, 0),
            cell(-0.0000001, 0.0002), cell(NAN, 0), cell(1.0, 0)))));
  }

  private static TableFormat.Cell cell(double v, double std) {
    return new TableFormat.Cell(v, std);
  }

  @Test
  void markdownBoldsTheBestWithArrowsAndSpreads() {
    assertThat(format().markdown()).isEqualTo("""
        ### Ablation

        | Method | kimg | FID ↓ | KID ×10³ ↓ | Acc ↑ | IS |
        | :--- | ---: | ---: | ---: | ---: | ---: |
        | ours | 1.01 | **12.34** | 1.23 ± 0.40 | 0.500 | 2.50 |
        | V=1 | 1.00 | **12.34** | 2.00 ± 0.10 | **0.613** | 3.00 |
        | a\\|b_c | 1.00 | 20.00 | **0.00** ± 0.20 | NaN | 1.00 |

        Equal kimg.
        """);
  }

  @Test
  void csvKeepsMetricUnitsWithTheScaledDecimals() {
    assertThat(format().csv()).isEqualTo("""
        label,path,step,kimg,fid2k_cls,kid2k_cls,kid2k_cls_std,acc2k_cls,is2k_cls,is2k_cls_std
        ours,runs/a,63,1.008,12.34,0.00123,0.00040,0.500,2.50,0.10
        V=1,runs/b,125,1.000,12.34,0.00200,0.00010,0.613,3.00,0.20
        a|b_c,"runs/c,d",124,1.000,20.00,0.00000,0.00020,NaN,1.00,0.00
        """);
  }

  @Test
  void latexIsBooktabsWithEscapesAndBold() {
    assertThat(format().latex()).isEqualTo("""
        % t1: written by wild3d-eval table (needs \\usepackage{booktabs}).
        \\begin{table}[t]
          \\centering
          \\caption{Ablation. Equal kimg.}
          \\label{tab:t1}
          \\begin{tabular}{lrrrrr}
            \\toprule
            Method & kimg & FID $\\downarrow$ & KID $\\times$10$^{3}$ $\\downarrow$ & Acc $\\uparrow$ & IS \\\\
            \\midrule
            ours & 1.01 & \\textbf{12.34} & 1.23 $\\pm$ 0.40 & 0.500 & 2.50 \\\\
            V=1 & 1.00 & \\textbf{12.34} & 2.00 $\\pm$ 0.10 & \\textbf{0.613} & 3.00 \\\\
            a\\textbar{}b\\_c & 1.00 & 20.00 & \\textbf{0.00} $\\pm$ 0.20 & NaN & 1.00 \\\\
            \\bottomrule
          \\end{tabular}
        \\end{table}
        """);
  }

  @Test
  void oneRowHasNoBoldAndDefaultsShowMetricNames() {
    TableSpec spec = TableSpecs.parse("x", """
        row { label: "only" path: "r" }
        column { metric: "kid50k" latex_header: "KID$\\\\times 10^3$" scale: 1000 decimals: 1 }
        column { metric: "is50k" better: LOWER }
        show_step: true
        """, "x");
    TableFormat f = new TableFormat(spec, List.of(new TableFormat.Row("only", "r", 7, 0.1,
        List.of(cell(0.01234, 0.001), cell(9.87, 0.5)))));
    assertThat(f.markdown()).isEqualTo("""
        | Method | step | kid50k ↓ | is50k ↓ |
        | :--- | ---: | ---: | ---: |
        | only | 7 | 12.3 ± 1.0 | 9.87 ± 0.50 |
        """);
    assertThat(f.latex()).contains("    Method & step & KID$\\times 10^3$ $\\downarrow$ &"
        + " is50k $\\downarrow$ \\\\\n", "    only & 7 & 12.3 $\\pm$ 1.0 & 9.87 $\\pm$ 0.50 \\\\\n")
        .doesNotContain("\\caption");
    assertThat(f.csv()).startsWith("label,path,step,kimg,kid50k,kid50k_std,is50k,is50k_std\n"
        + "only,r,7,0.100,0.0123,0.0010,9.87,0.50\n");
  }

  @Test
  void numbersRoundHalfUpFromTheExactBinaryValueWithoutNegativeZero() {
    assertThat(TableFormat.shown(0.125, 2)).isEqualTo("0.13");
    assertThat(TableFormat.shown(1.005, 2)).isEqualTo("1.00"); // 1.00499999999999989...
    assertThat(TableFormat.shown(-0.004, 2)).isEqualTo("0.00");
    assertThat(TableFormat.shown(-0.006, 2)).isEqualTo("-0.01");
    assertThat(TableFormat.shown(1234567.5, 0)).isEqualTo("1234568");
    assertThat(TableFormat.shown(Double.POSITIVE_INFINITY, 2)).isEqualTo("inf");
    assertThat(TableFormat.tex("50% & $x_1$ {a} #2 ~^\\")).isEqualTo(
        "50\\% \\& \\$x\\_1\\$ \\{a\\} \\#2 \\textasciitilde{}\\textasciicircum{}"
            + "\\textbackslash{}");
  }
}
