package dev.relay.api.deliveries;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.relay.api.config.OpenApiConfig;
import dev.relay.api.problems.ApiProblem;
import dev.relay.api.problems.FieldProblem;
import dev.relay.contracts.Channel;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import java.net.URI;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** The JSON shapes of {@code POST /v1/deliveries/batch}. */
public final class BatchViews {
  private BatchViews() {}

  /** Most items one request may carry; larger billing runs are split into several requests. */
  public static final int MAX_ITEMS = 1000;

  /**
   * The batch request. Items are bound one by one, so an item with a wrong field type is that
   * item's rejection, not the whole request's.
   */
  public record Request(List<JsonNode> items) {}

  /**
   * The request as documented in OpenAPI: the same JSON as {@link Request}, with its items typed
   * (the {@code List<JsonNode>} that binds them one by one would show as free-form objects).
   */
  @Schema(name = "BatchRequest",
      description = "1 to " + MAX_ITEMS + " deliveries, each under its own idempotency key",
      additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
  public record RequestDoc(
      @ArraySchema(minItems = 1, maxItems = MAX_ITEMS,
          arraySchema = @Schema(requiredMode = Schema.RequiredMode.REQUIRED)) List<Item> items) {}

  /**
   * One item: the single POST's body plus the idempotency key it would carry as a header. An item
   * the schema refuses is that item's rejection (in the 200 answer), not the request's.
   */
  @Schema(name = "BatchItem", description = "The body of POST /v1/deliveries plus its Idempotency-Key",
      additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
  public record Item(
      @Schema(example = "inv-2026-12-0001", requiredMode = Schema.RequiredMode.REQUIRED,
          description = "Unique per intended delivery", pattern = Ids.IDEMPOTENCY_KEY_REGEX,
          maxLength = 200)
      String idempotencyKey,
      @Schema(example = "customer-42", requiredMode = Schema.RequiredMode.REQUIRED,
          pattern = Ids.ID_REGEX, maxLength = 128) String recipientId,
      @Schema(example = "billing", requiredMode = Schema.RequiredMode.REQUIRED,
          pattern = Ids.PURPOSE_REGEX, maxLength = 64) String purpose,
      @Schema(example = "invoice", requiredMode = Schema.RequiredMode.REQUIRED,
          pattern = Ids.ID_REGEX, maxLength = 128) String templateId,
      @Schema(ref = "#/components/schemas/" + OpenApiConfig.TEMPLATE_VARIABLES)
      Map<String, Object> variables,
      @ArraySchema(arraySchema = @Schema(example = "[\"EMAIL\"]"), minItems = 1, maxItems = 2,
          uniqueItems = true, schema = @Schema(implementation = Channel.class))
      List<String> channels,
      @ArraySchema(maxItems = CreateDeliveryRequest.MAX_DOCUMENTS, uniqueItems = true,
          schema = @Schema(pattern = Ids.ID_REGEX, maxLength = 128))
      List<String> documentIds,
      @Schema(format = "date-time", example = "2030-01-01T00:00:00Z") String deadline) {

    CreateDeliveryRequest body() {
      return new CreateDeliveryRequest(recipientId, purpose, templateId, variables, channels,
          documentIds, deadline);
    }
  }

  /** What became of each item, in request order, and the tally. */
  @Schema(name = "BatchResult")
  public record Result(List<ItemResult> results, int accepted, int replayed, int rejected) {

    static Result of(List<ItemResult> results) {
      int accepted = 0;
      int replayed = 0;
      int rejected = 0;
      for (ItemResult r : results) {
        switch (r.outcome()) {
          case ItemResult.ACCEPTED -> accepted++;
          case ItemResult.REPLAYED -> replayed++;
          default -> rejected++;
        }
      }
      return new Result(results, accepted, replayed, rejected);
    }
  }

  /**
   * @param outcome {@code accepted} (a new delivery), {@code replayed} (the key was already
   *     accepted with this body: the earlier delivery) or {@code rejected} (see problem)
   * @param deliveryId the delivery, unless rejected
   * @param problem why it was rejected (RFC 9457), only when rejected
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @Schema(name = "BatchItemResult")
  public record ItemResult(
      int index,
      String idempotencyKey,
      @Schema(allowableValues = {ACCEPTED, REPLAYED, REJECTED}) String outcome,
      String deliveryId,
      ItemProblem problem) {

    public static final String ACCEPTED = "accepted";
    public static final String REPLAYED = "replayed";
    public static final String REJECTED = "rejected";

    static ItemResult accepted(int index, String key, String deliveryId) {
      return new ItemResult(index, key, ACCEPTED, deliveryId, null);
    }

    static ItemResult replayed(int index, String key, String deliveryId) {
      return new ItemResult(index, key, REPLAYED, deliveryId, null);
    }

    static ItemResult rejected(int index, String key, ApiProblem problem) {
      return new ItemResult(index, key, REJECTED, null, ItemProblem.of(problem));
    }
  }

  /** An RFC 9457 problem document for one item, as the single POST would have answered it. */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  @Schema(name = "BatchItemProblem", description = "RFC 9457 problem details")
  public record ItemProblem(URI type, String title, int status, String detail,
      List<FieldProblem> errors) {

    static ItemProblem of(ApiProblem p) {
      return new ItemProblem(p.type().uri(), p.type().title(), p.type().status().value(),
          p.getMessage(), p.errors());
    }
  }
}
