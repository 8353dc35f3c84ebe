package dev.relay.store.audit;

/**
 * @param firstBrokenChainSeq the first row whose hash does not match its content or its
 *     predecessor, or null when the chain is intact
 */
public record ChainVerification(boolean intact, long rowsChecked, Long firstBrokenChainSeq) {}
