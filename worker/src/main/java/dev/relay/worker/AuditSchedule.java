package dev.relay.worker;

import dev.relay.contracts.TaskQueues;
import dev.relay.contracts.workflow.AuditSealWorkflow;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleAlreadyRunningException;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.client.schedules.ScheduleHandle;
import io.temporal.client.schedules.ScheduleIntervalSpec;
import io.temporal.client.schedules.ScheduleOptions;
import io.temporal.client.schedules.SchedulePolicy;
import io.temporal.client.schedules.ScheduleSpec;
import io.temporal.client.schedules.ScheduleUpdate;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;

/**
 * Creates the audit verifier's Temporal Schedule when the worker starts, idempotently: an existing
 * schedule is kept (and its interval updated if the configuration changed), so any number of
 * workers can start at once. While the Temporal server is unreachable it keeps trying in the
 * background; the worker does not wait for it.
 */
public class AuditSchedule {
  private static final Logger log = LoggerFactory.getLogger(AuditSchedule.class);

  private final ScheduleClient schedules;
  private final Duration interval;
  private volatile Thread installer;

  public AuditSchedule(WorkflowClient client, Duration interval) {
    // The workflow client's connection and data converter: the schedule lives on the server the
    // workers poll, and its action is encoded like every other workflow start.
    this.schedules = ScheduleClient.newInstance(client.getWorkflowServiceStubs(),
        ScheduleClientOptions.newBuilder()
        .setNamespace(client.getOptions().getNamespace())
        .setDataConverter(client.getOptions().getDataConverter())
        .build());
    this.interval = interval;
  }

  /** The schedule as Relay wants it. */
  Schedule schedule() {
    return Schedule.newBuilder()
        .setAction(ScheduleActionStartWorkflow.newBuilder()
            .setWorkflowType(AuditSealWorkflow.class)
            .setOptions(WorkflowOptions.newBuilder()
                .setWorkflowId(AuditSealWorkflow.WORKFLOW_ID)
                .setTaskQueue(TaskQueues.AUDIT)
                .setWorkflowExecutionTimeout(Duration.ofMinutes(45))
                .build())
            .build())
        .setSpec(ScheduleSpec.newBuilder()
            .setIntervals(List.of(new ScheduleIntervalSpec(interval)))
            .build())
        // A run still going when the next is due: skip the next one, never pile them up.
        .setPolicy(SchedulePolicy.newBuilder()
            .setOverlap(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP)
            .build())
        .build();
  }

  /** Creates the schedule, or brings an existing one's interval up to date. */
  public void ensure() {
    try {
      schedules.createSchedule(AuditSealWorkflow.SCHEDULE_ID, schedule(),
          ScheduleOptions.newBuilder().setTriggerImmediately(true).build());
      log.info("Created the audit verifier schedule {} (every {})", AuditSealWorkflow.SCHEDULE_ID,
          interval);
    } catch (ScheduleAlreadyRunningException e) {
      ScheduleHandle handle = schedules.getHandle(AuditSealWorkflow.SCHEDULE_ID);
      List<ScheduleIntervalSpec> current =
          handle.describe().getSchedule().getSpec().getIntervals();
      boolean same = current != null && current.size() == 1
          && Objects.equals(current.get(0).getEvery(), interval);
      if (!same) {
        handle.update(input -> new ScheduleUpdate(schedule()));
        log.info("Updated the audit verifier schedule to every {}", interval);
      }
    }
  }

  @EventListener(ApplicationReadyEvent.class)
  public void installInBackground() {
    Thread t = new Thread(() -> {
      long waitMs = 2_000;
      while (!Thread.currentThread().isInterrupted()) {
        try {
          ensure();
          return;
        } catch (RuntimeException e) {
          Status.Code code = statusCode(e);
          if (code == Status.Code.UNIMPLEMENTED) {
            log.warn("This Temporal server has no schedules (e.g. the in-memory test server):"
                + " the audit verifier is not scheduled");
            return;
          }
          log.warn("Cannot create the audit verifier schedule yet ({}); retrying in {} s",
              code != null ? code : e.toString(), waitMs / 1000);
        }
        try {
          Thread.sleep(waitMs);
        } catch (InterruptedException ie) {
          return;
        }
        waitMs = Math.min(waitMs * 2, 60_000);
      }
    }, "audit-schedule");
    t.setDaemon(true);
    installer = t;
    t.start();
  }

  private static Status.Code statusCode(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException s) {
        return s.getStatus().getCode();
      }
    }
    return null;
  }

  public void stop() {
    Thread t = installer;
    if (t != null) {
      t.interrupt();
    }
  }
}
