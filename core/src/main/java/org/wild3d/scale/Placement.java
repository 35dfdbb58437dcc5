package org.wild3d.scale;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.tensorflow.DeviceSpec;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;

/**
 * Where a data-parallel training step runs: the towers of this process (one per device) and this
 * process's place among the workers of a cluster. The global batch is cut into {@link #parts()} =
 * towers × workers equal parts ({@link TowerSplit}); part {@code task·towers + t} is tower
 * {@code t} of worker {@code task}. One device of one process ({@link #single()}) builds the graph
 * with no device names at all, exactly as a single-device run always did.
 *
 * @param devices this process's tower devices; empty = one tower on TF's default device
 * @param task this process's task number (0 = the chief)
 * @param tasks number of worker processes
 * @param timeoutSeconds how long an all-reduce waits for the other members before the step fails
 * @param waitSeconds how long the other processes wait for the chief ({@link WorkerSync}: at the
 *     start, and while the chief alone writes a tick's checkpoint, samples and metrics)
 */
public record Placement(List<Device> devices, int task, int tasks, float timeoutSeconds,
    float waitSeconds) {
  /** One device: {@code type} CPU or GPU and its index in this process. */
  public record Device(String type, int index) {
    public Device {
      checkArgument(type.equals("CPU") || type.equals("GPU"),
          "device type: expected CPU or GPU, found %s", type);
      checkArgument(index >= 0, "device index: expected >= 0, found %s", index);
    }
  }

  /** The all-reduce group of every tower of every worker. */
  public static final int GROUP_KEY = 1;

  public Placement {
    devices = List.copyOf(devices);
    checkArgument(tasks >= 1 && task >= 0 && task < tasks, "task %s of %s", task, tasks);
    checkArgument(timeoutSeconds >= 0, "timeout: expected >= 0, found %s", timeoutSeconds);
    checkArgument(waitSeconds >= 0, "wait: expected >= 0, found %s", waitSeconds);
  }

  /** A placement whose processes wait for the chief as long as for a step. */
  public Placement(List<Device> devices, int task, int tasks, float timeoutSeconds) {
    this(devices, task, tasks, timeoutSeconds, timeoutSeconds);
  }

  /** One tower on the default device, one process. */
  public static Placement single() {
    return new Placement(List.of(), 0, 1, 0f);
  }

  /** {@code n} towers on {@code type} devices 0..n-1 of this process. */
  public static List<Device> devices(String type, int n) {
    List<Device> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Device(type, i));
    }
    return out;
  }

  /** Towers of this process. */
  public int towers() {
    return devices.isEmpty() ? 1 : devices.size();
  }

  /** Parts of the global batch: towers × workers. */
  public int parts() {
    return towers() * tasks;
  }

  /** Whether the step is split at all (more than one tower or worker). */
  public boolean distributed() {
    return parts() > 1;
  }

  /** The part of the global batch that local tower {@code t} computes. */
  public int part(int t) {
    return task * towers() + t;
  }

  /** The full device name of local tower {@code t} ("" on the default device). */
  public String deviceName(int t) {
    if (devices.isEmpty()) {
      return tasks > 1 ? ClusterSpec.device(task, "CPU", 0) : "";
    }
    Device d = devices.get(t);
    return tasks > 1 ? ClusterSpec.device(task, d.type(), d.index())
        : String.format(Locale.ROOT, "/device:%s:%d", d.type(), d.index());
  }

  /** {@code tf} placed on local tower {@code t}'s device (unchanged on the default device). */
  public Ops on(Ops tf, int t) {
    if (devices.isEmpty() && tasks == 1) {
      return tf;
    }
    Device d = devices.isEmpty() ? new Device("CPU", 0) : devices.get(t);
    DeviceSpec.Builder b = DeviceSpec.newBuilder()
        .deviceType(d.type().equals("GPU") ? DeviceSpec.DeviceType.GPU : DeviceSpec.DeviceType.CPU)
        .deviceIndex(d.index());
    if (tasks > 1) {
      b.job(ClusterSpec.JOB).replica(0).task(task);
    }
    return tf.withDevice(b.build());
  }

  /** The all-reduce group of every tower of every worker. */
  public Collectives.Group group() {
    boolean gpu = !devices.isEmpty() && devices.get(0).type().equals("GPU");
    return new Collectives.Group(parts(), GROUP_KEY, gpu && tasks == 1 ? "nccl" : "auto",
        timeoutSeconds);
  }

  /** {@code base} with as many CPU devices as CPU towers need (tests and CPU clusters). */
  public ConfigProto sessionConfig(ConfigProto base) {
    int cpus = 0;
    for (Device d : devices) {
      if (d.type().equals("CPU")) {
        cpus = Math.max(cpus, d.index() + 1);
      }
    }
    return cpus > 1 ? base.toBuilder().putDeviceCount("CPU", cpus).build() : base;
  }
}
