package io.volantmq.broker.auth.scram;

import java.text.Normalizer;

/**
 * SASLprep (RFC 4013), the stringprep (RFC 3454) profile SCRAM applies to passwords and user names.
 *
 * <p>What is covered, in the RFC's order:
 * <ol>
 *   <li>Mapping (RFC 4013 2.1): the "commonly mapped to nothing" characters of table B.1 are removed,
 *       the non-ASCII spaces of table C.1.2 become U+0020. U+200B, in both tables, is removed.</li>
 *   <li>Normalization (2.2): Unicode NFKC, via {@link Normalizer}.</li>
 *   <li>Prohibited output (2.3): tables C.1.2, C.2.1, C.2.2, C.3, C.4, C.5, C.6, C.7, C.8 and C.9, written
 *       out below from RFC 3454 appendix C.</li>
 *   <li>Bidirectional characters (2.4, RFC 3454 section 6): a string holding a right-to-left character
 *       must not hold a left-to-right one and must begin and end with a right-to-left character.</li>
 *   <li>Unassigned code points (2.5): rejected in a {@linkplain #prepareStored stored string}, allowed in a
 *       {@linkplain #prepareQuery query}.</li>
 * </ol>
 *
 * <p>What is approximate: stringprep is pinned to Unicode 3.2, while this class uses the JDK's Unicode
 * version (13.0 for Java 17) for NFKC, for "unassigned" ({@link Character#getType} is
 * {@code UNASSIGNED}) and for the bidirectional classes (tables D.1 and D.2 are taken as
 * {@link Character#getDirectionality} R/AL and L). So a code point assigned after Unicode 3.2 counts as
 * assigned here, and the rare characters whose decomposition or bidi class changed since 3.2 follow the
 * newer data. For ASCII strings, and for the common Latin/Greek/Cyrillic/CJK/Arabic/Hebrew ones, the
 * result is the RFC's. The prohibition and mapping tables are exact.
 */
public final class SaslPrep {

    private SaslPrep() {
    }

    /**
     * Prepares a string that will be stored (a password from which a credential is derived): unassigned
     * code points are rejected.
     *
     * @throws IllegalArgumentException naming the offending code point when the string is not allowed
     */
    public static String prepareStored(String s) {
        return prepare(s, false);
    }

    /**
     * Prepares a string used in a query (what a client does with the user name and password it sends):
     * unassigned code points are let through.
     *
     * @throws IllegalArgumentException naming the offending code point when the string is not allowed
     */
    public static String prepareQuery(String s) {
        return prepare(s, true);
    }

    private static String prepare(String s, boolean allowUnassigned) {
        if (s == null) {
            throw new IllegalArgumentException("null string");
        }
        if (isPlainAscii(s)) {
            return s; // mapping and NFKC are the identity; no bidi characters
        }
        StringBuilder mapped = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            if (mapsToNothing(cp)) {
                return;
            }
            mapped.appendCodePoint(isNonAsciiSpace(cp) ? ' ' : cp);
        });
        String normalized = Normalizer.normalize(mapped, Normalizer.Form.NFKC);

        boolean hasRandAL = false;
        boolean hasL = false;
        int[] cps = normalized.codePoints().toArray();
        for (int cp : cps) {
            if (isProhibited(cp)) {
                throw new IllegalArgumentException("prohibited character " + describe(cp));
            }
            if (!allowUnassigned && Character.getType(cp) == Character.UNASSIGNED) {
                throw new IllegalArgumentException("unassigned code point " + describe(cp));
            }
            if (isRandAL(cp)) {
                hasRandAL = true;
            } else if (Character.getDirectionality(cp) == Character.DIRECTIONALITY_LEFT_TO_RIGHT) {
                hasL = true;
            }
        }
        if (hasRandAL) {
            if (hasL) {
                throw new IllegalArgumentException("mixes right-to-left and left-to-right characters");
            }
            if (!isRandAL(cps[0]) || !isRandAL(cps[cps.length - 1])) {
                throw new IllegalArgumentException("right-to-left string must start and end with a right-to-left character");
            }
        }
        return normalized;
    }

    /** Printable ASCII only: every step of the profile leaves it unchanged. */
    private static boolean isPlainAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                return false;
            }
        }
        return true;
    }

    private static boolean isRandAL(int cp) {
        byte d = Character.getDirectionality(cp);
        return d == Character.DIRECTIONALITY_RIGHT_TO_LEFT || d == Character.DIRECTIONALITY_RIGHT_TO_LEFT_ARABIC;
    }

    private static String describe(int cp) {
        return String.format("U+%04X", cp);
    }

    /** RFC 3454 table B.1. */
    static boolean mapsToNothing(int cp) {
        return cp == 0x00AD || cp == 0x034F || cp == 0x1806 || (cp >= 0x180B && cp <= 0x180D)
                || (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || (cp >= 0xFE00 && cp <= 0xFE0F)
                || cp == 0xFEFF;
    }

    /** RFC 3454 table C.1.2. */
    static boolean isNonAsciiSpace(int cp) {
        return cp == 0x00A0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }

    /** RFC 4013 section 2.3: tables C.1.2, C.2.1, C.2.2, C.3, C.4, C.5, C.6, C.7, C.8, C.9. */
    static boolean isProhibited(int cp) {
        return isNonAsciiSpace(cp)
                // C.2.1 ASCII control characters
                || cp <= 0x1F || cp == 0x7F
                // C.2.2 non-ASCII control characters
                || (cp >= 0x80 && cp <= 0x9F) || cp == 0x06DD || cp == 0x070F || cp == 0x180E
                || cp == 0x200C || cp == 0x200D || cp == 0x2028 || cp == 0x2029
                || (cp >= 0x2060 && cp <= 0x2063) || (cp >= 0x206A && cp <= 0x206F) || cp == 0xFEFF
                || (cp >= 0xFFF9 && cp <= 0xFFFC) || (cp >= 0x1D173 && cp <= 0x1D17A)
                // C.3 private use
                || (cp >= 0xE000 && cp <= 0xF8FF) || (cp >= 0xF0000 && cp <= 0xFFFFD)
                || (cp >= 0x100000 && cp <= 0x10FFFD)
                // C.4 non-character code points
                || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE
                // C.5 surrogate codes (a lone surrogate in a Java string)
                || (cp >= 0xD800 && cp <= 0xDFFF)
                // C.6 inappropriate for plain text
                || (cp >= 0xFFF9 && cp <= 0xFFFD)
                // C.7 inappropriate for canonical representation
                || (cp >= 0x2FF0 && cp <= 0x2FFB)
                // C.8 change display properties or deprecated
                || cp == 0x0340 || cp == 0x0341 || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E)
                // C.9 tagging characters
                || cp == 0xE0001 || (cp >= 0xE0020 && cp <= 0xE007F);
    }
}
