package org.wild3d.metrics.images;

import java.io.PrintWriter;
import org.wild3d.log.Progress;

/**
 * Passes images through and prints a progress line (images/s, ETA) every few seconds, and a
 * summary once {@code total} images have passed or the source runs out.
 */
public final class ProgressImageSource implements ImageSource {
  private final ImageSource source;
  private final Progress progress;
  private final long total;
  private long done;
  private boolean finished;

  public ProgressImageSource(ImageSource source, PrintWriter out, String what, long total) {
    this.source = source;
    this.progress = new Progress(out, what, total, Progress.Unit.IMAGES);
    this.total = total;
  }

  @Override
  public ImageBatch next(int max) {
    ImageBatch b = source.next(max);
    done += b.size();
    progress.add(b.size());
    if (!finished && (b.size() == 0 || done >= total)) {
      finished = true;
      progress.finish();
    }
    return b;
  }
}
