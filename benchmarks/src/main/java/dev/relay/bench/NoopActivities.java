package dev.relay.bench;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** An activity that does nothing: what is left is Temporal's own cost per activity. */
@ActivityInterface
public interface NoopActivities {

  @ActivityMethod
  void noop(int step);

  class Impl implements NoopActivities {
    @Override
    public void noop(int step) {}
  }
}
