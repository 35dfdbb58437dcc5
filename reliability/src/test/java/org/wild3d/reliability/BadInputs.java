package org.wild3d.reliability;

import static org.wild3d.reliability.Tool.EVAL;
import static org.wild3d.reliability.Tool.INVERT;
import static org.wild3d.reliability.Tool.TRAIN;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The catalogue of bad inputs the README's reliability table is made of. Each makes its input
 * from the {@link Fixtures} in its own directory; the order here is the table's order.
 */
final class BadInputs {
  private BadInputs() {}

  static List<BadInput> all() {
    List<BadInput> c = new ArrayList<>();
    configs(c);
    overrides(c);
    datasets(c);
    hostileDatasets(c);
    zips(c);
    images(c);
    checkpoints(c);
    runDirectories(c);
    evalInputs(c);
    Signals.all(c);
    imports(c);
    metricShards(c);
    return c;
  }

  /** Two class folders of PNG photos for {@code dataset import}. */
  private static Path photoTree(Path dir) throws java.io.IOException {
    Path src = dir.resolve("train");
    for (String k : List.of("n01440764", "n01443537")) {
      Files.createDirectories(src.resolve(k));
      for (int i = 0; i < 2; i++) {
        Files.write(src.resolve(k).resolve(i + ".png"),
            Fixtures.png(40, 30, BufferedImage.TYPE_INT_RGB, i));
      }
    }
    return src;
  }

  /** The importer at scale (issue 22); after the signals so earlier row numbers stay. */
  private static void imports(List<BadInput> c) {
    c.add(new BadInput("dataset", "import onto an existing dataset without --force", TRAIN,
        (fx, dir) -> {
          Path src = photoTree(dir);
          Files.createDirectories(dir.resolve("out"));
          Files.writeString(dir.resolve("out/dataset.json"), "{\"labels\": []}");
          return List.of("dataset", "import", src.toString(), dir.resolve("out").toString(),
              "--resolution", "16");
        }, 2, "--force"));
    c.add(new BadInput("dataset", "import --class-names of a file not in LOC_synset_mapping.txt "
        + "format (ImageNet's JSON class index)", TRAIN, (fx, dir) -> {
          Path src = photoTree(dir);
          Path json = dir.resolve("imagenet_class_index.json");
          Files.writeString(json, "{\"0\": [\"n01440764\", \"tench\"], \"1\": [\"n01443537\","
              + " \"goldfish\"]}\n");
          return List.of("dataset", "import", src.toString(), dir.resolve("out").toString(),
              "--resolution", "16", "--class-names", json.toString());
        }, 4, "imagenet_class_index.json"));
    c.add(new BadInput("dataset", "import --classes naming folders the source does not have",
        TRAIN, (fx, dir) -> {
          Path src = photoTree(dir);
          return List.of("dataset", "import", src.toString(), dir.resolve("out").toString(),
              "--resolution", "16", "--classes", "n01440764,n09999999");
        }, 2, "n09999999"));
    c.add(new BadInput("eval input", "samples --out onto an existing folder without --force",
        EVAL, (fx, dir) -> {
          Files.createDirectories(dir.resolve("samples"));
          return List.of("samples", "--run", fx.run.toString(), "-n", "4", "--out",
              dir.resolve("samples").toString());
        }, 2, "--force"));
  }

