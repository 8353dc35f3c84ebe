package dev.relay.bench;

import java.util.List;

/**
 * One side of the comparison.
 *
 * @param requested deliveries (workflows) the timed phase asked for
 * @param accepted how many the API accepted with 202 (bare: how many starts Temporal confirmed)
 * @param completed how many arrived in Mailpit (bare: how many workflows completed)
 * @param duplicates recipients that got more than one message (bare: always 0)
 * @param acceptMs POST → 202 (bare: start call → Temporal's answer)
 * @param completeMs 202 → message in Mailpit (bare: start confirmed → workflow closed on the server)
 * @param perSecond completed / (last completion − first request)
 * @param wallSeconds first request → last completion
 * @param activitiesPerWorkflow ActivityTaskScheduled events in one workflow's history
 * @param historyEventsPerWorkflow all events in that history
 * @param cpu CPU time per process during the timed phase
 * @param notes errors and anything else worth a look
 */
public record PhaseResult(
    String name,
    int requested,
    int accepted,
    int completed,
    int duplicates,
    Latencies acceptMs,
    Latencies completeMs,
    double perSecond,
    double wallSeconds,
    int activitiesPerWorkflow,
    int historyEventsPerWorkflow,
    CpuUse cpu,
    List<String> notes) {}
