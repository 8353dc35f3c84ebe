package dev.relay.api.problems;

import dev.relay.api.deliveries.BatchViews;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.RequestBodyAdviceAdapter;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An explicit {@code null} for a field of a JSON request body is a 400 naming the field ("omit
 * it instead"). No request field is nullable in the OpenAPI document, so {@code "contacts": null}
 * is refused rather than read as "no contact points" (absent fields keep their documented
 * defaults). The batch POST is left out: it judges each item on its own, in its answer.
 */
@ControllerAdvice
public class ExplicitNullsRefused extends RequestBodyAdviceAdapter {
  private final JsonMapper json;

  public ExplicitNullsRefused(JsonMapper json) {
    this.json = json;
  }

  @Override
  public boolean supports(MethodParameter parameter, Type targetType,
      Class<? extends HttpMessageConverter<?>> converterType) {
    return JacksonJsonHttpMessageConverter.class.isAssignableFrom(converterType)
        && targetType instanceof Class<?> c && c.getPackageName().startsWith("dev.relay.api")
        && c != BatchViews.Request.class;
  }

  @Override
  public HttpInputMessage beforeBodyRead(HttpInputMessage input, MethodParameter parameter,
      Type targetType, Class<? extends HttpMessageConverter<?>> converterType) throws IOException {
    byte[] body = input.getBody().readAllBytes();
    JsonNode tree;
    try {
      tree = json.readTree(body);
    } catch (JacksonException e) {
      tree = null; // malformed: the converter reports it, with line and column
    }
    List<FieldProblem> nulls = new ArrayList<>();
    if (tree != null) {
      collect(tree, "", nulls);
    }
    if (!nulls.isEmpty()) {
      throw ApiProblem.validation(nulls);
    }
    return new HttpInputMessage() {
      @Override
      public InputStream getBody() {
        return new ByteArrayInputStream(body);
      }

      @Override
      public HttpHeaders getHeaders() {
        return input.getHeaders();
      }
    };
  }

  /**
   * The fields of the body and of objects in its lists (contact points). Objects as field values
   * are maps (variables, consent channels): their entries are checked by the request itself,
   * together with every other bad field.
   */
  private static void collect(JsonNode node, String path, List<FieldProblem> nulls) {
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        String at = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
        if (field.getValue().isNull()) {
          nulls.add(new FieldProblem(at, "must not be null: omit the field instead"));
        } else if (field.getValue().isArray()) {
          collect(field.getValue(), at, nulls);
        }
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        collect(node.get(i), path + "[" + i + "]", nulls);
      }
    }
  }
}
