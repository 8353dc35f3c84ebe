package dev.relay.api.auth;

import dev.relay.store.tenant.Role;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The roles that may call an endpoint (method-level wins over class-level). ADMIN may always call
 * everything. An endpoint under {@code /v1} without this annotation is refused, so a new endpoint
 * is closed until someone decides who may use it.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
public @interface Allowed {
  Role[] value();
}
