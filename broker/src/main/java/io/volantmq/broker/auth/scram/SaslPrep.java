package io.volantmq.broker.auth.scram;

import com.ongres.saslprep.SASLprep;
import com.ongres.stringprep.Profile;

/**
 * SASLprep (RFC 4013), the stringprep (RFC 3454) profile SCRAM applies to passwords and user names,
 * done by the {@code com.ongres.stringprep:saslprep} library, which carries the RFC's Unicode 3.2
 * tables (mapping, NFKC, prohibited output, bidi, unassigned code points) rather than approximating
 * them with the JDK's newer Unicode data. Prohibited or badly ordered
 * characters throw the library's {@link IllegalArgumentException}.
 */
public final class SaslPrep {
    private static final Profile PROFILE = new SASLprep();

    private SaslPrep() {
    }

    /**
     * Prepares a string that will be stored (a password from which a credential is derived): unassigned
     * code points are rejected.
     *
     * @throws IllegalArgumentException naming what is wrong when the string is not allowed
     */
    public static String prepareStored(String s) {
        return prepare(s, false);
    }

    /**
     * Prepares a string used in a query (what a client does with the user name and password it sends):
     * unassigned code points are let through.
     *
     * @throws IllegalArgumentException naming what is wrong when the string is not allowed
     */
    public static String prepareQuery(String s) {
        return prepare(s, true);
    }

    private static String prepare(String s, boolean query) {
        if (s == null) {
            throw new IllegalArgumentException("null string");
        }
        try {
            return query ? PROFILE.prepareQuery(s) : PROFILE.prepareStored(s);
        } catch (IndexOutOfBoundsException e) {
            // saslprep 2.2 reads the first character for the bidi check without looking at the length, so a
            // string that maps to nothing (only U+00AD, U+200B ...) ends here: its preparation is ""
            return "";
        }
    }
}
