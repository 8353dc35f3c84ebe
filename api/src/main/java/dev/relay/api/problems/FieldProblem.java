package dev.relay.api.problems;

/** One bad input: the field (JSON path, header or parameter name) and what is wrong with it. */
public record FieldProblem(String field, String message) {}