  /** Sharded metrics (issue 21); after the imports so earlier row numbers stay. */
  private static void metricShards(List<BadInput> c) {
    c.add(new BadInput("eval input", "metrics --shard past its count", EVAL, (fx, dir) ->
        List.of("metrics", "--run", fx.run.toString(), "--metrics", "fid2k_cls", "--shard",
            "3/2", "--out", dir.resolve("shards").toString()), 2, "--shard"));
    c.add(new BadInput("eval input", "metrics --merge of a file that is not a shard manifest",
        EVAL, (fx, dir) -> {
          Path f = dir.resolve("metrics.jsonl");
          Files.writeString(f, "{\"name\": \"fid2k_cls\", \"value\": 1.0}\n");
          return List.of("metrics", "--merge", f.toString());
        }, 4, "metrics.jsonl"));
    c.add(new BadInput("eval input", "metrics --merge with shard 1 of 2 missing", EVAL,
        (fx, dir) -> {
          Path f = dir.resolve("shard-0-of-2.json");
          Files.writeString(f, "{\"format\": \"wild3d-metric-shard-1\", \"shard\": 0,"
              + " \"shards\": 2, \"run\": \"" + fx.run + "\", \"checkpoint\": \"c\","
              + " \"config_hash\": \"h\", \"seed\": 0, \"batch\": 8,"
              + " \"classifier_steps\": 20, \"dataset\": \"d\","
              + " \"metrics\": [\"fid2k_cls\"], \"groups\": []}\n");
          return List.of("metrics", "--merge", f.toString());
        }, 4, "missing 1/2"));
  }

  /** {@code wild3d-train --config FILE --dry-run} on a config file with {@code text}. */
  private static BadInput config(String input, String text, String expect) {
    return new BadInput("config", input, TRAIN, (fx, dir) -> {
      Path f = dir.resolve("bad.pbtxt");
      Files.writeString(f, text);
      return List.of("--config", f.toString(), "--dry-run");
    }, 3, expect);
  }

  private static void configs(List<BadInput> c) {
    c.add(new BadInput("config", "no such file", TRAIN,
        (fx, dir) -> List.of("--config", dir.resolve("nope.pbtxt").toString(), "--dry-run"),
        3, "nope.pbtxt"));
    c.add(new BadInput("config", "a directory instead of a file", TRAIN,
        (fx, dir) -> List.of("--config", dir.toString(), "--dry-run"), 3, "case-"));
    c.add(config("unbalanced braces", "model { num_classes: 6\n", "bad.pbtxt"));
    c.add(config("unknown field", "model { colour: 3 }\n", "model.colour"));
    c.add(config("value out of range", "render { resolution: -32 }\n", "render.resolution"));
    c.add(config("wrong type", "train { batch_size: \"four\" }\n", "train.batch_size"));
    c.add(config("a field given twice", "seed: 1\nseed: 2\n", "seed"));
    c.add(config("inconsistent fields (minibatch-std group larger than the batch)",
        "train { batch_size: 3 }\nmodel { discriminator { mbstd_group_size: 4 } }\n",
        "mbstd_group_size"));
    c.add(config("a run name that would leave runs/", "name: \"../../escape\"\n", "name"));
    c.add(config("a float field that is not finite", "train { g_lr: nan }\n", "train.g_lr"));
    c.add(new BadInput("config", "not UTF-8 text", TRAIN, (fx, dir) -> {
      Path f = dir.resolve("latin1.pbtxt");
      Files.write(f, Fixtures.latin1("name: \"caf\u00e9\"\n"));
      return List.of("--config", f.toString(), "--dry-run");
    }, 3, "UTF-8"));
    c.add(new BadInput("config", "binary garbage", TRAIN, (fx, dir) -> {
      Path f = dir.resolve("garbage.pbtxt");
      byte[] b = new byte[256];
      new java.util.Random(1).nextBytes(b);
      Files.write(f, b);
      return List.of("--config", f.toString(), "--dry-run");
    }, 3, "garbage.pbtxt"));
  }

