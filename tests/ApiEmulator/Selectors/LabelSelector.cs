namespace EksHardening.ApiEmulator.Selectors;

/// <summary>
/// A parsed label selector in the API's string syntax: <c>a=b</c>, <c>a==b</c>, <c>a!=b</c>, <c>a in (x,y)</c>,
/// <c>a notin (x)</c>, <c>a</c> (exists), <c>!a</c> (does not exist), <c>a&gt;1</c>, <c>a&lt;1</c>, joined by commas.
/// </summary>
internal sealed class LabelSelector
{
    private readonly IReadOnlyList<Requirement> _requirements;

    private LabelSelector(IReadOnlyList<Requirement> requirements) => _requirements = requirements;

    public static LabelSelector Everything { get; } = new([]);

    public bool IsEmpty => _requirements.Count == 0;

    /// <summary>Parses a selector; throws a 400 <see cref="ApiStatusException"/> on a syntax error, as the server does.</summary>
    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var tokens = Tokenize(text);
        var position = 0;
        var requirements = new List<Requirement>();
        while (true)
        {
            requirements.Add(ParseRequirement(tokens, ref position, text));
            var next = tokens[position];
            if (next.Kind == TokenKind.End)
            {
                break;
            }

            if (next.Kind != TokenKind.Comma)
            {
                throw Error(text, $"found '{next.Text}', expected: ',' or 'end of string'");
            }

            position++;
        }

