package dev.relay.bench;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Relay worker's concurrency, read from its Prometheus endpoint (the SDK's slot gauges:
 * available + used = the configured maximum). The worker exposes neither /actuator/env nor
 * /actuator/configprops; when Prometheus cannot be read, the defaults of the worker's
 * application.yaml are used (./relay sets no override), and {@code source} says so.
 */
record WorkerSettings(int activitySlots, int workflowTaskSlots, int activityPollers,
    int workflowPollers, int jdbcPoolMax, String source) {

  static final WorkerSettings DEFAULTS = new WorkerSettings(50, 50, 5, 5, 20,
      "worker application.yaml defaults (./relay sets no override; actuator not readable)");

  private static final Pattern SAMPLE = Pattern.compile("^(\\w+)\\{([^}]*)} (\\S+)$");
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  static WorkerSettings fromPrometheus(String text, String taskQueue, String url) {
    Map<String, Double> v = new HashMap<>();
    for (String line : text.split("\n")) {
      Matcher m = SAMPLE.matcher(line);
      if (!m.matches()) {
        continue;
      }
      Map<String, String> labels = new HashMap<>();
      Matcher l = LABEL.matcher(m.group(2));
      while (l.find()) {
        labels.put(l.group(1), l.group(2));
      }
      String name = m.group(1);
      double value = Double.parseDouble(m.group(3));
      if (name.equals("hikaricp_connections_max")) {
        v.merge("jdbc", value, Double::sum);
      }
      if (!taskQueue.equals(labels.get("task_queue"))) {
        continue;
      }
      String workerType = labels.getOrDefault("worker_type", "");
      if (name.startsWith("temporal_worker_task_slots_")
          && (workerType.equals("ActivityWorker") || workerType.equals("WorkflowWorker"))) {
        v.merge(workerType, value, Double::sum); // available + used
      } else if (name.equals("temporal_num_pollers")) {
        v.merge(labels.getOrDefault("poller_type", "").startsWith("activity") ? "actPollers"
            : "wfPollers", value, Double::sum);
      }
    }
    if (!v.containsKey("ActivityWorker") || !v.containsKey("WorkflowWorker")) {
      return null;
    }
    return new WorkerSettings(v.get("ActivityWorker").intValue(), v.get("WorkflowWorker").intValue(),
        v.getOrDefault("actPollers", 0.0).intValue(), v.getOrDefault("wfPollers", 0.0).intValue(),
        v.getOrDefault("jdbc", 0.0).intValue(),
        "Relay worker " + url + " (SDK slot and poller gauges; env/configprops are not exposed)");
  }
}