  private static void overrides(List<BadInput> c) {
    c.add(new BadInput("devices", "--devices with an unknown kind", TRAIN,
        (fx, dir) -> List.of("--dry-run", "--devices", "tpu:2"), 2, "--devices"));
    c.add(new BadInput("devices", "--devices gpu on a machine without GPUs", TRAIN,
        (fx, dir) -> List.of("--dry-run", "--devices", "gpu"), 2, "--devices gpu"));
    c.add(new BadInput("devices", "a batch that does not split over the towers", TRAIN,
        (fx, dir) -> List.of("--dry-run", "--devices", "cpu:2", "--override",
            "train { batch_size: 4 }"), 3, "train.batch_size"));
    c.add(new BadInput("override", "unbalanced braces", TRAIN,
        (fx, dir) -> List.of("--dry-run", "--override", "model {"), 3, "--override"));
    c.add(new BadInput("override", "unknown field", TRAIN,
        (fx, dir) -> List.of("--dry-run", "--override", "train { nope: 1 }"), 3, "train.nope"));
    c.add(new BadInput("override", "value out of range", TRAIN,
        (fx, dir) -> List.of("--dry-run", "--override", "train { batch_size: 0 }"), 3,
        "train.batch_size"));
    c.add(new BadInput("override", "unknown option", TRAIN,
        (fx, dir) -> List.of("--dry-run", "--overide", "seed: 1"), 2, "--overide"));
    c.add(new BadInput("override", "--resume together with --config", TRAIN,
        (fx, dir) -> List.of("--resume", fx.run.toString(), "--config", fx.config.toString()), 2,
        "--resume"));
  }

  /** A folder dataset with {@code labels}, {@code extra} files, met by {@code dataset check}. */
  private static BadInput dataset(String input, JsonArray labels, Map<String, byte[]> extra,
      int exit, String expect) {
    return new BadInput("dataset", input, TRAIN, (fx, dir) -> {
      Path ds = dir.resolve("ds");
      Fixtures.writeDataset(ds, labels, extra);
      return List.of("dataset", "check", ds.toString());
    }, exit, expect);
  }

  private static JsonArray labels(Object... pathThenLabel) {
    JsonArray labels = Fixtures.goodLabels();
    for (int i = 0; i < pathThenLabel.length; i += 2) {
      JsonArray pair = new JsonArray();
      pair.add((String) pathThenLabel[i]);
      pair.add((Integer) pathThenLabel[i + 1]);
      labels.add(pair);
    }
    return labels;
  }

  private static void datasets(List<BadInput> c) {
    c.add(new BadInput("dataset", "no such path", TRAIN,
        (fx, dir) -> List.of("dataset", "info", dir.resolve("nowhere").toString()), 4, "nowhere"));
    c.add(dataset("dataset.json is not JSON", Fixtures.goodLabels(),
        Map.of("dataset.json", "{labels: [[".getBytes(StandardCharsets.UTF_8)), 4, "dataset.json"));
    c.add(dataset("dataset.json labels is not a list", Fixtures.goodLabels(),
        Map.of("dataset.json", "{\"labels\": 5}".getBytes(StandardCharsets.UTF_8)), 4, "labels"));
    c.add(dataset("dataset.json is not UTF-8", Fixtures.goodLabels(),
        Map.of("dataset.json", Fixtures.latin1("{\"labels\": [[\"caf\u00e9.png\", 0]]}")), 4,
        "UTF-8"));
    c.add(new BadInput("dataset", "a listed file is missing", TRAIN, (fx, dir) -> {
      Path ds = dir.resolve("ds");
      Fixtures.writeDataset(ds, Fixtures.goodLabels(), Map.of());
      Files.delete(ds.resolve("img/0005.png"));
      return List.of("dataset", "check", ds.toString());
    }, 4, "img/0005.png"));
    c.add(dataset("a file listed twice", labels("img/0001.png", 1), Map.of(), 4, "img/0001.png"));
    c.add(dataset("mixed resolutions", Fixtures.goodLabels(),
        Map.of("img/0003.png", Fixtures.png(32, 32, BufferedImage.TYPE_INT_RGB, 3)), 4,
        "img/0003.png"));
    c.add(dataset("a non-square image", Fixtures.goodLabels(),
        Map.of("img/0003.png", Fixtures.png(16, 12, BufferedImage.TYPE_INT_RGB, 3)), 4,
        "img/0003.png"));
    c.add(dataset("a text file named .png", Fixtures.goodLabels(),
        Map.of("img/0003.png", "hello".getBytes(StandardCharsets.UTF_8)), 4, "img/0003.png"));
    c.add(new BadInput("dataset", "a PNG cut short after its header", TRAIN, (fx, dir) -> {
      Path ds = dir.resolve("ds");
      Fixtures.writeDataset(ds, Fixtures.goodLabels(), Map.of());
      byte[] png = Files.readAllBytes(ds.resolve("img/0003.png"));
      Files.write(ds.resolve("img/0003.png"), Arrays.copyOf(png, 40));
      return List.of("dataset", "check", ds.toString());
    }, 4, "img/0003.png"));
    c.add(new BadInput("dataset", "resolution differs from the model's", TRAIN, (fx, dir) -> {
      Path ds = dir.resolve("ds32");
      JsonArray labels = new JsonArray();
      for (int i = 0; i < 4; i++) {
        JsonArray pair = new JsonArray();
        pair.add("img" + i + ".png");
        pair.add(i % 2);
        labels.add(pair);
      }
      Fixtures.writeDataset(ds, labels, Map.of());
      for (int i = 0; i < 4; i++) {
        Files.write(ds.resolve("img" + i + ".png"),
            Fixtures.png(32, 32, BufferedImage.TYPE_INT_RGB, i));
      }
      return List.of("--config", fx.config.toString(), "--out", dir.resolve("runs").toString(),
          "--override", "data { path: \"" + ds + "\" }");
    }, 4, "expected resolution 16x16"));
  }

