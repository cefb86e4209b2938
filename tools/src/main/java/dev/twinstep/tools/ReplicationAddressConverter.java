package dev.twinstep.tools;

import dev.twinstep.colo.wire.ReplicationAddress;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** picocli converter for {@code tcp:HOST:PORT} replication and migration addresses. */
final class ReplicationAddressConverter implements ITypeConverter<ReplicationAddress> {
    @Override
    public ReplicationAddress convert(String value) {
        try {
            return ReplicationAddress.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
