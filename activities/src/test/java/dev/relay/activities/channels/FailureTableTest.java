package dev.relay.activities.channels;

import static dev.relay.activities.channels.FailureTable.Acceptance.MAYBE_ACCEPTED;
import static dev.relay.activities.channels.FailureTable.Acceptance.NOT_ACCEPTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relay.activities.channels.FailureTable.Decision;
import dev.relay.contracts.DeliveryErrorType;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FailureTableTest {

  @ParameterizedTest
  @EnumSource(value = Decision.class, names = {"FAILOVER", "PERMANENT"})
  void aFailureThatMayHaveBeenAcceptedCanOnlyBeRetried(Decision decision) {
    assertThatThrownBy(() -> FailureTable.row("reset", f -> true, decision, MAYBE_ACCEPTED))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maybe-accepted");
  }

  @Test
  void theFirstMatchingRowDecidesAndTheDecisionGivesTheType() {
    FailureTable<Integer> table = FailureTable.of(List.of(
            FailureTable.row("5xx", c -> c >= 500, Decision.PERMANENT, NOT_ACCEPTED),
            FailureTable.row("4xx", c -> c >= 400, Decision.FAILOVER, NOT_ACCEPTED)),
        "no answer", Decision.RETRY, MAYBE_ACCEPTED);

    assertThat(table.classify(550).when()).isEqualTo("5xx");
    assertThat(table.classify(550).type()).isEqualTo(DeliveryErrorType.PROVIDER_REJECTED);
    assertThat(table.classify(421).decision()).isEqualTo(Decision.FAILOVER);
    assertThat(table.classify(421).type()).isEqualTo(DeliveryErrorType.PROVIDER_UNAVAILABLE);
    SendFailure inDoubt = table.classify(-1).failure("timeout", null);
    assertThat(inDoubt.decision()).isEqualTo(Decision.RETRY);
    assertThat(inDoubt.maybeAccepted()).isTrue();
    assertThat(inDoubt.getMessage()).isEqualTo("timeout (no answer)");
    assertThat(table.rows()).extracting(FailureTable.Row::when)
        .containsExactly("5xx", "4xx", "no answer");
  }
}
