package org.wild3d.scale;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.tensorflow.Server;
import org.tensorflow.proto.ClusterDef;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.JobDef;
import org.tensorflow.proto.ServerDef;
import org.wild3d.Wild3dException;

/**
 * The processes of a multi-worker run and which one this is, described the way TensorFlow users
 * already describe a cluster: the {@code TF_CONFIG} environment variable of TensorFlow's
 * MultiWorkerMirroredStrategy,
 *
 * <pre>{"cluster": {"chief": ["host0:2222"], "worker": ["host1:2222", "host2:2222"]},
 *  "task": {"type": "worker", "index": 0}}</pre>
 *
 * <p>wild3d numbers the processes chief first, then the workers in their order: task 0 is the
 * chief (it alone writes checkpoints, samples, TensorBoard events and metrics). A cluster with no
 * {@code chief} entry makes {@code worker[0]} the chief. Every process runs one TensorFlow server
 * in job {@code worker} with that task number; there are no parameter servers (gradients are
 * all-reduced).
 *
 * @param addresses host:port of every task, chief first
 * @param task this process's task number
 */
public record ClusterSpec(List<String> addresses, int task) {
  /** The environment variable read by {@link #fromEnvironment()}. */
  public static final String ENV = "TF_CONFIG";
  /** The TF job every wild3d process joins. */
  public static final String JOB = "worker";

