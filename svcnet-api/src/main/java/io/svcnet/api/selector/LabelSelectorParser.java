package io.svcnet.api.selector;

import io.svcnet.api.selector.LabelSelector.Operator;
import io.svcnet.api.selector.LabelSelector.Requirement;
import io.svcnet.api.validation.FieldError;
import io.svcnet.api.validation.NameFormats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The recursive-descent parser of apimachinery's {@code labels.Parse}: a lexer that splits the input into
 * identifiers and the operator symbols {@code = == != ! ( ) , > <} (plus the keywords {@code in} and
 * {@code notin}), then a parser that consumes requirements separated by commas. Error texts are
 * upstream's, so a client sees what kube-apiserver would answer. One instance parses one string; not
 * thread-safe, not shared.
 */
final class LabelSelectorParser {

    private enum Token {
        ERROR, END_OF_STRING, CLOSED_PAR, COMMA, DOES_NOT_EXIST, DOUBLE_EQUALS, EQUALS, GREATER_THAN,
        IDENTIFIER, IN, LESS_THAN, NOT_EQUALS, NOT_IN, OPEN_PAR
    }

    private static final Map<String, Token> LITERALS = Map.ofEntries(
            Map.entry(")", Token.CLOSED_PAR), Map.entry(",", Token.COMMA), Map.entry("!", Token.DOES_NOT_EXIST),
            Map.entry("==", Token.DOUBLE_EQUALS), Map.entry("=", Token.EQUALS), Map.entry(">", Token.GREATER_THAN),
            Map.entry("in", Token.IN), Map.entry("<", Token.LESS_THAN), Map.entry("!=", Token.NOT_EQUALS),
            Map.entry("notin", Token.NOT_IN), Map.entry("(", Token.OPEN_PAR));

    private static final String BINARY_OPERATORS = "in, notin, =, ==, !=, gt, lt";

    private record Item(Token token, String literal) {}

    private final String input;
    private int pos;
    private final List<Item> items = new ArrayList<>();
    private int position;

    LabelSelectorParser(String input) {
        this.input = input;
    }

    List<Requirement> parse() {
        scan();
        List<Requirement> requirements = new ArrayList<>();
        while (true) {
            Item next = lookahead(true);
            switch (next.token()) {
                case IDENTIFIER, DOES_NOT_EXIST -> {
                    Requirement r;
                    try {
                        r = parseRequirement();
                    } catch (SelectorParseException e) {
                        throw new SelectorParseException("unable to parse requirement: " + e.getMessage());
                    }
                    requirements.add(r);
                    Item after = consume(true);
                    switch (after.token()) {
                        case END_OF_STRING -> {
                            return requirements;
                        }
                        case COMMA -> {
                            Item t2 = lookahead(true);
                            if (t2.token() != Token.IDENTIFIER && t2.token() != Token.DOES_NOT_EXIST) {
                                throw new SelectorParseException("found '" + t2.literal() + "', expected: identifier after ','");
                            }
                        }
                        default -> throw new SelectorParseException(
                                "found '" + after.literal() + "', expected: ',' or 'end of string'");
                    }
                }
                case END_OF_STRING -> {
                    return requirements;
                }
                default -> throw new SelectorParseException(
                        "found '" + next.literal() + "', expected: !, identifier, or 'end of string'");
            }
        }
    }

    private Requirement parseRequirement() {
        Operator op = null;
        Item item = consume(true);
        if (item.token() == Token.DOES_NOT_EXIST) {
            op = Operator.DOES_NOT_EXIST;
            item = consume(true);
        }
        if (item.token() != Token.IDENTIFIER) {
            throw new SelectorParseException("found '" + item.literal() + "', expected: identifier");
        }
        String key = item.literal();
        List<String> keyErrs = NameFormats.qualifiedName(key);
        if (!keyErrs.isEmpty()) {
            // upstream validates with the parser's nil path here, hence "<nil>"
            throw new SelectorParseException(FieldError.invalid("<nil>", key, String.join("; ", keyErrs)).toString());
        }
        Token t = lookahead(true).token();
        if (t == Token.END_OF_STRING || t == Token.COMMA) {
            if (op != Operator.DOES_NOT_EXIST) {
                op = Operator.EXISTS;
            }
        }
        if (op == Operator.EXISTS || op == Operator.DOES_NOT_EXIST) {
            return Requirement.of(key, op, List.of(), null);
        }
        op = parseOperator();
        List<String> values = switch (op) {
            case IN, NOT_IN -> parseValues();
            default -> parseExactValue();
        };
        return Requirement.of(key, op, values, null);
    }

