package dev.relay.store.audit;

/**
 * One incremental pass over a tenant's chain, from its newest checkpoint.
 *
 * @param from the checkpoint the pass started from (null: from the first row)
 * @param rowsChecked rows verified after it
 * @param headSeq the chain's newest chain_seq when the pass started
 * @param firstBreak the first break found, or null
 * @param newHead the last verified row, where a new checkpoint may go; null when nothing new was
 *     verified or a break was found
 */
public record IncrementalVerification(String tenantId, AuditCheckpoint from, long rowsChecked,
    long headSeq, ChainBreak firstBreak, AuditRecord newHead) {

  public boolean intact() {
    return firstBreak == null;
  }
}