  /** The same dataset check on a folder whose one label is {@code path} (a valid PNG outside). */
  private static BadInput escaping(String input, String labelPath, String expect) {
    return new BadInput("dataset", input, TRAIN, (fx, dir) -> {
      Path ds = dir.resolve("ds");
      Files.write(dir.resolve("outside.png"), Fixtures.png(Fixtures.RES, Fixtures.RES,
          BufferedImage.TYPE_INT_RGB, 9));
      String p = labelPath.replace("OUTSIDE", dir.resolve("outside.png").toString());
      Fixtures.writeDataset(ds, labels(p, 0), Map.of());
      return List.of("dataset", "check", ds.toString());
    }, 4, expect);
  }

  private static void hostileDatasets(List<BadInput> c) {
    c.add(escaping("a label path leading out of the folder (to a valid PNG)", "../outside.png",
        "../outside.png"));
    c.add(escaping("an absolute label path (to a valid PNG)", "OUTSIDE", "outside.png"));
    c.add(escaping("/etc/passwd as a label path", "../../../../../../etc/passwd", "etc/passwd"));
    c.add(new BadInput("dataset", "a symbolic link leading out of the folder (to a valid PNG)",
        TRAIN, (fx, dir) -> {
          Path ds = dir.resolve("ds");
          Fixtures.writeDataset(ds, labels("img/link.png", 1), Map.of());
          Path outside = dir.resolve("outside.png");
          Files.write(outside, Fixtures.png(Fixtures.RES, Fixtures.RES, BufferedImage.TYPE_INT_RGB, 9));
          Files.delete(ds.resolve("img/link.png"));
          Files.createSymbolicLink(ds.resolve("img/link.png"), outside);
          return List.of("dataset", "check", ds.toString());
        }, 4, "img/link.png"));
    c.add(new BadInput("dataset", "one label 99 in a 2-class dataset without class names", TRAIN,
        (fx, dir) -> {
          Path ds = dir.resolve("ds");
          Fixtures.writeDataset(ds, labels("img/0099.png", 99), Map.of(), false);
          return List.of("dataset", "check", ds.toString());
        }, 4, "class indices must be dense"));
    c.add(new BadInput("dataset", "grayscale, RGBA and 16-bit PNGs among RGB ones", TRAIN,
        (fx, dir) -> {
          Path ds = dir.resolve("ds");
          Fixtures.writeDataset(ds, Fixtures.goodLabels(), Map.of(
              "img/0001.png", Fixtures.png(16, 16, BufferedImage.TYPE_BYTE_GRAY, 1),
              "img/0002.png", Fixtures.png(16, 16, BufferedImage.TYPE_INT_ARGB, 2),
              "img/0003.png", Fixtures.png(16, 16, BufferedImage.TYPE_USHORT_GRAY, 3)));
          return List.of("dataset", "check", ds.toString());
        }, 0, "converted to RGB on read"));
    c.add(new BadInput("dataset", "labels beyond model.num_classes", TRAIN, (fx, dir) -> {
      Path ds = dir.resolve("ds");
      JsonArray l = new JsonArray();
      for (int i = 0; i < 8; i++) {
        JsonArray pair = new JsonArray();
        pair.add(String.format("img/%04d.png", i));
        pair.add(i % 4);
        l.add(pair);
      }
      Fixtures.writeDataset(ds, l, Map.of(), false);
      return List.of("--config", fx.config.toString(), "--out", dir.resolve("runs").toString(),
          "--override", "data { path: \"" + ds + "\" }");
    }, 4, "num_classes"));
    c.add(new BadInput("dataset", "import --strict of a tree with four bad files", TRAIN,
        (fx, dir) -> {
          Path src = dir.resolve("photos");
          for (String k : List.of("cat", "dog")) {
            Files.createDirectories(src.resolve(k));
            for (int i = 0; i < 3; i++) {
              Files.write(src.resolve(k).resolve(i + ".png"),
                  Fixtures.png(40, 30, BufferedImage.TYPE_INT_RGB, i));
            }
          }
          Files.writeString(src.resolve("cat/bad1.jpg"), "not a jpeg");
          Files.writeString(src.resolve("cat/bad2.png"), "not a png");
          Files.write(src.resolve("dog/bad3.png"), Arrays.copyOf(
              Fixtures.png(40, 30, BufferedImage.TYPE_INT_RGB, 7), 50));
          Files.writeString(src.resolve("dog/bad4.jpeg"), "");
          return List.of("dataset", "import", src.toString(), dir.resolve("out").toString(),
              "--resolution", "16", "--strict");
        }, 4, "4 problems"));
  }

