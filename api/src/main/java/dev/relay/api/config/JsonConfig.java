package dev.relay.api.config;

import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.deser.std.StdDeserializer;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.type.LogicalType;

/**
 * How request bodies bind: a JSON value of the wrong type is a 400, as the OpenAPI document
 * says, never quietly converted ({@code "suppressedReason": false} is not the text "false",
 * {@code "active": "yes"} is not a boolean). Explicit nulls: {@code ExplicitNullsRefused}.
 */
@Configuration(proxyBeanMethods = false)
public class JsonConfig {

  @Bean
  JsonMapperBuilderCustomizer strictScalars() {
    SimpleModule wholeNumbers = new SimpleModule("relay-whole-numbers")
        .addDeserializer(Integer.class, new WholeNumber<>(Integer.class, Integer.MIN_VALUE,
            Integer.MAX_VALUE, Number::intValue))
        .addDeserializer(Long.class, new WholeNumber<>(Long.class, Long.MIN_VALUE,
            Long.MAX_VALUE, Number::longValue))
        .addDeserializer(String.class, new TextWithoutNul());
    return builder -> builder
        .addModule(wholeNumbers)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .withCoercionConfig(LogicalType.Textual, c -> c
            .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail));
  }

  /**
   * A text field without U+0000: PostgreSQL text cannot store it, and no field of this API has a
   * use for it, so it is a 400 naming the field rather than a failed insert.
   */
  static final class TextWithoutNul extends StdDeserializer<String> {
    TextWithoutNul() {
      super(String.class);
    }

    @Override
    public String deserialize(JsonParser p, DeserializationContext ctxt) {
      if (p.currentToken() != JsonToken.VALUE_STRING) {
        return (String) ctxt.handleUnexpectedToken(String.class, p);
      }
      String text = p.getString();
      if (text.indexOf('\u0000') >= 0) {
        return (String) ctxt.handleWeirdStringValue(String.class, text,
            "must not contain NUL (U+0000)");
      }
      return text;
    }
  }

  /**
   * An integer field as JSON Schema reads {@code type: integer}: {@code 5} and {@code 5.0} are
   * the same number, {@code 2.5} is not an integer (Jackson would truncate it to 2), nor is a
   * value out of the Java type's range.
   */
  static final class WholeNumber<T extends Number> extends StdDeserializer<T> {
    private final long min;
    private final long max;
    private final java.util.function.Function<Number, T> convert;

    WholeNumber(Class<T> type, long min, long max, java.util.function.Function<Number, T> convert) {
      super(type);
      this.min = min;
      this.max = max;
      this.convert = convert;
    }

    @Override
    public T deserialize(JsonParser p, DeserializationContext ctxt) {
      JsonToken token = p.currentToken();
      if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT) {
        @SuppressWarnings("unchecked")
        T other = (T) ctxt.handleUnexpectedToken(handledType(), p);
        return other;
      }
      java.math.BigDecimal value = p.getDecimalValue();
      try {
        long whole = value.stripTrailingZeros().longValueExact();
        if (whole >= min && whole <= max) {
          return convert.apply(whole);
        }
      } catch (ArithmeticException notWhole) {
        // falls through to the refusal
      }
      @SuppressWarnings("unchecked")
      T refused = (T) ctxt.handleWeirdNumberValue(handledType(), value,
          "not a whole number within " + min + " … " + max);
      return refused;
    }
  }
}
