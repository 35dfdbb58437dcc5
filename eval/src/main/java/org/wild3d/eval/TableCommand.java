package org.wild3d.eval;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.wild3d.AtomicFiles;
import org.wild3d.DataException;
import org.wild3d.Wild3dException;
import org.wild3d.checkpoint.CheckpointManager.Checkpoint;
import org.wild3d.checkpoint.CheckpointRestore;
import org.wild3d.cli.ThreadsOption;
import org.wild3d.metrics.MetricResult;
import org.wild3d.metrics.MetricSpec;
import org.wild3d.metrics.classifier.ClassifierCache;
import org.wild3d.table.CachedMetrics;
import org.wild3d.table.TableFormat;
import org.wild3d.table.TableRow;
import org.wild3d.table.TableSpec;
import org.wild3d.table.TableSpecs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code wild3d-eval table --spec FILE}: fills a paper table ({@link TableSpec}) from its runs'
 * {@code metrics.jsonl} and writes {@code <name>.md}, {@code .csv} and {@code .tex}.
 *
 * <p>A cell reuses a cached result whose provenance matches ({@link CachedMetrics.Key}: metric,
 * checkpoint, seed, classifier); the missing ones of a row are computed by {@link MetricsCommand}
 * itself (same code path as {@code wild3d-eval metrics --run}) and appended to that run's
 * {@code metrics.jsonl}. So a second call computes nothing and rewrites nothing.
 */
@Command(
    name = "table",
    description = {
        "Fill a paper table from a spec (configs/tables/*.pbtxt): reuse the results cached in each"
            + " run's metrics.jsonl, compute the missing ones (appended there), and write"
            + " <name>.md, <name>.csv and <name>.tex.",
        "Row paths are resolved against --root (default: the current directory)."})
