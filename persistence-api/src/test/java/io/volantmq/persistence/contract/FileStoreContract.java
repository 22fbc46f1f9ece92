package io.volantmq.persistence.contract;

import io.volantmq.persistence.PersistenceException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The contract of a durable backend that keeps its files under the directory its configuration names. */
public abstract class FileStoreContract extends DurableStoreContract {

    @Nested
    class Location {

        @Test
        void locationThatCannotBeCreatedFailsNamingIt() throws IOException {
            // a regular file where a directory must go: root ignores permission bits, not this
            Path blocker = Files.writeString(tempDir.resolve("not-a-directory"), "in the way");

            assertThatThrownBy(() -> provider().open(config(blocker)).close())
                    .isInstanceOf(PersistenceException.class)
                    .hasMessageContaining(blocker.toString());
        }
    }
}
