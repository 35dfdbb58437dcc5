package org.wild3d.checkpoint;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import java.util.Map;
import org.wild3d.DataException;

/**
 * What a checkpoint is: written next to the TF variables as {@code manifest.json}. A checkpoint
 * directory without a manifest is incomplete and never listed.
 *
 * @param step training step (generator steps) the variables correspond to
 * @param kimg thousands of real images shown so far
 * @param seed the experiment seed
 * @param configHash SHA-256 of the resolved config the checkpoint was trained with (provenance)
 * @param architectureHash SHA-256 of the config's model and render parts: what must match to load
 * @param codeVersion toolkit version that wrote it
 * @param extra free-form resumable state (data position, tick counters), string → string
 */
public record Manifest(
    long step,
    double kimg,
    long seed,
    String configHash,
    String architectureHash,
    String codeVersion,
    Map<String, String> extra) {

  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

  public String toJson() {
    return GSON.toJson(this);
  }

  /** Parses a manifest; {@code source} names the file in errors. */
  public static Manifest fromJson(String json, String source) {
    try {
      Manifest m = GSON.fromJson(json, Manifest.class);
      if (m == null || m.configHash() == null || m.architectureHash() == null) {
        throw new DataException(
            "checkpoint manifest: expected step, kimg, seed, configHash, architectureHash, found an"
                + " incomplete file ("
                + source
                + "; the checkpoint is damaged: resume from an older one)");
      }
      return m.extra() == null ? new Manifest(m.step, m.kimg, m.seed, m.configHash, m.architectureHash, m.codeVersion, Map.of()) : m;
    } catch (JsonParseException e) {
      throw new DataException(
          "checkpoint manifest: expected JSON, found unreadable content (" + source + "; " + e.getMessage() + ")", e);
    }
  }
}
