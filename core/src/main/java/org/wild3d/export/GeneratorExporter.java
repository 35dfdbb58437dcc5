package org.wild3d.export;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.protobuf.Any;
import com.google.protobuf.StringValue;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.TensorFlow;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SaverDef;
import org.wild3d.AtomicFiles;
import org.wild3d.DataException;
import org.wild3d.Version;
import org.wild3d.Wild3dException;
import org.wild3d.checkpoint.CheckpointManager.Checkpoint;
import org.wild3d.checkpoint.CheckpointRestore;
import org.wild3d.config.Configs;
import org.wild3d.config.Experiment;
import org.wild3d.tf.Sessions;

/**
 * Exports the EMA generator of a run's checkpoint as a TensorFlow SavedModel (tag {@code serve};
 * signatures in {@link ExportGraph}) with its metadata ({@link ExportMetadata}).
 *
 * <p>Layout of the export directory:
 *
 * <pre>
 * saved_model.pb                  SavedModel: one MetaGraphDef (tag serve), signature_def map,
 *                                 saver_def; meta_info_def.any_info = StringValue(wild3d.json),
 *                                 meta_info_def.meta_graph_version = "wild3d-generator-savedmodel/1"
 * variables/variables.index       the G_ema variables (TF checkpoint V2)
 * variables/variables.data-00000-of-00001
 * wild3d.json                     metadata: camera convention, sizes, source checkpoint, signatures
 * assets.extra/wild3d.json        the same file where TF Serving keeps extra files
 * assets.extra/config.resolved.pbtxt   the run's resolved config
 * </pre>
 *
 * <p>The export is written into a temporary directory next to {@code out} and renamed into place
 * when complete; an existing non-empty {@code out} is replaced only with {@link Options#force()}.
 */
public final class GeneratorExporter {
  private GeneratorExporter() {}

  /**
   * How to export.
   *
   * @param truncationPsi default ψ of the {@code psi} input; null = the config's
   *     {@code eval.truncation_psi}
   * @param force replace an existing non-empty output directory
   * @param intraThreads TF intra-op threads while exporting; 0 = all cores
   */
  public record Options(Float truncationPsi, boolean force, int intraThreads) {
    public static Options defaults() {
      return new Options(null, false, 0);
    }
  }

