package dev.baton.notifier.card;

import java.util.regex.Pattern;

/** Telegram's HTML parse mode: the three characters it requires escaped, and the way back to plain text. */
public final class Html {

    private static final Pattern TAG = Pattern.compile("<[^>]*>");

    private Html() {
    }

    /** Escapes {@code &}, {@code <}, {@code >} (and {@code "} for attribute values); null reads as empty. */
    public static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** The text a reader would see: tags dropped, entities decoded. For the plain-text fallback. */
    public static String toPlain(String html) {
        if (html == null) {
            return "";
        }
        return TAG.matcher(html).replaceAll("")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&amp;", "&");
    }
}
