package dev.relay.store.tenant;

public record Tenant(String id, String name, String statusWebhookUrl) {}
