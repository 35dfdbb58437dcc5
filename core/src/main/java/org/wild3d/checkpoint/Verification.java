package org.wild3d.checkpoint;

/**
 * What {@link CheckpointVerifier} found out about a checkpoint directory.
 *
 * @param kind the verdict
 * @param reason why it failed or could not be verified, one line naming the file and the rule
 *     (empty when verified or not checked)
 */
public record Verification(Kind kind, String reason) {
  /** The verdicts. */
  public enum Kind {
    /** Not looked at yet (listing is cheap; verification reads every file). */
    NOT_CHECKED,
    /** Every listed file is present with its recorded size and CRC32C; the manifest is sane. */
    VERIFIED,
    /** Written before checksums (manifest format 1): usable, with a note that it is unchecked. */
    UNVERIFIABLE,
    /** Damaged, truncated or inconsistent: never restored. */
    FAILED
  }

  public static final Verification NOT_CHECKED = new Verification(Kind.NOT_CHECKED, "");
  public static final Verification VERIFIED = new Verification(Kind.VERIFIED, "");

  public static Verification failed(String reason) {
    return new Verification(Kind.FAILED, reason);
  }

  /** True when the checkpoint may be restored (verified, or from before checksums). */
  public boolean usable() {
    return kind == Kind.VERIFIED || kind == Kind.UNVERIFIABLE;
  }

  /** How it reads after the step in the {@code checkpoint: DIR (step N, ...)} line. */
  public String label() {
    return switch (kind) {
      case VERIFIED -> "verified";
      case UNVERIFIABLE -> "not verified: written before checksums";
      case NOT_CHECKED -> "not checked";
      case FAILED -> "failed verification";
    };
  }
}
