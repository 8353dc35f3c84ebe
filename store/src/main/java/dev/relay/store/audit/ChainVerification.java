package dev.relay.store.audit;

/**
 * @param firstBrokenChainSeq the first row whose hash does not match its content or its
 *     predecessor (or that a signed checkpoint says is missing), or null when the chain is intact
 * @param reason what is wrong there, for logs and operators; null when intact
 */
public record ChainVerification(boolean intact, long rowsChecked, Long firstBrokenChainSeq,
    String reason) {

  public static ChainVerification intact(long rowsChecked) {
    return new ChainVerification(true, rowsChecked, null, null);
  }

  public static ChainVerification broken(long rowsChecked, ChainBreak at) {
    return new ChainVerification(false, rowsChecked, at.chainSeq(), at.reason());
  }
}
