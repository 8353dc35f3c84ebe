package dev.relay.codec;

import io.temporal.common.converter.CodecDataConverter;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.util.List;

/**
 * The one data converter of every Relay Temporal client and worker (API, worker, benchmark,
 * system tests): Temporal's default JSON conversion, then {@link SealedPayloadCodec}.
 *
 * <p>Failure messages and stack traces are sealed too ({@code encodeFailureAttributes}): an
 * SMTP error quoting an address or an exception naming a recipient would otherwise be stored in
 * clear in the history.
 */
public final class SealedDataConverter {

  public static DataConverter create(KeyProvider keys) {
    return create(keys.keyring());
  }

  public static DataConverter create(Keyring keyring) {
    return new CodecDataConverter(DefaultDataConverter.STANDARD_INSTANCE,
        List.of(new SealedPayloadCodec(keyring)), true);
  }

  /** The converter the settings ask for: sealed when a key is configured, plain otherwise. */
  public static DataConverter create(CodecSettings settings) {
    return settings.keyProvider()
        .map(SealedDataConverter::create)
        .orElse(DefaultDataConverter.STANDARD_INSTANCE);
  }

  private SealedDataConverter() {}
}
