package dev.relay.worker;

import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import com.uber.m3.util.Duration;
import dev.relay.activities.RelayActivities;
import dev.relay.activities.audit.AuditSealActivitiesImpl;
import dev.relay.activities.retries.BoundedUnexpectedFailures;
import dev.relay.codec.SealedDataConverter;
import dev.relay.audit.archive.AuditExporter;
import dev.relay.audit.archive.S3ArchiveStore;
import dev.relay.contracts.Channel;
import dev.relay.contracts.TaskQueues;
import dev.relay.contracts.activities.ChannelActivities;
import dev.relay.contracts.activities.ContactVerificationActivities;
import dev.relay.store.RelayDatabase;
import dev.relay.store.audit.AuditExportRepository;
import dev.relay.store.audit.AuditKeys;
import dev.relay.store.sealed.AtRest;
import dev.relay.store.sealed.KekRing;
import dev.relay.store.audit.AuditRepository;
import dev.relay.workflows.AuditSealWorkflowImpl;
import dev.relay.workflows.ContactVerificationWorkflowImpl;
import dev.relay.workflows.DeliveryWorkflowImpl;
import io.micrometer.core.instrument.MeterRegistry;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import java.time.Clock;
import java.util.List;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Wires the database, the Temporal connection and the workers: the delivery queue (workflows and
 * all activities) and one send queue per channel (sends only, rate-limited by the server).
 */
@Configuration(proxyBeanMethods = false)
public class TemporalWorkerConfiguration {
  private static final Logger log = LoggerFactory.getLogger(TemporalWorkerConfiguration.class);

  /** relay.database.ssl for the runtime pool (the owner gets it in the migration below). */
  @Bean
  static DatabaseTlsPostProcessor databaseTlsPostProcessor(
      ObjectProvider<DatabaseProperties> database) {
    return new DatabaseTlsPostProcessor(database);
  }

  @Bean
  Jdbi jdbi(DataSource dataSource, DatabaseProperties database, AuditProperties audit,
      WorkerProperties properties, AtRestProperties atRest, Environment environment) {
    // WorkerProperties is bound first (it is a parameter): settings that would send SMTP
    // credentials in clear stop the start before the database is touched.
    // Read the KEKs first: a missing required key stops the start before anything is migrated.
    KekRing ring = atRest.settings().keyring();
    if (ring.primaryIsLocalDevelopment()) {
      log.warn(atRest.settings().describe());
    } else {
      log.info(atRest.settings().describe());
    }
    // The worker may start before the API: either one brings the schema up to date, as the
    // owner role; this process then works as the runtime role (spring.datasource).
    DatabaseProperties.Owner owner = database.owner();
    RelayDatabase.migrate(dataSource,
        owner.url().isBlank() ? environment.getProperty("spring.datasource.url") : owner.url(),
        owner.username(), owner.password(), database.tls());
    AuditKeys keys = audit.auditKeys();
    if (keys.isLocalDevelopment()) {
      log.warn("The audit trail is signed with the public local-development key '{}': set"
          + " relay.audit.key-file (or relay.audit.keys and current-key-id) in production",
          keys.current().id());
    }
    return RelayDatabase.jdbi(dataSource, keys, new AtRest(ring));
  }

  /** The off-site audit archive; absent unless relay.audit.export.enabled. */
  @Bean(destroyMethod = "close")
  @ConditionalOnProperty(name = "relay.audit.export.enabled", havingValue = "true")
  S3ArchiveStore auditArchive(AuditProperties audit) {
    S3ArchiveStore store = new S3ArchiveStore(audit.export().s3());
    if (audit.export().createBucket()) {
      store.ensureBucket(false);
    }
    return store;
  }

  @Bean(destroyMethod = "stop")
  @ConditionalOnProperty(name = "relay.audit.verifier.enabled", havingValue = "true",
      matchIfMissing = true)
  AuditSchedule auditSchedule(WorkflowClient client, AuditProperties audit) {
    return new AuditSchedule(client, audit.verifier().interval());
  }

  @Bean(destroyMethod = "close")
  Scope temporalMetricsScope(MeterRegistry registry, WorkerProperties properties) {
    // Also carries what workflows count through Workflow.getMetricsScope() (channel
    // substitutions), so those reach /actuator/prometheus too.
    return new RootScopeBuilder()
        .reporter(new MicrometerClientStatsReporter(registry))
        .reportEvery(Duration.ofMillis(properties.temporal().metricsReportInterval().toMillis()));
  }

  @Bean(destroyMethod = "shutdown")
  WorkflowServiceStubs workflowServiceStubs(WorkerProperties properties, Scope metricsScope,
      TemporalTransportProperties transport) {
    // Lazy: the worker keeps starting (and reconnects) while the Temporal server is down.
    return WorkflowServiceStubs.newServiceStubs(transport.apply(WorkflowServiceStubsOptions.newBuilder()
        .setTarget(properties.temporal().target())
        .setMetricsScope(metricsScope))
        .build());
  }

