package org.wild3d.train;

import org.wild3d.config.Experiment;
import org.wild3d.config.Model;
import org.wild3d.config.Render;

/** The default {@link TrainJob}: prints the run directory and a one-line summary of the model. */
public final class DescribeRunJob implements TrainJob {
  @Override
  public void run(RunContext context) {
    context.out().println("run directory: " + context.runDir());
    context.out().println(modelSummary(context.resolved()));
    context.out().flush();
  }

  /**
   * One line describing a resolved model, e.g. {@code model: 6 classes, triplane 32x32x3x16,
   * render 32x32, samples 16+16, views 2 PER_VIEW, image 32x32 (no super-resolution)}.
   */
  public static String modelSummary(Experiment e) {
    Model m = e.getModel();
    Render r = e.getRender();
    int sr = m.getSuperres().getOutputResolution();
    int t = m.getTriplane().getResolution();
    return String.format(
        "model: %d classes, triplane %dx%dx3x%d, render %dx%d, samples %d+%d, views %d %s, "
            + "image %s",
        m.getNumClasses(), t, t, m.getTriplane().getChannels(), r.getResolution(),
        r.getResolution(), r.getSamplesStratified(), r.getSamplesImportance(),
        m.getMultiview().getViews(), m.getMultiview().getFusion(),
        sr == 0 ? r.getResolution() + "x" + r.getResolution() + " (no super-resolution)"
            : sr + "x" + sr + " (super-resolution from " + r.getResolution() + ")");
  }
}