final class TableCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--spec", paramLabel = "FILE", required = true,
      description = "Table spec (text-format wild3d.TableSpec), e.g."
          + " configs/tables/ablation-shapes.pbtxt.")
  Path specFile;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "tables",
      description = "Where <name>.md/.csv/.tex are written (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--root", paramLabel = "DIR",
      description = "Base of relative row paths (default: the current directory).")
  Path root;

  @Option(names = "--dry-run",
      description = "List what is cached and what would be computed; compute and write nothing.")
  boolean dryRun;

  @Option(names = "--inception", paramLabel = "FILE",
      description = "Inception 2015-12-05 graph, for metrics without a suffix (as for metrics).")
  Path inception;

  @Option(names = "--batch", paramLabel = "N", defaultValue = "0",
      description = "Images per generator/feature-network call (default: eval.batch_size).")
  int batch;

  @Option(names = "--cache-dir", paramLabel = "DIR",
      description = "Cache of classifiers and real statistics (default: data.cache_dir/metrics).")
  Path cacheDir;

  @Mixin ThreadsOption threads;

  /** A spec row with its run and checkpoint resolved. */
  private record Resolved(TableRow row, Path path, Path run, Checkpoint checkpoint) {}

  @Override
  public Integer call() throws Exception {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter log = spec.commandLine().getErr();
    TableSpec table = TableSpecs.load(specFile);
    List<MetricSpec> metrics = TableSpecs.metrics(table);
    List<Resolved> rows = resolve(table, log);

    List<List<String>> missing = new ArrayList<>();
    for (Resolved r : rows) {
      List<MetricResult> cached = CachedMetrics.read(r.run().resolve(MetricsCommand.METRICS_FILE));
      List<String> todo = new ArrayList<>();
      for (int j = 0; j < metrics.size(); j++) {
        if (CachedMetrics.find(cached, key(table, metrics.get(j), r)).isEmpty()) {
          todo.add(metrics.get(j).name());
        }
      }
      missing.add(todo);
    }
    // Rows naming the same checkpoint share its results: each (checkpoint, metric) counts once.
    Set<String> pending = new HashSet<>();
    for (int i = 0; i < rows.size(); i++) {
      for (String m : missing.get(i)) {
        pending.add(cellKey(rows.get(i), m));
      }
    }
    int toCompute = pending.size();
    if (dryRun) {
      stdout.printf(Locale.ROOT, "table %s: %d row(s) x %d column(s); %d cell(s) to compute%n",
          table.getName(), rows.size(), metrics.size(), toCompute);
      for (int i = 0; i < rows.size(); i++) {
        Resolved r = rows.get(i);
        List<String> cachedNames = new ArrayList<>();
        for (MetricSpec m : metrics) {
          if (!missing.get(i).contains(m.name())) {
            cachedNames.add(m.name());
          }
        }
        stdout.printf(Locale.ROOT, "  %s: %s (step %d)%n    cached: %s%n    to compute: %s%n",
            r.row().getLabel(), r.checkpoint().dir(), r.checkpoint().manifest().step(),
            cachedNames.isEmpty() ? "-" : String.join(", ", cachedNames),
            missing.get(i).isEmpty() ? "-" : String.join(", ", missing.get(i)));
      }
      stdout.printf("would write %s.md, %s.csv, %s.tex to %s%n", table.getName(), table.getName(),
          table.getName(), out);
      stdout.flush();
      return 0;
    }

    int done = 0;
    for (int i = 0; i < rows.size(); i++) {
      Resolved r = rows.get(i);
      List<String> todo = missing.get(i).stream().filter(m -> pending.remove(cellKey(r, m)))
          .toList();
      if (todo.isEmpty()) {
        continue;
      }
      log.printf(Locale.ROOT, "table %s: computing %d/%d cell(s): row \"%s\" (%s, step %d): %s%n",
          table.getName(), done + todo.size(), toCompute, r.row().getLabel(), r.run(),
          r.checkpoint().manifest().step(), String.join(", ", todo));
      log.flush();
      computeMetrics(table, r, todo, log);
      done += todo.size();
    }

    List<TableFormat.Row> filled = new ArrayList<>();
    for (Resolved r : rows) {
      Path jsonl = r.run().resolve(MetricsCommand.METRICS_FILE);
      List<MetricResult> cached = CachedMetrics.read(jsonl);
      List<TableFormat.Cell> cells = new ArrayList<>();
      for (MetricSpec m : metrics) {
        Optional<MetricResult> res = CachedMetrics.find(cached, key(table, m, r));
        MetricResult v = res.orElseThrow(() -> new Wild3dException(Wild3dException.EXIT_FAILURE,
            "row \"" + r.row().getLabel() + "\": expected a " + m.name() + " result for "
                + r.checkpoint().dir() + " in " + jsonl + " after computing it, found none"));
        cells.add(new TableFormat.Cell(v.value(), v.std()));
      }
      filled.add(new TableFormat.Row(r.row().getLabel(), r.row().getPath(),
          r.checkpoint().manifest().step(), r.checkpoint().manifest().kimg(), cells));
    }
    TableFormat format = new TableFormat(table, filled);
    Map<String, String> files = new LinkedHashMap<>();
    files.put(table.getName() + ".md", format.markdown());
    files.put(table.getName() + ".csv", format.csv());
    files.put(table.getName() + ".tex", format.latex());
    List<String> written = new ArrayList<>();
    for (Map.Entry<String, String> f : files.entrySet()) {
      if (writeIfChanged(out.resolve(f.getKey()), f.getValue())) {
        written.add(f.getKey());
      }
    }
    stdout.print(format.markdown());
    stdout.printf("%s: %s in %s (computed %d cell(s))%n", table.getName(),
        written.isEmpty() ? "unchanged" : "wrote " + String.join(", ", written), out, toCompute);
    stdout.flush();
    return 0;
  }

  /** Rows with their run and checkpoint; every missing run is reported together (exit 4). */
  private List<Resolved> resolve(TableSpec table, PrintWriter log) {
    Path base = root != null ? root : Path.of("");
    List<String> absent = new ArrayList<>();
    for (TableRow row : table.getRowList()) {
      Path p = base.resolve(row.getPath());
      if (!Files.isDirectory(p)) {
        absent.add("row \"" + row.getLabel() + "\": expected a run directory written by"
            + " wild3d-train (or a checkpoint directory in one), found nothing at "
            + p.toAbsolutePath().normalize() + " (train it first; see the comment at the top of "
            + specFile + ")");
      }
    }
    if (!absent.isEmpty()) {
      throw new DataException("table " + specFile + ": " + String.join("\n  ", absent));
    }
    List<Resolved> rows = new ArrayList<>();
    for (TableRow row : table.getRowList()) {
      Path p = base.resolve(row.getPath());
      boolean isCheckpoint = Files.isRegularFile(p.resolve("manifest.json"));
      Path abs = p.toAbsolutePath().normalize();
      Path run = isCheckpoint && abs.getParent() != null ? abs.getParent().getParent() : p;
      try {
        if (run == null) {
          throw new DataException("checkpoint " + p + ": expected RUN/checkpoints/step-NNNNNNNNN");
        }
        Checkpoint c = CheckpointRestore.choose(run, isCheckpoint ? p : null, log);
        rows.add(new Resolved(row, p, run, c));
      } catch (DataException e) {
        throw new DataException("row \"" + row.getLabel() + "\" (" + p + "): " + e.getMessage(),
            e);
      }
    }
    return rows;
  }

  private static String cellKey(Resolved r, String metric) {
    return r.checkpoint().dir().toAbsolutePath().normalize() + "#" + metric;
  }

  private static CachedMetrics.Key key(TableSpec table, MetricSpec m, Resolved r) {
    int clsSteps = m.features() != MetricSpec.Features.CLASSIFIER ? -1
        : table.getClassifierSteps() > 0 ? table.getClassifierSteps()
            : ClassifierCache.DEFAULT_STEPS;
    return new CachedMetrics.Key(m.name(), r.checkpoint().dir().getFileName().toString(),
        r.checkpoint().manifest().step(), r.checkpoint().manifest().configHash(), table.getSeed(),
        clsSteps);
  }

  /** Runs {@code wild3d-eval metrics --run} for the row's checkpoint, appending to its jsonl. */
  private void computeMetrics(TableSpec table, Resolved r, List<String> names, PrintWriter log)
      throws Exception {
    List<String> args = new ArrayList<>(Arrays.asList(
        "--run", r.run().toString(),
        "--checkpoint", r.checkpoint().dir().toString(),
        "--metrics", String.join(",", names),
        "--seed", Long.toUnsignedString(table.getSeed()),
        "--threads", Integer.toString(threads.threads())));
    if (table.getClassifierSteps() > 0) {
      args.addAll(List.of("--classifier-steps", Integer.toString(table.getClassifierSteps())));
    }
    if (batch > 0) {
      args.addAll(List.of("--batch", Integer.toString(batch)));
    }
    if (inception != null) {
      args.addAll(List.of("--inception", inception.toString()));
    }
    if (cacheDir != null) {
      args.addAll(List.of("--cache-dir", cacheDir.toString()));
    }
    CommandLine metrics = new CommandLine(new MetricsCommand());
    metrics.setOut(log);
    metrics.setErr(log);
    metrics.parseArgs(args.toArray(String[]::new));
    ((MetricsCommand) metrics.getCommand()).call();
  }

  /** Writes {@code text} through a temporary file unless the file already holds exactly it. */
  private static boolean writeIfChanged(Path file, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (Files.isRegularFile(file) && Arrays.equals(Files.readAllBytes(file), bytes)) {
      return false;
    }
    AtomicFiles.write(file, bytes);
    return true;
  }
}