        return new LabelSelector(requirements);
    }

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var requirement in _requirements)
        {
            if (!requirement.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    private static Requirement ParseRequirement(List<Token> tokens, ref int position, string text)
    {
        var first = tokens[position];
        if (first.Kind == TokenKind.Bang)
        {
            position++;
            var key = tokens[position];
            if (key.Kind != TokenKind.Identifier)
            {
                throw Error(text, $"found '{key.Text}', expected: identifier after '!'");
            }

            position++;
            return new Requirement(ValidKey(key.Text, text), Operator.DoesNotExist, []);
        }

        if (first.Kind != TokenKind.Identifier)
        {
            throw Error(text, $"found '{first.Text}', expected: !, identifier, or 'end of string'");
        }

        var name = ValidKey(first.Text, text);
        position++;
        var op = tokens[position];
        switch (op.Kind)
        {
            case TokenKind.End or TokenKind.Comma:
                return new Requirement(name, Operator.Exists, []);
            case TokenKind.Equals or TokenKind.DoubleEquals or TokenKind.NotEquals or TokenKind.Greater or TokenKind.Less:
            {
                position++;
                var value = tokens[position];
                string literal;
                if (value.Kind == TokenKind.Identifier)
                {
                    literal = value.Text;
                    position++;
                }
                else if (value.Kind is TokenKind.End or TokenKind.Comma && op.Kind is not (TokenKind.Greater or TokenKind.Less))
                {
                    literal = "";
                }
                else
                {
                    throw Error(text, $"found '{value.Text}', expected: identifier");
                }

                var kind = op.Kind switch
                {
                    TokenKind.NotEquals => Operator.NotEquals,
                    TokenKind.Greater => Operator.GreaterThan,
                    TokenKind.Less => Operator.LessThan,
                    _ => Operator.Equals,
                };
                if (kind is Operator.GreaterThan or Operator.LessThan && !long.TryParse(literal, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
                {
                    throw Error(text, $"for 'Gt', 'Lt' operators, the value must be an integer");
                }

                return new Requirement(name, kind, [ValidValue(literal, text)]);
            }

            case TokenKind.In or TokenKind.NotIn:
            {
                position++;
                if (tokens[position].Kind != TokenKind.Open)
                {
                    throw Error(text, $"found '{tokens[position].Text}', expected: '('");
                }

                position++;
                var values = new List<string>();
                while (true)
                {
                    var token = tokens[position];
                    if (token.Kind == TokenKind.Identifier)
                    {
                        values.Add(ValidValue(token.Text, text));
                        position++;
                        token = tokens[position];
                    }
                    else if (token.Kind is TokenKind.Comma or TokenKind.Close)
                    {
                        values.Add("");
                    }

                    if (token.Kind == TokenKind.Close)
                    {
                        position++;
                        break;
                    }

                    if (token.Kind != TokenKind.Comma)
                    {
                        throw Error(text, $"found '{token.Text}', expected: ',' or ')'");
                    }

                    position++;
                }

                return new Requirement(name, op.Kind == TokenKind.In ? Operator.In : Operator.NotIn, values);
            }

            default:
                throw Error(text, $"found '{op.Text}', expected: in, notin, =, ==, !=, gt, lt");
        }
    }

    private static string ValidKey(string key, string text)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var name = slash >= 0 ? key[(slash + 1)..] : key;
        var prefix = slash >= 0 ? key[..slash] : null;
        if (!IsQualifiedNamePart(name) || (prefix is not null && (prefix.Length is 0 or > 253 || !prefix.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.'))))
        {
            throw Error(text, $"invalid label key \"{key}\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
        }

        return key;
    }

    private static string ValidValue(string value, string text)
    {
        if (value.Length > 0 && !IsQualifiedNamePart(value))
        {
            throw Error(text, $"invalid label value: \"{value}\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
        }

        return value;
    }

    private static bool IsQualifiedNamePart(string s) =>
        s.Length is > 0 and <= 63
        && char.IsAsciiLetterOrDigit(s[0]) && char.IsAsciiLetterOrDigit(s[^1])
        && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static ApiStatusException Error(string text, string detail) =>
        ApiStatusException.BadRequest($"unable to parse requirement: {detail} (in selector \"{text}\")");

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            switch (c)
            {
                case ',':
                    tokens.Add(new Token(TokenKind.Comma, ","));
                    i++;
                    continue;
                case '(':
                    tokens.Add(new Token(TokenKind.Open, "("));
                    i++;
                    continue;
                case ')':
                    tokens.Add(new Token(TokenKind.Close, ")"));
                    i++;
                    continue;
                case '>':
                    tokens.Add(new Token(TokenKind.Greater, ">"));
                    i++;
                    continue;
                case '<':
                    tokens.Add(new Token(TokenKind.Less, "<"));
                    i++;
                    continue;
                case '!':
                    if (i + 1 < text.Length && text[i + 1] == '=')
                    {
                        tokens.Add(new Token(TokenKind.NotEquals, "!="));
                        i += 2;
                    }
                    else
                    {
                        tokens.Add(new Token(TokenKind.Bang, "!"));
                        i++;
                    }

                    continue;
                case '=':
                    if (i + 1 < text.Length && text[i + 1] == '=')
                    {
                        tokens.Add(new Token(TokenKind.DoubleEquals, "=="));
                        i += 2;
                    }
                    else
                    {
                        tokens.Add(new Token(TokenKind.Equals, "="));
                        i++;
                    }

                    continue;
            }

            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not (',' or '(' or ')' or '!' or '=' or '<' or '>'))
            {
                i++;
            }

            var word = text[start..i];
            tokens.Add(word switch
            {
                "in" => new Token(TokenKind.In, word),
                "notin" => new Token(TokenKind.NotIn, word),
                _ => new Token(TokenKind.Identifier, word),
            });
        }

        tokens.Add(new Token(TokenKind.End, "end of string"));
        return tokens;
    }

    private enum TokenKind
    {
        Identifier,
        Comma,
        Open,
        Close,
        Bang,
        Equals,
        DoubleEquals,
        NotEquals,
        Greater,
        Less,
        In,
        NotIn,
        End,
    }

    private readonly record struct Token(TokenKind Kind, string Text);

    private enum Operator
    {
        Equals,
        NotEquals,
        In,
        NotIn,
        Exists,
        DoesNotExist,
        GreaterThan,
        LessThan,
    }

    private sealed record Requirement(string Key, Operator Op, IReadOnlyList<string> Values)
    {
        public bool Matches(IReadOnlyDictionary<string, string> labels)
        {
            var has = labels.TryGetValue(Key, out var value);
            return Op switch
            {
                Operator.Exists => has,
                Operator.DoesNotExist => !has,
                Operator.Equals or Operator.In => has && Values.Contains(value!),
                Operator.NotEquals or Operator.NotIn => !has || !Values.Contains(value!),
                Operator.GreaterThan => has && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var gt)
                    && gt > long.Parse(Values[0], CultureInfo.InvariantCulture),
                Operator.LessThan => has && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var lt)
                    && lt < long.Parse(Values[0], CultureInfo.InvariantCulture),
                _ => false,
            };
        }
    }
}
