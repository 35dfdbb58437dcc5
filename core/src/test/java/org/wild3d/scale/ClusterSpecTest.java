package org.wild3d.scale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.ServerDef;
import org.wild3d.Wild3dException;

class ClusterSpecTest {
  @Test
  void chiefFirstThenWorkersInOrder() {
    String json = "{\"cluster\": {\"worker\": [\"h1:2222\", \"h2:2223\"], \"chief\": [\"h0:2221\"]},"
        + " \"task\": {\"type\": \"worker\", \"index\": 1}}";
    ClusterSpec c = ClusterSpec.parse(json);
    assertThat(c.addresses()).containsExactly("h0:2221", "h1:2222", "h2:2223");
    assertThat(c.task()).isEqualTo(2);
    assertThat(c.isChief()).isFalse();
    assertThat(c.target()).isEqualTo("grpc://localhost:2223");
    ServerDef d = c.serverDef(ConfigProto.getDefaultInstance());
    assertThat(d.getJobName()).isEqualTo("worker");
    assertThat(d.getTaskIndex()).isEqualTo(2);
    assertThat(d.getCluster().getJob(0).getTasksMap()).containsEntry(0, "h0:2221").containsEntry(2, "h2:2223");
    assertThat(ClusterSpec.device(1, "GPU", 3)).isEqualTo("/job:worker/replica:0/task:1/device:GPU:3");
    assertThat(c.withCollectiveLeader(ConfigProto.getDefaultInstance()).getExperimental()
        .getCollectiveGroupLeader()).isEqualTo("/job:worker/replica:0/task:0");
  }

  @Test
  void withoutAChiefWorkerZeroIsTheChief() {
    ClusterSpec c = ClusterSpec.parse("{\"cluster\": {\"worker\": [\"a:1\", \"b:2\"]},"
        + " \"task\": {\"type\": \"worker\", \"index\": 0}}");
    assertThat(c.isChief()).isTrue();
    assertThat(c.size()).isEqualTo(2);
  }

  @Test
  void badConfigsNameTheFieldWithExitThree() {
    String[][] cases = {
        {"{", "TF_CONFIG: expected JSON, found text that does not parse"},
        {"[]", "TF_CONFIG: expected a JSON object with \"cluster\" and \"task\", found []"},
        {"{\"task\": {\"type\": \"worker\", \"index\": 0}}", "TF_CONFIG cluster: expected an object, found nothing"},
        {"{\"cluster\": {\"ps\": [\"a:1\"], \"worker\": [\"b:2\"]}, \"task\": {\"type\": \"worker\", \"index\": 0}}",
            "TF_CONFIG cluster.ps: expected only \"chief\" and \"worker\" jobs"},
        {"{\"cluster\": {\"worker\": [\"a\"]}, \"task\": {\"type\": \"worker\", \"index\": 0}}",
            "TF_CONFIG cluster.worker[0]: expected \"host:port\", found \"a\""},
        {"{\"cluster\": {\"worker\": [\"a:70000\"]}, \"task\": {\"type\": \"worker\", \"index\": 0}}",
            "TF_CONFIG cluster.worker[0]: expected a port in 1..65535, found a:70000"},
        {"{\"cluster\": {\"worker\": [\"a:1\", \"a:1\"]}, \"task\": {\"type\": \"worker\", \"index\": 0}}",
            "TF_CONFIG cluster: expected distinct host:port addresses, found a:1 twice"},
        {"{\"cluster\": {\"worker\": [\"a:1\"]}, \"task\": {\"type\": \"worker\", \"index\": 1}}",
            "TF_CONFIG task.index: expected 0..0 (cluster.worker has 1 addresses), found 1"},
        {"{\"cluster\": {\"worker\": [\"a:1\"]}, \"task\": {\"type\": \"evaluator\", \"index\": 0}}",
            "TF_CONFIG task.type: expected \"chief\" or \"worker\", found \"evaluator\""},
        {"{\"cluster\": {\"worker\": [\"a:1\"]}, \"task\": {\"type\": \"worker\", \"index\": 0.5}}",
            "TF_CONFIG task.index: expected a whole number, found 0.5"},
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> ClusterSpec.parse(c[0])).as(c[0])
          .isInstanceOfSatisfying(Wild3dException.class, e -> assertThat(e.exitCode()).isEqualTo(3))
          .hasMessageStartingWith(c[1]);
    }
  }
}