  private static void zips(List<BadInput> c) {
    c.add(new BadInput("ZIP", "an entry named ../evil.png (zip-slip) listed in labels", TRAIN,
        (fx, dir) -> {
          Path zip = dir.resolve("ds.zip");
          List<Map.Entry<String, byte[]>> e = new ArrayList<>(Fixtures.entriesOf(fx.dataset));
          e.removeIf(x -> x.getKey().equals("dataset.json"));
          e.add(Map.entry("../evil.png", Fixtures.png(16, 16, BufferedImage.TYPE_INT_RGB, 5)));
          JsonArray l = labels("../evil.png", 0);
          e.add(Map.entry("dataset.json", ("{\"labels\": " + l + "}").getBytes(StandardCharsets.UTF_8)));
          Fixtures.writeZip(zip, e);
          return List.of("dataset", "info", zip.toString());
        }, 4, "../evil.png"));
    c.add(new BadInput("ZIP", "an absolute entry /evil.png listed in labels", TRAIN, (fx, dir) -> {
      Path zip = dir.resolve("ds.zip");
      List<Map.Entry<String, byte[]>> e = new ArrayList<>(Fixtures.entriesOf(fx.dataset));
      e.removeIf(x -> x.getKey().equals("dataset.json"));
      e.add(Map.entry("/evil.png", Fixtures.png(16, 16, BufferedImage.TYPE_INT_RGB, 5)));
      e.add(Map.entry("dataset.json", ("{\"labels\": " + labels("/evil.png", 0) + "}")
          .getBytes(StandardCharsets.UTF_8)));
      Fixtures.writeZip(zip, e);
      return List.of("dataset", "info", zip.toString());
    }, 4, "/evil.png"));
    c.add(new BadInput("ZIP", "a truncated ZIP file", TRAIN, (fx, dir) -> {
      Path zip = dir.resolve("ds.zip");
      Fixtures.writeZip(zip, Fixtures.entriesOf(fx.dataset));
      byte[] b = Files.readAllBytes(zip);
      Files.write(zip, Arrays.copyOf(b, b.length / 2));
      return List.of("dataset", "info", zip.toString());
    }, 4, "ds.zip"));
    c.add(new BadInput("ZIP", "a ZIP with no images", TRAIN, (fx, dir) -> {
      Path zip = dir.resolve("empty.zip");
      Fixtures.writeZip(zip, List.of(Map.entry("readme.txt", "hi".getBytes(StandardCharsets.UTF_8))));
      return List.of("dataset", "info", zip.toString());
    }, 4, "no images"));
  }