  /**
   * Opens what the API sealed and seals everything the worker hands back to Temporal (activity
   * results, failures, local-activity markers); plain payloads of workflows started before
   * encryption was on still open. Fails the start when relay.codec.required and no key.
   */
  @Bean
  DataConverter relayDataConverter(CodecProperties codec) {
    log.info(codec.settings().describe());
    return SealedDataConverter.create(codec.settings());
  }

  @Bean
  WorkflowClient workflowClient(WorkflowServiceStubs stubs, WorkerProperties properties,
      DataConverter relayDataConverter) {
    return WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder()
        .setNamespace(properties.temporal().namespace())
        .setDataConverter(relayDataConverter)
        .build());
  }

  @Bean
  WorkerFactory workerFactory(WorkflowClient client, Jdbi jdbi, WorkerProperties properties,
      SendQueueProperties sends, MeterRegistry registry, AuditProperties audit,
      ObjectProvider<S3ArchiveStore> archive) {
    // No activity retries an unclassified error for ever (see BoundedUnexpectedFailures).
    WorkerFactory factory = WorkerFactory.newInstance(client, WorkerFactoryOptions.newBuilder()
        .setWorkerInterceptors(new BoundedUnexpectedFailures())
        .build());
    // One set of instances for every queue: the breakers and local rate limiters of a provider
    // are the same object whichever queue a send came from.
    List<Object> activities = RelayActivities.all(jdbi, properties.activitiesSettings(), registry);
    Worker worker = factory.newWorker(TaskQueues.DELIVERY, WorkerOptions.newBuilder()
        .setMaxConcurrentActivityExecutionSize(properties.temporal().maxConcurrentActivities())
        .setMaxConcurrentWorkflowTaskExecutionSize(properties.temporal().maxConcurrentWorkflowTasks())
        .build());
    worker.registerWorkflowImplementationTypes(DeliveryWorkflowImpl.class,
        ContactVerificationWorkflowImpl.class);
    // Everything stays on the delivery queue: workflows started before the send queues existed
    // schedule sendEmail/sendSms there.
    worker.registerActivitiesImplementations(activities.toArray());

    Object channels = activities.stream().filter(ChannelActivities.class::isInstance)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no ChannelActivities implementation"));
    // Verification codes are SMS too: on the SMS send queue, under its server-side rate.
    Object verification = activities.stream()
        .filter(ContactVerificationActivities.class::isInstance).findFirst()
        .orElseThrow(() -> new IllegalStateException("no ContactVerificationActivities"));
    for (Channel channel : Channel.values()) {
      Worker sender = factory.newWorker(TaskQueues.sends(channel),
          sendWorkerOptions(sends.forChannel(channel)));
      sender.registerActivitiesImplementations(channels);
      if (channel == Channel.SMS) {
        sender.registerActivitiesImplementations(verification);
      }
    }

    if (audit.verifier().enabled()) {
      // The scheduled audit verifier: its own queue and one slot, so it never takes a
      // delivery's place.
      AuditRepository trail = new AuditRepository(jdbi);
      S3ArchiveStore store = archive.getIfAvailable();
      AuditExporter exporter = store == null ? null : new AuditExporter(trail,
          new AuditExportRepository(jdbi), store, audit.export().maxSegmentRows(),
          audit.export().maxSegmentsPerRun());
      Worker auditWorker = factory.newWorker(TaskQueues.AUDIT, WorkerOptions.newBuilder()
          .setMaxConcurrentActivityExecutionSize(1)
          .setMaxConcurrentWorkflowTaskExecutionSize(2)
          .build());
      auditWorker.registerWorkflowImplementationTypes(AuditSealWorkflowImpl.class);
      auditWorker.registerActivitiesImplementations(new AuditSealActivitiesImpl(trail, exporter,
          registry, Clock.systemUTC(), audit.verifier().maxRowsPerTenant()));
    }
    return factory;
  }

  /**
   * A send queue's worker: no workflows, its own slots, and the channel's provider rate as the
   * task queue's rate, which the server enforces across all workers (unlike the per-process
   * limiter in the routing).
   */
  static WorkerOptions sendWorkerOptions(SendQueueProperties.SendQueue queue) {
    WorkerOptions.Builder options = WorkerOptions.newBuilder()
        .setMaxConcurrentActivityExecutionSize(queue.maxConcurrentActivities())
        .setMaxConcurrentActivityTaskPollers(queue.pollers());
    if (queue.rateLimited()) {
      options.setMaxTaskQueueActivitiesPerSecond(queue.ratePerSecond());
    }
    return options.build();
  }

  @Bean
  WorkerLifecycle workerLifecycle(WorkerFactory factory, WorkerProperties properties) {
    return new WorkerLifecycle(factory, properties.temporal().shutdownGrace());
  }
}
