package dev.relay.contracts.activities;

/** A stored document by reference: what workflow history carries instead of bytes. */
public record DocumentRef(
    String documentId, String filename, String contentType, long size, String sha256) {}
