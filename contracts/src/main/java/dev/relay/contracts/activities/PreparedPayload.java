package dev.relay.contracts.activities;

import dev.relay.contracts.Channel;
import java.util.List;

/**
 * A rendered payload by reference.
 *
 * @param payloadRef the key of the stored rendering (delivery ID and channel)
 * @param contentSha256 digest of the rendered content, so a send can prove what it sent
 */
public record PreparedPayload(
    String payloadRef, Channel channel, String contentSha256, List<DocumentRef> documents) {}
