package dev.relay.activities.retries;

import dev.relay.contracts.DeliveryErrorType;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TemporalFailure;
import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

/**
 * No activity retries an unexpected exception for ever. Relay's activities retry without limit
 * on purpose, so that a database outage is waited out; but the same policy turned every bug (an
 * {@code UnsupportedOperationException} from a template, a null where none was expected) into a
 * poison message that retried until someone noticed. This interceptor sorts what an activity
 * throws:
 *
 * <ul>
 *   <li>Temporal and Relay failures ({@link ApplicationFailure}, typed): unchanged, their type
 *       says whether to retry;
 *   <li>the database being unreachable or busy (connection errors, SQLState classes 08, 53, 57P,
 *       40, transient SQL exceptions): unchanged, retried for as long as the outage lasts;
 *   <li>anything else: retried up to {@link #MAX_ATTEMPTS} attempts (it may be transient), then
 *       turned into a non-retryable {@link DeliveryErrorType#UNEXPECTED} failure, which the
 *       workflow records and acts on like any other permanent failure (next channel, REJECTED).
 * </ul>
 */
public final class BoundedUnexpectedFailures extends WorkerInterceptorBase {
  /** With the activities' 1 s → 30 s backoff, about three minutes of tries. */
  public static final int MAX_ATTEMPTS = 10;

  @Override
  public ActivityInboundCallsInterceptor interceptActivity(ActivityInboundCallsInterceptor next) {
    return new ActivityInboundCallsInterceptorBase(next) {
      // Kept from init: the thread-bound Activity.getExecutionContext() is gone once the
      // activity method has thrown.
      private ActivityExecutionContext context;

      @Override
      public void init(ActivityExecutionContext context) {
        this.context = context;
        super.init(context);
      }

      @Override
      public ActivityOutput execute(ActivityInput input) {
        try {
          return super.execute(input);
        } catch (TemporalFailure e) {
          throw e;
        } catch (RuntimeException e) {
          if (isStoreOutage(e)) {
            throw e;
          }
          int attempt = context.getInfo().getAttempt();
          if (attempt < MAX_ATTEMPTS) {
            throw e;
          }
          throw ApplicationFailure.newNonRetryableFailureWithCause(
              "gave up after " + attempt + " attempts of an unexpected error: " + e,
              DeliveryErrorType.UNEXPECTED.name(), e);
        }
      }
    };
  }

  /** The database is down, restarting, out of connections, or rolled us back: wait it out. */
  static boolean isStoreOutage(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof SQLTransientException || c instanceof SQLRecoverableException
          || c instanceof ConnectException) {
        return true;
      }
      if (c instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        if (state.startsWith("08") || state.startsWith("53") || state.startsWith("57P")
            || state.startsWith("40")) {
          return true;
        }
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return false;
  }
}