  private static void images(List<BadInput> c) {
    c.add(new BadInput("invert input", "--image does not exist", INVERT, (fx, dir) ->
        List.of("--run", fx.run.toString(), "--image", dir.resolve("nope.png").toString(),
            "--out", dir.resolve("out").toString()), 2, "nope.png"));
    c.add(new BadInput("invert input", "--image is a text file", INVERT, (fx, dir) -> {
      Path f = dir.resolve("photo.png");
      Files.writeString(f, "not a picture");
      return List.of("--run", fx.run.toString(), "--image", f.toString(), "--out",
          dir.resolve("out").toString());
    }, 4, "photo.png"));
    c.add(new BadInput("invert input", "both --image and --dataset", INVERT, (fx, dir) ->
        List.of("--run", fx.run.toString(), "--image", "a.png", "--dataset", fx.dataset.toString(),
            "--index", "0", "--out", dir.resolve("out").toString()), 2, "--image"));
    c.add(new BadInput("invert input", "--index past the dataset's end", INVERT, (fx, dir) ->
        List.of("--run", fx.run.toString(), "--dataset", fx.dataset.toString(), "--index", "99",
            "--out", dir.resolve("out").toString()), 2, "99"));
    c.add(new BadInput("invert input", "--out is a non-empty folder", INVERT, (fx, dir) -> {
      Path out = dir.resolve("out");
      Files.createDirectories(out);
      Files.writeString(out.resolve("keep.txt"), "mine");
      return List.of("--run", fx.run.toString(), "--dataset", fx.dataset.toString(), "--index",
          "0", "--out", out.toString());
    }, 2, "--force"));
  }

  /** {@code wild3d-eval render} on a copy of the fixture run damaged by {@code damage}. */
  private static BadInput checkpoint(String input, boolean named, CheckpointDamage damage,
      int exit, String expect) {
    return new BadInput("checkpoint", input + (named ? " (named with --checkpoint)" : ""), EVAL,
        (fx, dir) -> {
          Path run = fx.copyOfRun(dir.getFileName() + "-run");
          Path ck = Fixtures.newest(run);
          damage.apply(run, ck);
          List<String> args = new ArrayList<>(List.of("render", "--run", run.toString()));
          if (named) {
            args.addAll(List.of("--checkpoint", ck.toString()));
          }
          args.addAll(List.of("--seeds", "0", "--classes", "0", "--views", "2", "--rings", "1",
              "--frames", "2", "--out", dir.resolve("render").toString()));
          return args;
        }, exit, expect);
  }

  /** Damages checkpoint {@code ck} of run {@code run}. */
  @FunctionalInterface
  interface CheckpointDamage {
    void apply(Path run, Path ck) throws Exception;
  }

  private static final String DATA = "variables.data-00000-of-00001";

  private static void truncate(Path f) throws Exception {
    byte[] b = Files.readAllBytes(f);
    Files.write(f, Arrays.copyOf(b, b.length / 3));
  }

  private static void editManifest(Path ck, java.util.function.Consumer<JsonObject> edit)
      throws Exception {
    Path m = ck.resolve("manifest.json");
    JsonObject o = JsonParser.parseString(Files.readString(m)).getAsJsonObject();
    edit.accept(o);
    Files.writeString(m, o.toString());
  }

