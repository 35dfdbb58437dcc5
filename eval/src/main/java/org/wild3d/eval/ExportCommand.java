package org.wild3d.eval;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.wild3d.cli.RunOptions;
import org.wild3d.export.ExportMetadata;
import org.wild3d.export.GeneratorExporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code wild3d-eval export}: writes a run's EMA generator as a TensorFlow SavedModel (tag
 * {@code serve}) with {@code wild3d.json} metadata; see {@link GeneratorExporter}.
 */
@Command(
    name = "export",
    description = {
        "Export a run's EMA generator (newest checkpoint, or --checkpoint) as a TensorFlow"
            + " SavedModel, tag 'serve', with metadata in OUT/wild3d.json.",
        "Signatures: generate(z, class_index, cam2world, intrinsics, psi) -> image, depth,"
            + " opacity; serving_default = generate with psi fixed to --truncation;"
            + " synthesize(ws, cam2world, intrinsics) -> image, depth, opacity;"
            + " map(z, class_index, psi) -> ws, w; metadata() -> json.",
        "Cameras: OpenCV cam2world [N,4,4], intrinsics [N,3,3] normalised by the image size"
            + " (docs/CONVENTIONS.md). Noise is constant and rendering unjittered: the same"
            + " inputs give the same outputs."})
final class ExportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin RunOptions run;

  @Option(names = "--out", paramLabel = "DIR", required = true,
      description = "Directory to create (written next to it under a temporary name, then"
          + " renamed); must not exist or be empty unless --force.")
  Path out;

  @Option(names = "--truncation", paramLabel = "PSI",
      description = "Default truncation psi of serving_default (1 = none; default: the run's"
          + " eval.truncation_psi).")
  Float truncation;

  @Option(names = "--force", description = "Replace a non-empty --out.")
  boolean force;

  @Override
  public Integer call() {
    if (truncation != null && !Float.isFinite(truncation)) {
      throw new ParameterException(spec.commandLine(),
          "--truncation: expected a finite number, found " + truncation);
    }
    GeneratorExporter.Exported e = GeneratorExporter.export(run.run(), run.checkpoint(), out,
        new GeneratorExporter.Options(truncation, force, run.threads()),
        spec.commandLine().getErr());
    print(spec.commandLine().getOut(), e);
    return 0;
  }

  private static void print(PrintWriter w, GeneratorExporter.Exported e) {
    ExportMetadata m = e.metadata();
    w.printf("exported %s (step %d) in %.1f s to %s%n", m.source().checkpoint(),
        m.source().step(), e.seconds(), e.dir());
    for (Map.Entry<String, Long> f : e.files().entrySet()) {
      w.printf("  %10d  %s%n", f.getValue(), f.getKey());
    }
    w.printf("  %10d  total bytes%n", e.bytes());
    w.println("signatures (tag serve):");
    for (var s : m.signatures().entrySet()) {
      w.printf("  %s(%s) -> %s%n", s.getKey(), describe(s.getValue().inputs()),
          describe(s.getValue().outputs()));
    }
    w.printf("image %dx%d in [-1,1], depth/opacity %dx%d, %d classes, z %d, ws [%d,%d],"
            + " default psi %s%n",
        m.model().imageResolution(), m.model().imageResolution(), m.model().renderResolution(),
        m.model().renderResolution(), m.model().numClasses(), m.model().zDim(),
        m.model().numWs(), m.model().wDim(), m.generation().defaultTruncationPsi());
    w.flush();
  }

  private static String describe(Map<String, ExportMetadata.TensorInfo> tensors) {
    StringBuilder b = new StringBuilder();
    for (var t : tensors.entrySet()) {
      if (b.length() > 0) {
        b.append(", ");
      }
      b.append(t.getKey()).append(' ').append(shape(t.getValue().shape()))
          .append(' ').append(t.getValue().dtype().replace("DT_", "").toLowerCase());
    }
    return b.toString();
  }

  private static String shape(long[] dims) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < dims.length; i++) {
      b.append(i > 0 ? "," : "").append(dims[i] < 0 ? "N" : Long.toString(dims[i]));
    }
    return b.append(']').toString();
  }
}