    private Operator parseOperator() {
        Item item = consume(false);
        return switch (item.token()) {
            case IN -> Operator.IN;
            case EQUALS -> Operator.EQUALS;
            case DOUBLE_EQUALS -> Operator.DOUBLE_EQUALS;
            case GREATER_THAN -> Operator.GREATER_THAN;
            case LESS_THAN -> Operator.LESS_THAN;
            case NOT_IN -> Operator.NOT_IN;
            case NOT_EQUALS -> Operator.NOT_EQUALS;
            default -> throw new SelectorParseException("found '" + item.literal() + "', expected: " + BINARY_OPERATORS);
        };
    }

    private List<String> parseValues() {
        Item item = consume(true);
        if (item.token() != Token.OPEN_PAR) {
            throw new SelectorParseException("found '" + item.literal() + "' expected: '('");
        }
        Item next = lookahead(true);
        switch (next.token()) {
            case IDENTIFIER, COMMA -> {
                TreeSet<String> values = parseIdentifiersList();
                if (consume(true).token() != Token.CLOSED_PAR) {
                    throw new SelectorParseException("found '" + next.literal() + "', expected: ')'");
                }
                return new ArrayList<>(values);
            }
            case CLOSED_PAR -> {
                consume(true);
                return List.of("");
            }
            default -> throw new SelectorParseException("found '" + next.literal() + "', expected: ',', ')' or identifier");
        }
    }

    /** A possibly empty list of possibly empty identifiers; a sorted set, as upstream's sets.String. */
    private TreeSet<String> parseIdentifiersList() {
        TreeSet<String> values = new TreeSet<>();
        while (true) {
            Item item = consume(true);
            switch (item.token()) {
                case IDENTIFIER -> {
                    values.add(item.literal());
                    Item t2 = lookahead(true);
                    switch (t2.token()) {
                        case COMMA -> { }
                        case CLOSED_PAR -> {
                            return values;
                        }
                        default -> throw new SelectorParseException("found '" + t2.literal() + "', expected: ',' or ')'");
                    }
                }
                case COMMA -> {
                    if (values.isEmpty()) {
                        values.add(""); // "(,"
                    }
                    Token t2 = lookahead(true).token();
                    if (t2 == Token.CLOSED_PAR) {
                        values.add(""); // ",)"
                        return values;
                    }
                    if (t2 == Token.COMMA) {
                        consume(true);
                        values.add(""); // ",,"
                    }
                }
                default -> throw new SelectorParseException("found '" + item.literal() + "', expected: ',', or identifier");
            }
        }
    }

    private List<String> parseExactValue() {
        Token t = lookahead(true).token();
        if (t == Token.END_OF_STRING || t == Token.COMMA) {
            return List.of("");
        }
        Item item = consume(true);
        if (item.token() == Token.IDENTIFIER) {
            return List.of(item.literal());
        }
        throw new SelectorParseException("found '" + item.literal() + "', expected: identifier");
    }

    /** In the "values" context the keywords in/notin are plain identifiers. */
    private Item lookahead(boolean values) {
        return contextual(items.get(position), values);
    }

    private Item consume(boolean values) {
        return contextual(items.get(position++), values);
    }

    private static Item contextual(Item item, boolean values) {
        if (values && (item.token() == Token.IN || item.token() == Token.NOT_IN)) {
            return new Item(Token.IDENTIFIER, item.literal());
        }
        return item;
    }

    // ---- lexer ----

    private void scan() {
        while (true) {
            Item item = lex();
            items.add(item);
            if (item.token() == Token.END_OF_STRING) {
                return;
            }
        }
    }

    private Item lex() {
        while (pos < input.length() && isWhitespace(input.charAt(pos))) {
            pos++;
        }
        if (pos >= input.length()) {
            return new Item(Token.END_OF_STRING, "");
        }
        return isSpecialSymbol(input.charAt(pos)) ? scanSpecialSymbol() : scanIdOrKeyword();
    }

    private Item scanIdOrKeyword() {
        int start = pos;
        while (pos < input.length() && !isSpecialSymbol(input.charAt(pos)) && !isWhitespace(input.charAt(pos))) {
            pos++;
        }
        String s = input.substring(start, pos);
        Token literal = LITERALS.get(s);
        return new Item(literal != null ? literal : Token.IDENTIFIER, s);
    }

    /** The longest run of symbols that is still a known operator ("!=" rather than "!" then "="). */
    private Item scanSpecialSymbol() {
        StringBuilder buffer = new StringBuilder();
        Item last = null;
        while (pos < input.length() && isSpecialSymbol(input.charAt(pos))) {
            buffer.append(input.charAt(pos++));
            Token t = LITERALS.get(buffer.toString());
            if (t != null) {
                last = new Item(t, buffer.toString());
            } else if (last != null) {
                pos--;
                break;
            }
        }
        if (last == null) {
            return new Item(Token.ERROR, "error expected: keyword found '" + buffer + "'");
        }
        return last;
    }

    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    private static boolean isSpecialSymbol(char c) {
        return switch (c) {
            case '=', '!', '(', ')', ',', '>', '<' -> true;
            default -> false;
        };
    }
}
