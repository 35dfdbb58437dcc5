package org.tensorflow;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteDeviceList;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListCount;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListType;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SessionListDevices;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetConfig;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetTarget;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.tensorflow.internal.c_api.TF_DeviceList;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.proto.ConfigProto;

/**
 * wild3d's one way to a {@link Session} whose target is a TensorFlow server ({@code
 * grpc://host:port}), which TF Java 1.1.0's public API does not offer: its {@code Session}
 * constructors always pass an empty target to {@code TF_NewSession}.
 *
 * <p>This class lives in package {@code org.tensorflow} because it relies on two package-private
 * members of TF Java 1.1.0 — the constructor {@code Session(Graph, TF_Session)} (the one
 * {@code SavedModelBundle} uses) and {@code Graph.ref()} — plus the internal C-API binding {@code
 * TF_SetTarget}. All three are checked by the compiler: a TF Java release that changes them fails
 * the build, not a training run. The session this returns does not run the graph's initializers
 * by itself (the package-private constructor turns that off): call {@link Session#initialize()} or
 * restore a checkpoint before the first step.
 */
public final class TargetSessions {
  private TargetSessions() {}

  /**
   * A session on {@code graph} run by the TensorFlow master at {@code target} (e.g. the
   * {@code grpc://localhost:2222} of an {@link Server} this process started).
   *
   * @param config session options (threads, collective group leader, ...)
   */
  public static Session create(Graph graph, String target, ConfigProto config) {
    try (PointerScope scope = new PointerScope(); Graph.Reference ref = graph.ref()) {
      TF_Status status = TF_Status.newStatus();
      TF_SessionOptions opts = TF_SessionOptions.newSessionOptions();
      TF_SetTarget(opts, target);
      BytePointer bytes = new BytePointer(config.toByteArray());
      TF_SetConfig(opts, bytes, bytes.capacity(), status);
      status.throwExceptionIfNotOK();
      TF_Session session = TF_Session.newSession(ref.nativeHandle(), opts, status);
      status.throwExceptionIfNotOK();
      return new Session(graph, (TF_Session) session.retainReference());
    }
  }

  /**
   * How many GPUs TensorFlow sees in this process (0 with the CPU natives): the devices of a
   * session on an empty graph ({@code TF_SessionListDevices}, another internal binding).
   */
  public static int gpuCount() {
    try (PointerScope scope = new PointerScope(); Graph g = new Graph();
        Graph.Reference ref = g.ref()) {
      TF_Status status = TF_Status.newStatus();
      TF_SessionOptions opts = TF_SessionOptions.newSessionOptions();
      TF_Session session = TF_Session.newSession(ref.nativeHandle(), opts, status);
      status.throwExceptionIfNotOK(); // the scope closes and deletes the session
      TF_DeviceList list = TF_SessionListDevices(session, status);
      status.throwExceptionIfNotOK();
      int gpus = 0;
      for (int i = 0; i < TF_DeviceListCount(list); i++) {
        if (TF_DeviceListType(list, i, status).getString().equals("GPU")) {
          gpus++;
        }
      }
      TF_DeleteDeviceList(list);
      return gpus;
    }
  }
}