  /**
   * A finished export.
   *
   * @param dir the export directory
   * @param metadata its {@code wild3d.json}
   * @param files every file under {@code dir} (relative path → bytes), sorted by path
   * @param seconds wall time of the export
   */
  public record Exported(Path dir, ExportMetadata metadata, Map<String, Long> files,
      double seconds) {
    /** Total size in bytes. */
    public long bytes() {
      return files.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /**
   * Exports {@code checkpointDir} (null = the newest complete checkpoint) of {@code runDir} to
   * {@code out}.
   *
   * @throws DataException (exit 4) naming the path when the run or checkpoint is missing or does
   *     not fit the run's config
   * @throws Wild3dException (exit 2) when {@code out} exists and is not empty, without
   *     {@code force}
   */
  public static Exported export(Path runDir, Path checkpointDir, Path out, Options options) {
    return export(runDir, checkpointDir, out, options,
        new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
  }

  /**
   * As {@link #export(Path, Path, Path, Options)}, saying on {@code notes} which checkpoint is
   * exported ({@code checkpoint: DIR (step N, verified)}) and any newer one skipped because it
   * did not verify.
   */
  public static Exported export(Path runDir, Path checkpointDir, Path out, Options options,
      PrintWriter notes) {
    long t0 = System.nanoTime();
    Experiment cfg = Configs.readResolved(runDir);
    Checkpoint ckpt = CheckpointRestore.choose(runDir, checkpointDir, notes);
    CheckpointRestore.checkArchitecture(ckpt, cfg);
    float psi = options.truncationPsi() != null ? options.truncationPsi()
        : cfg.getEval().getTruncationPsi();
    checkArgument(Float.isFinite(psi), "truncation psi: expected a finite number, found %s", psi);
    Path target = out.toAbsolutePath().normalize();
    checkTarget(target, options.force());
    Path parent = target.getParent();
    Path tmp;
    try {
      Files.createDirectories(parent);
      tmp = Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp-");
    } catch (IOException e) {
      throw new UncheckedIOException("export: cannot create a directory next to " + target, e);
    }
    try {
      ExportMetadata meta = write(runDir, cfg, ckpt, psi, options.intraThreads(), tmp);
      install(tmp, target, options.force());
      return new Exported(target, meta, listFiles(target), (System.nanoTime() - t0) * 1e-9);
    } catch (IOException e) {
      throw new UncheckedIOException("export: writing " + target, e);
    } finally {
      deleteQuietly(tmp);
    }
  }

  private static void checkTarget(Path target, boolean force) {
    if (Files.isRegularFile(target)) {
      throw new Wild3dException(Wild3dException.EXIT_USAGE, "--out: expected a directory to"
          + " create, found a file at " + target + " (choose another --out)");
    }
    if (!force && Files.isDirectory(target)) {
      long n;
      try (Stream<Path> s = Files.list(target)) {
        n = s.count();
      } catch (IOException e) {
        throw new UncheckedIOException("export: listing " + target, e);
      }
      if (n > 0) {
        throw new Wild3dException(Wild3dException.EXIT_USAGE, "--out: expected a new or empty"
            + " directory, found " + n + " entries in " + target + " (pass --force to replace it,"
            + " or choose another --out)");
      }
    }
  }

  /** Builds the graph, restores G_ema, writes the SavedModel and metadata into {@code dir}. */
  private static ExportMetadata write(Path runDir, Experiment cfg, Checkpoint ckpt, float psi,
      int threads, Path dir) throws IOException {
    try (Graph g = new Graph()) {
      ExportGraph eg = new ExportGraph(g, cfg, psi);
      var man = ckpt.manifest();
      ExportMetadata.Source source = new ExportMetadata.Source(
          runDir.toAbsolutePath().normalize().toString(),
          ckpt.dir().toAbsolutePath().normalize().toString(), man.step(), man.kimg(), man.seed(),
          Configs.hash(cfg), man.configHash(), man.architectureHash(), man.codeVersion(),
          ckpt.verification().label());
      var m = cfg.getModel();
      ExportMetadata.ModelInfo model = new ExportMetadata.ModelInfo(
          Math.max(1, m.getNumClasses()), m.getMapping().getZDim(), m.getMapping().getWDim(),
          eg.numWs(), eg.generator().imageResolution(), cfg.getRender().getResolution(),
          eg.generator().hasSuperResolution(), m.getTriplane().getResolution(),
          m.getTriplane().getChannels(), m.getTriplane().getBoxSize());
      ExportMetadata meta = ExportMetadata.of(cfg, source, model, psi, eg.signatures(),
          Version.get(), TensorFlow.version());
      String json = meta.toJson();
      eg.addMetadata(json);
      try (Session s = Sessions.create(g, threads)) {
        CheckpointRestore.restore(s, ckpt, cfg, "the generator " + ExportGraph.GENERATOR_SCOPE);
        SavedModelBundle.Exporter exporter =
            SavedModelBundle.exporter(dir.toString()).withTags(ExportNames.TAG).withSession(s);
        for (Signature sig : eg.signatures()) {
          exporter.withSignature(sig);
        }
        exporter.export();
      }
      annotate(dir.resolve("saved_model.pb"), json);
      Files.writeString(dir.resolve(ExportNames.METADATA_FILE), json, StandardCharsets.UTF_8);
      Path extra = Files.createDirectories(dir.resolve(ExportNames.ASSETS_EXTRA));
      Files.writeString(extra.resolve(ExportNames.METADATA_FILE), json, StandardCharsets.UTF_8);
      Files.copy(runDir.resolve(Configs.RESOLVED_FILE), extra.resolve(Configs.RESOLVED_FILE));
      return meta;
    }
  }

  /**
   * Records the metadata in the MetaGraphDef ({@code meta_info_def.any_info} as a {@code
   * google.protobuf.StringValue}, {@code meta_graph_version}, {@code tensorflow_version}), marks
   * the saver as V2 and sets the SavedModel schema version to 1, as Python's savers do.
   */
  private static void annotate(Path savedModelPb, String json) throws IOException {
    SavedModel.Builder sm = SavedModel.parseFrom(Files.readAllBytes(savedModelPb)).toBuilder();
    checkArgument(sm.getMetaGraphsCount() == 1, "saved model: expected one meta graph, found %s",
        sm.getMetaGraphsCount());
    MetaGraphDef.Builder mg = sm.getMetaGraphsBuilder(0);
    // TF Java's saver writes with SaveV2/RestoreV2 (variables.index + data shards) but leaves
    // saver_def.version at LEGACY; loaders only use the op and tensor names, readers of the
    // field expect the truth.
    boolean v2 = mg.getGraphDef().getNodeList().stream().anyMatch(n -> n.getOp().equals("SaveV2"))
        && mg.getGraphDef().getNodeList().stream().anyMatch(n -> n.getOp().equals("RestoreV2"));
    checkArgument(v2, "saved model: expected SaveV2/RestoreV2 ops of the saver, found none");
    mg.getSaverDefBuilder().setVersion(SaverDef.CheckpointFormatVersion.V2);
    MetaGraphDef.MetaInfoDef.Builder info = mg.getMetaInfoDefBuilder();
    info.setMetaGraphVersion(ExportMetadata.FORMAT + "/" + ExportMetadata.FORMAT_VERSION)
        .setTensorflowVersion(TensorFlow.version())
        .setAnyInfo(Any.pack(StringValue.of(json)));
    sm.setSavedModelSchemaVersion(1);
    AtomicFiles.write(savedModelPb, sm.build().toByteArray());
  }

  /** Renames {@code tmp} to {@code target}, replacing an existing (empty or forced) directory. */
  private static void install(Path tmp, Path target, boolean force) throws IOException {
    if (!Files.exists(target)) {
      move(tmp, target);
      return;
    }
    checkTarget(target, force); // again: something may have written there while exporting
    Path old = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".old-");
    Files.delete(old);
    move(target, old);
    try {
      move(tmp, target);
    } catch (IOException e) {
      move(old, target);
      throw e;
    }
    deleteQuietly(old);
  }

  private static void move(Path from, Path to) throws IOException {
    AtomicFiles.moveDirectory(from, to);
  }

  /** Files under {@code dir}, relative path (with '/') → size, sorted by path. */
  public static Map<String, Long> listFiles(Path dir) {
    Map<String, Long> out = new LinkedHashMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      List<Path> files = s.filter(Files::isRegularFile).sorted().toList();
      for (Path f : files) {
        out.put(dir.relativize(f).toString().replace('\\', '/'), Files.size(f));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("listing " + dir, e);
    }
    return out;
  }

  private static void deleteQuietly(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("deleting " + p, e);
    }
  }
}