  private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9.\\-\\[\\]:]+:[0-9]{1,5}");

  public ClusterSpec {
    addresses = List.copyOf(addresses);
    if (addresses.isEmpty() || task < 0 || task >= addresses.size()) {
      throw bad("task", "a task of the " + addresses.size() + " in the cluster", "task " + task);
    }
  }

  /** The cluster of {@code TF_CONFIG}, if the variable is set. */
  public static Optional<ClusterSpec> fromEnvironment() {
    String v = System.getenv(ENV);
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(parse(v));
  }

  /**
   * Parses {@code TF_CONFIG} JSON.
   *
   * @throws Wild3dException (exit 3) naming the field of TF_CONFIG that is wrong
   */
  public static ClusterSpec parse(String json) {
    JsonObject root;
    try {
      JsonElement e = JsonParser.parseString(json);
      if (!e.isJsonObject()) {
        throw bad("", "a JSON object with \"cluster\" and \"task\"", shortly(json));
      }
      root = e.getAsJsonObject();
    } catch (JsonParseException e) {
      throw bad("", "JSON", "text that does not parse (" + firstLine(e.getMessage()) + ")");
    }
    JsonObject cluster = object(root, "cluster");
    JsonObject task = object(root, "task");
    for (Map.Entry<String, JsonElement> job : cluster.entrySet()) {
      if (!job.getKey().equals("chief") && !job.getKey().equals("worker")) {
        throw bad("cluster." + job.getKey(), "only \"chief\" and \"worker\" jobs",
            "a \"" + job.getKey() + "\" job (wild3d all-reduces gradients: no parameter servers or"
                + " evaluators; list every training process under \"worker\")");
      }
    }
    List<String> chief = addresses(cluster, "chief");
    List<String> workers = addresses(cluster, "worker");
    if (chief.size() > 1) {
      throw bad("cluster.chief", "at most one address", chief.size() + " addresses");
    }
    List<String> all = new ArrayList<>(chief);
    all.addAll(workers);
    if (all.isEmpty()) {
      throw bad("cluster", "at least one address under \"chief\" or \"worker\"", "none");
    }
    for (int i = 0; i < all.size(); i++) {
      for (int j = 0; j < i; j++) {
        if (all.get(i).equals(all.get(j))) {
          throw bad("cluster", "distinct host:port addresses", all.get(i) + " twice");
        }
      }
    }
    String type = string(task, "type");
    int index = integer(task, "index");
    int number;
    if (type.equals("chief")) {
      if (chief.isEmpty() || index != 0) {
        throw bad("task.index", chief.isEmpty() ? "a \"chief\" entry in cluster for task type chief"
            : "0 for the chief", Integer.toString(index));
      }
      number = 0;
    } else if (type.equals("worker")) {
      if (index < 0 || index >= workers.size()) {
        throw bad("task.index", "0.." + (workers.size() - 1) + " (cluster.worker has "
            + workers.size() + " addresses)", Integer.toString(index));
      }
      number = chief.size() + index;
    } else {
      throw bad("task.type", "\"chief\" or \"worker\"", "\"" + type + "\"");
    }
    return new ClusterSpec(all, number);
  }

  /** A cluster of {@code n} tasks on 127.0.0.1 at {@code ports} (tests, one machine). */
  public static ClusterSpec loopback(int task, int... ports) {
    List<String> a = new ArrayList<>();
    for (int p : ports) {
      a.add("127.0.0.1:" + p);
    }
    return new ClusterSpec(a, task);
  }

  /** Number of processes. */
  public int size() {
    return addresses.size();
  }

  /** Whether this process is the chief (task 0). */
  public boolean isChief() {
    return task == 0;
  }

  /** The full name of device {@code type:index} of task {@code t}, e.g. {@code /job:worker/replica:0/task:1/device:GPU:0}. */
  public static String device(int t, String type, int index) {
    return String.format(Locale.ROOT, "/job:%s/replica:0/task:%d/device:%s:%d", JOB, t, type, index);
  }

  /** The definition of this process's server, with {@code config} as its sessions' default. */
  public ServerDef serverDef(ConfigProto config) {
    JobDef.Builder job = JobDef.newBuilder().setName(JOB);
    for (int i = 0; i < addresses.size(); i++) {
      job.putTasks(i, addresses.get(i));
    }
    return ServerDef.newBuilder()
        .setCluster(ClusterDef.newBuilder().addJob(job))
        .setJobName(JOB)
        .setTaskIndex(task)
        .setProtocol("grpc")
        .setDefaultSessionConfig(config)
        .build();
  }

  /**
   * Starts this process's TensorFlow server, {@code config} being its sessions' default. It lives
   * until the JVM ends: TensorFlow's servers cannot be stopped cleanly ({@code Server.stop()} throws
   * in TF 2.18), so a reference is kept here, as every session on it must outlive it.
   */
  public Server startServer(ConfigProto config) {
    Server server = new Server(serverDef(config));
    server.start();
    SERVERS.add(server);
    return server;
  }

  private static final List<Server> SERVERS = new CopyOnWriteArrayList<>();

  /** A TCP port free on 127.0.0.1 right now (for loopback clusters: benches and tests). */
  public static int freeLoopbackPort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The session target of this process's own server. */
  public String target() {
    String a = addresses.get(task);
    return "grpc://localhost:" + a.substring(a.lastIndexOf(':') + 1);
  }

  /** {@code config} with the collective group leader set to the chief's device. */
  public ConfigProto withCollectiveLeader(ConfigProto config) {
    return config.toBuilder().setExperimental(config.getExperimental().toBuilder()
        .setCollectiveGroupLeader(String.format(Locale.ROOT, "/job:%s/replica:0/task:0", JOB)))
        .build();
  }

  private static List<String> addresses(JsonObject cluster, String job) {
    List<String> out = new ArrayList<>();
    if (!cluster.has(job)) {
      return out;
    }
    JsonElement e = cluster.get(job);
    if (!e.isJsonArray()) {
      throw bad("cluster." + job, "a list of \"host:port\" strings", shortly(e.toString()));
    }
    JsonArray a = e.getAsJsonArray();
    for (int i = 0; i < a.size(); i++) {
      JsonElement x = a.get(i);
      String s = x.isJsonPrimitive() && x.getAsJsonPrimitive().isString() ? x.getAsString() : null;
      if (s == null || !ADDRESS.matcher(s).matches()) {
        throw bad("cluster." + job + "[" + i + "]", "\"host:port\"", shortly(x.toString()));
      }
      int port = Integer.parseInt(s.substring(s.lastIndexOf(':') + 1));
      if (port < 1 || port > 65535) {
        throw bad("cluster." + job + "[" + i + "]", "a port in 1..65535", s);
      }
      out.add(s);
    }
    return out;
  }

  private static JsonObject object(JsonObject o, String key) {
    JsonElement e = o.get(key);
    if (e == null || !e.isJsonObject()) {
      throw bad(key, "an object", e == null ? "nothing" : shortly(e.toString()));
    }
    return e.getAsJsonObject();
  }

  private static String string(JsonObject o, String key) {
    JsonElement e = o.get(key);
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw bad("task." + key, "a string", e == null ? "nothing" : shortly(e.toString()));
    }
    return e.getAsString();
  }

  private static int integer(JsonObject o, String key) {
    JsonElement e = o.get(key);
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()
        || e.getAsDouble() != Math.rint(e.getAsDouble())) {
      throw bad("task." + key, "a whole number", e == null ? "nothing" : shortly(e.toString()));
    }
    return e.getAsInt();
  }

  private static Wild3dException bad(String field, String expected, String found) {
    return new Wild3dException(Wild3dException.EXIT_CONFIG, ENV + (field.isEmpty() ? "" : " " + field)
        + ": expected " + expected + ", found " + found + " (the " + ENV
        + " environment variable describes the cluster; see README 'Several devices and machines')");
  }

  private static String shortly(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "no detail";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