  private static void checkpoints(List<BadInput> c) {
    c.add(checkpoint("the newest checkpoint's variables cut to a third", false,
        (run, ck) -> truncate(ck.resolve(DATA)), 0, "instead"));
    c.add(checkpoint("its variables cut to a third", true,
        (run, ck) -> truncate(ck.resolve(DATA)), 4, "truncated or damaged"));
    c.add(checkpoint("one byte of its variables flipped (same size)", true, (run, ck) -> {
      byte[] b = Files.readAllBytes(ck.resolve(DATA));
      b[b.length / 2] ^= 1;
      Files.write(ck.resolve(DATA), b);
    }, 4, "CRC32C"));
    c.add(checkpoint("manifest.json is not JSON", true,
        (run, ck) -> Files.writeString(ck.resolve("manifest.json"), "{ step: "), 4,
        "manifest.json"));
    c.add(checkpoint("its manifest lists a file outside the checkpoint (../../x)", true,
        (run, ck) -> editManifest(ck, o -> {
          JsonObject f = new JsonObject();
          f.addProperty("name", "../../x");
          f.addProperty("bytes", 1);
          f.addProperty("crc32c", "00000000");
          o.getAsJsonArray("files").add(f);
        }), 4, "../../x"));
    c.add(checkpoint("its manifest's step differs from its directory's", true,
        (run, ck) -> editManifest(ck, o -> o.addProperty("step", 7)), 4, "step 7"));
    c.add(checkpoint("its variables replaced by a symbolic link to a copy outside", true,
        (run, ck) -> {
          Path outside = run.resolveSibling(run.getFileName() + "-outside.data");
          Files.move(ck.resolve(DATA), outside);
          Files.createSymbolicLink(ck.resolve(DATA), outside);
        }, 4, "symbolic link"));
    c.add(checkpoint("every checkpoint of the run damaged", false, (run, ck) -> {
      for (Path k : Fixtures.checkpoints(run)) {
        truncate(k.resolve(DATA));
      }
    }, 4, "none of"));
    c.add(checkpoint("the run's config edited to another architecture", false,
        (run, ck) -> {
          Path r = run.resolve("config.resolved.pbtxt");
          Files.writeString(r, Files.readString(r).replace("hidden_dim: 16", "hidden_dim: 32"));
        }, 4, "model.decoder.hidden_dim: 16 in the checkpoint, 32 in the config"));
    c.add(new BadInput("checkpoint", "--checkpoint names a folder that is not one", EVAL,
        (fx, dir) -> List.of("mesh", "--run", fx.run.toString(), "--checkpoint", dir.toString(),
            "--seeds", "0", "--resolution", "16", "--out", dir.resolve("mesh").toString()), 4,
        "checkpoint"));
    c.add(new BadInput("checkpoint", "--resume past a truncated newest checkpoint", TRAIN,
        (fx, dir) -> {
          Path run = fx.copyOfRun(dir.getFileName() + "-run");
          truncate(Fixtures.newest(run).resolve(DATA));
          return List.of("--resume", run.toString());
        }, 0, "instead"));
  }

