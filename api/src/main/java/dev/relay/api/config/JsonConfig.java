package dev.relay.api.config;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * How request bodies bind. An explicit {@code null} for a field is refused (400 naming the field:
 * omit it instead), as the OpenAPI document says: no request field is nullable, so
 * {@code "contacts": null} can never be read as "no contact points" by one client and as an
 * error by another. Null entries of maps and lists are left to each request's own checks.
 */
@Configuration(proxyBeanMethods = false)
public class JsonConfig {

  @Bean
  JsonMapperBuilderCustomizer refuseNullFields() {
    return builder -> builder.changeDefaultNullHandling(
        n -> JsonSetter.Value.forValueNulls(Nulls.FAIL));
  }
}
