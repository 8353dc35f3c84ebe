package dev.relay.api.problems;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class DatabaseUnavailableTest {

  @Test
  void connectionAndShutdownStatesAnywhereInTheCauseChainMeanUnavailable() {
    RuntimeException cut = new RuntimeException("statement failed",
        new SQLException("terminating connection due to administrator command", "57P01"));
    assertThat(ProblemHandler.isDatabaseUnavailable(cut)).isTrue();
    assertThat(ProblemHandler.isDatabaseUnavailable(new SQLException("refused", "08001"))).isTrue();
  }

  @Test
  void otherSqlErrorsAreNot() {
    assertThat(ProblemHandler.isDatabaseUnavailable(
        new RuntimeException(new SQLException("duplicate key", "23505")))).isFalse();
    assertThat(ProblemHandler.isDatabaseUnavailable(new IllegalStateException("bug"))).isFalse();
  }
}