  private static void runDirectories(List<BadInput> c) {
    c.add(new BadInput("run directory", "--resume of a folder that does not exist", TRAIN,
        (fx, dir) -> List.of("--resume", dir.resolve("runs/00000-x").toString()), 4, "00000-x"));
    c.add(new BadInput("run directory", "--resume of a run without config.resolved.pbtxt", TRAIN,
        (fx, dir) -> {
          Path run = fx.copyOfRun(dir.getFileName() + "-run");
          Files.delete(run.resolve("config.resolved.pbtxt"));
          return List.of("--resume", run.toString());
        }, 4, "config.resolved.pbtxt"));
    c.add(new BadInput("run directory", "config.resolved.pbtxt edited into bad syntax", EVAL,
        (fx, dir) -> {
          Path run = fx.copyOfRun(dir.getFileName() + "-run");
          Files.writeString(run.resolve("config.resolved.pbtxt"), "model { \n");
          return List.of("config", "--run", run.toString());
        }, 4, "config.resolved.pbtxt"));
    c.add(new BadInput("run directory", "--run of a run with no checkpoints", EVAL, (fx, dir) -> {
      Path run = fx.copyOfRun(dir.getFileName() + "-run");
      for (Path ck : Fixtures.checkpoints(run)) {
        try (var s = Files.walk(ck)) {
          for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
            Files.delete(p);
          }
        }
      }
      return List.of("render", "--run", run.toString(), "--seeds", "0", "--out", dir.resolve("r").toString());
    }, 4, "checkpoint"));
    c.add(new BadInput("run directory", "--run names a file", EVAL, (fx, dir) ->
        List.of("mesh", "--run", fx.config.toString(), "--seeds", "0", "--out", dir.resolve("m").toString()), 4,
        "tiny.pbtxt"));
    c.add(new BadInput("run directory", "an unknown metric name", EVAL, (fx, dir) ->
        List.of("metrics", "--run", fx.run.toString(), "--metrics", "fid2k_clss"), 2,
        "fid2k_clss"));
  }

  private static void evalInputs(List<BadInput> c) {
    c.add(new BadInput("table spec", "no such spec file", EVAL, (fx, dir) ->
        List.of("table", "--spec", dir.resolve("nope.pbtxt").toString(), "--out",
            dir.resolve("t").toString()), 3, "nope.pbtxt"));
    c.add(new BadInput("table spec", "a column with an unknown metric", EVAL, (fx, dir) -> {
      Path spec = dir.resolve("spec.pbtxt");
      Files.writeString(spec, "title: \"t\"\nrow { label: \"a\" path: \"" + fx.run
          + "\" }\ncolumn { metric: \"fid2k_clss\" }\n");
      return List.of("table", "--spec", spec.toString(), "--out", dir.resolve("t").toString());
    }, 3, "fid2k_clss"));
    c.add(new BadInput("table spec", "a row whose run does not exist", EVAL, (fx, dir) -> {
      Path spec = dir.resolve("spec.pbtxt");
      Files.writeString(spec, "title: \"t\"\nrow { label: \"a\" path: \"" + dir.resolve("gone")
          + "\" }\ncolumn { metric: \"acc2k_cls\" }\n");
      return List.of("table", "--spec", spec.toString(), "--out", dir.resolve("t").toString());
    }, 4, "gone"));
    c.add(new BadInput("eval input", "export --out is a non-empty folder", EVAL, (fx, dir) -> {
      Path out = dir.resolve("export");
      Files.createDirectories(out);
      Files.writeString(out.resolve("keep.txt"), "mine");
      return List.of("export", "--run", fx.run.toString(), "--out", out.toString());
    }, 2, "--force"));
    c.add(new BadInput("eval input", "metrics --dataset of a broken dataset", EVAL, (fx, dir) -> {
      Path ds = dir.resolve("ds");
      Fixtures.writeDataset(ds, Fixtures.goodLabels(),
          Map.of("img/0002.png", "junk".getBytes(StandardCharsets.UTF_8)));
      return List.of("metrics", "--dataset", ds.toString(), "--split", "--metrics", "fid1k_cls");
    }, 4, "img/0002.png"));
    c.add(new BadInput("invert input", "--class past the model's classes", INVERT, (fx, dir) ->
        List.of("--run", fx.run.toString(), "--dataset", fx.dataset.toString(), "--index", "0",
            "--class", "9", "--out", dir.resolve("out").toString()), 2, "--class"));
    c.add(new BadInput("invert input", "an --override of an unknown invert field", INVERT,
        (fx, dir) -> List.of("--run", fx.run.toString(), "--dataset", fx.dataset.toString(),
            "--index", "0", "--override", "invert { stage1_stepz: 3 }", "--out",
            dir.resolve("out").toString()), 3, "stage1_stepz"));
  }
}
