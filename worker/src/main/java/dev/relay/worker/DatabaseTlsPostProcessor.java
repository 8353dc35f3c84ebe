package dev.relay.worker;

import com.zaxxer.hikari.HikariDataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Gives the runtime pool ({@code spring.datasource}) the settings of {@code relay.database.ssl},
 * before it opens its first connection; the owner that migrates gets them in
 * {@code RelayDatabase.migrate}.
 */
final class DatabaseTlsPostProcessor implements BeanPostProcessor {
  private final ObjectProvider<DatabaseProperties> database;

  DatabaseTlsPostProcessor(ObjectProvider<DatabaseProperties> database) {
    this.database = database;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (bean instanceof HikariDataSource pool && pool.getHikariPoolMXBean() == null) {
      database.getObject().tls().applyTo(pool);
    }
    return bean;
  }
}
