using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BatchOps.Sandbox.Asl;

/// <summary>Intrinsic functions (<c>States.Format(...)</c> and the rest) as used in <c>.$</c> fields.</summary>
public static class Intrinsics
{
    public static bool IsIntrinsic(string text) => text.StartsWith("States.", StringComparison.Ordinal);

    /// <summary>Parses an intrinsic call once; evaluate it as often as needed.</summary>
    public static IntrinsicCall Compile(string expression)
    {
        var parser = new Parser(expression);
        var call = parser.ParseCall();
        parser.End();
        return new IntrinsicCall(call);
    }

    /// <summary>A parsed intrinsic function call.</summary>
    public sealed class IntrinsicCall
    {
        private readonly Call _call;

        internal IntrinsicCall(Call call) => _call = call;

        public JsonNode? Evaluate(in Bindings bindings) => Invoke(_call, bindings);
    }

    private static JsonNode? Invoke(Call call, in Bindings bindings)
    {
        var random = bindings.Random;
        var args = new List<JsonNode?>(call.Arguments.Count);
        foreach (var a in call.Arguments)
        {
            args.Add(a switch
            {
                Call nested => Invoke(nested, bindings),
                PathArgument path => path.Path.Select(bindings)?.DeepClone(),
                Literal literal => literal.Value?.DeepClone(),
                _ => throw new InvalidOperationException(),
            });
        }

        return call.Name switch
        {
            "States.Format" => Format(call, args),
            "States.StringToJson" => StringToJson(call, args),
            "States.JsonToString" => Checked(call, args, 1, () => JsonValue.Create(args[0]?.ToJsonString() ?? "null")),
            "States.Array" => new JsonArray([.. args]),
            "States.ArrayPartition" => ArrayPartition(call, args),
            "States.ArrayContains" => Checked(call, args, 2, () => JsonValue.Create(ArrayOf(call, args[0]).Any(x => JsonNode.DeepEquals(x, args[1])))),
            "States.ArrayRange" => ArrayRange(call, args),
            "States.ArrayGetItem" => ArrayGetItem(call, args),
            "States.ArrayLength" => Checked(call, args, 1, () => JsonValue.Create(ArrayOf(call, args[0]).Count)),
            "States.ArrayUnique" => ArrayUnique(call, args),
            "States.Base64Encode" => Checked(call, args, 1, () => JsonValue.Create(Convert.ToBase64String(Encoding.UTF8.GetBytes(StringOf(call, args[0]))))),
            "States.Base64Decode" => Base64Decode(call, args),
            "States.Hash" => Hash(call, args),
            "States.JsonMerge" => JsonMerge(call, args),
            "States.MathRandom" => MathRandom(call, args, random),
            "States.MathAdd" => Checked(call, args, 2, () => JsonValue.Create(Rounded(call, args[0]) + Rounded(call, args[1]))),
            "States.StringSplit" => StringSplit(call, args),
            "States.UUID" => Checked(call, args, 0, () => JsonValue.Create(Guid.NewGuid().ToString())),
            _ => throw Fail(call, $"The intrinsic function '{call.Name}' is not supported."),
        };
    }

    private static JsonNode? Checked(Call call, List<JsonNode?> args, int count, Func<JsonNode?> evaluate)
    {
        Arity(call, args, count);
        return evaluate();
    }

    private static int Arity(Call call, List<JsonNode?> args, int count) =>
        args.Count == count ? count : throw Fail(call, $"{call.Name} takes {count} arguments; got {args.Count}.");

    private static StatesException Fail(Call call, string message) => new(AslErrors.IntrinsicFailure, $"{message} ({call.Name})");

    private static JsonArray ArrayOf(Call call, JsonNode? node) => node as JsonArray ?? throw Fail(call, $"Expected an array; got {Describe(node)}.");

    private static string StringOf(Call call, JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : throw Fail(call, $"Expected a string; got {Describe(node)}.");

    private static long IntOf(Call call, JsonNode? node)
    {
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
        {
            var d = v.ToDouble();
            if (Math.Abs(d - Math.Round(d)) < double.Epsilon)
            {
                return (long)d;
            }
        }

        throw Fail(call, $"Expected an integer; got {Describe(node)}.");
    }

    /// <summary>MathAdd and MathRandom round their arguments half up (Java's Math.round), as Step Functions does.</summary>
    private static long Rounded(Call call, JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number
            ? (long)Math.Floor(v.ToDouble() + 0.5)
            : throw Fail(call, $"Expected a number; got {Describe(node)}.");

    /// <summary>States.Format renders objects and arrays the way Java's toString does: {a=1, b=[x, y]}.</summary>
    private static string Render(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject o => "{" + string.Join(", ", o.Select(p => $"{p.Key}={Render(p.Value)}")) + "}",
        JsonArray a => "[" + string.Join(", ", a.Select(Render)) + "]",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => node.ToJsonString(),
    };

    private static string Describe(JsonNode? node) => node?.ToJsonString() ?? "null";

    private static JsonValue Format(Call call, List<JsonNode?> args)
    {
        if (args.Count == 0)
        {
            throw Fail(call, "States.Format needs a template string.");
        }

        var template = StringOf(call, args[0]);
        var text = new StringBuilder();
        var next = 1;
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] == '{' && i + 1 < template.Length && template[i + 1] == '}')
            {
                if (next >= args.Count)
                {
                    throw Fail(call, "The template has more placeholders than arguments.");
                }

                var value = args[next++];
                text.Append(Render(value));
                i++;
            }
            else
            {
                text.Append(template[i]);
            }
        }

        if (next != args.Count)
        {
            throw Fail(call, "The template has fewer placeholders than arguments.");
        }

        return JsonValue.Create(text.ToString());
    }

    private static JsonNode? StringToJson(Call call, List<JsonNode?> args)
    {
        Arity(call, args, 1);
        var text = StringOf(call, args[0]);
        try
        {
            // An empty or blank string converts to null, as Step Functions does.
            return string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            throw Fail(call, $"The string is not JSON: {e.Message}");
        }
    }

    private static JsonArray ArrayPartition(Call call, List<JsonNode?> args)
    {
        Arity(call, args, 2);
        var array = ArrayOf(call, args[0]);
        var size = IntOf(call, args[1]);
        if (size <= 0)
        {
            throw Fail(call, "The chunk size must be greater than 0.");
        }

        return new JsonArray([.. array.Chunk((int)size).Select(chunk => (JsonNode)new JsonArray([.. chunk.Select(x => x?.DeepClone())]))]);
    }

    private static JsonArray ArrayRange(Call call, List<JsonNode?> args)
    {
        Arity(call, args, 3);
        var (start, end, step) = (IntOf(call, args[0]), IntOf(call, args[1]), IntOf(call, args[2]));
        if (step == 0)
        {
            throw Fail(call, "The step must not be 0.");
        }

        var items = new JsonArray();
        for (var value = start; step > 0 ? value <= end : value >= end; value += step)
        {
            if (items.Count == 1000)
            {
                throw Fail(call, "States.ArrayRange produces at most 1000 items.");
            }

            items.Add(value);
        }

        return items;
    }

    private static JsonNode? ArrayGetItem(Call call, List<JsonNode?> args)
    {
        Arity(call, args, 2);
        var array = ArrayOf(call, args[0]);
        var index = IntOf(call, args[1]);
        return index >= 0 && index < array.Count ? array[(int)index]?.DeepClone() : throw Fail(call, $"Index {index} is out of bounds for an array of {array.Count}.");
    }

    private static JsonArray ArrayUnique(Call call, List<JsonNode?> args)
    {
        Arity(call, args, 1);
        var unique = new List<JsonNode?>();
        foreach (var item in ArrayOf(call, args[0]))
        {
            if (!unique.Any(u => JsonNode.DeepEquals(u, item)))
            {
                unique.Add(item?.DeepClone());
            }
        }

        return new JsonArray([.. unique]);
    }

    private static JsonValue Base64Decode(Call call, List<JsonNode?> args)
    {
        Arity(call, args, 1);
        try
        {
            return JsonValue.Create(Encoding.UTF8.GetString(Convert.FromBase64String(StringOf(call, args[0]))));
        }
        catch (FormatException)
        {
            throw Fail(call, "The string is not valid base64.");
        }
    }

    private static JsonValue Hash(Call call, List<JsonNode?> args)
    {
        Arity(call, args, 2);
        var data = args[0] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : Describe(args[0]);
        var bytes = Encoding.UTF8.GetBytes(data);
        var hash = StringOf(call, args[1]) switch
        {
#pragma warning disable CA5351, CA5350 // The language defines these algorithms; they are not used for security here.
            "MD5" => MD5.HashData(bytes),
            "SHA-1" => SHA1.HashData(bytes),
#pragma warning restore CA5351, CA5350
            "SHA-256" => SHA256.HashData(bytes),
            "SHA-384" => SHA384.HashData(bytes),
            "SHA-512" => SHA512.HashData(bytes),
            var other => throw Fail(call, $"The hash algorithm '{other}' is not one of MD5, SHA-1, SHA-256, SHA-384, SHA-512."),
        };
        return JsonValue.Create(Convert.ToHexStringLower(hash));
    }

    private static JsonObject JsonMerge(Call call, List<JsonNode?> args)
    {
        Arity(call, args, 3);
        if (args[2] is not JsonValue deep || deep.GetValueKind() != JsonValueKind.False)
        {
            throw Fail(call, "States.JsonMerge supports only shallow merges: the third argument must be false.");
        }

        var merged = args[0] as JsonObject ?? throw Fail(call, "The first argument must be an object.");
        var other = args[1] as JsonObject ?? throw Fail(call, "The second argument must be an object.");
        var result = (JsonObject)merged.DeepClone();
        foreach (var (key, value) in other)
        {
            result[key] = value?.DeepClone();
        }

        return result;
    }

    private static JsonValue MathRandom(Call call, List<JsonNode?> args, Random random)
    {
        if (args.Count is not (2 or 3))
        {
            throw Fail(call, "States.MathRandom takes a start, an end and an optional seed.");
        }

        var (start, end) = (Rounded(call, args[0]), Rounded(call, args[1]));
        var generator = args.Count == 3 ? new Random(unchecked((int)Rounded(call, args[2]))) : random;
        return JsonValue.Create(generator.NextInt64(start, end));
    }

    private static JsonArray StringSplit(Call call, List<JsonNode?> args)
    {
        Arity(call, args, 2);
        var text = StringOf(call, args[0]);
        var separators = StringOf(call, args[1]).ToCharArray();
        return new JsonArray([.. text.Split(separators, StringSplitOptions.RemoveEmptyEntries).Select(s => (JsonNode)JsonValue.Create(s))]);
    }

    internal abstract record Argument;

    internal sealed record Literal(JsonNode? Value) : Argument;

    internal sealed record PathArgument(JsonPath Path) : Argument;

    internal sealed record Call(string Name, IReadOnlyList<Argument> Arguments) : Argument;

    private sealed class Parser(string text)
    {
        private int _i;

        public Call ParseCall()
        {
            SkipSpace();
            var start = _i;
            while (_i < text.Length && (char.IsLetterOrDigit(text[_i]) || text[_i] == '.'))
            {
                _i++;
            }

            var name = text[start.._i];
            Expect('(');
            var arguments = new List<Argument>();
            SkipSpace();
            if (Peek() == ')')
            {
                _i++;
                return new Call(name, arguments);
            }

            while (true)
            {
                arguments.Add(ParseArgument());
                SkipSpace();
                var c = Peek();
                _i++;
                if (c == ')')
                {
                    return new Call(name, arguments);
                }

                if (c != ',')
                {
                    throw Error($"expected ',' or ')' at position {_i - 1}");
                }
            }
        }

        public void End()
        {
            SkipSpace();
            if (_i != text.Length)
            {
                throw Error($"unexpected text after the call at position {_i}");
            }
        }

        private Argument ParseArgument()
        {
            SkipSpace();
            var c = Peek();
            if (c == '\'')
            {
                return new Literal(JsonValue.Create(ParseString()));
            }

            if (c == '$')
            {
                var start = _i;
                var depth = 0;
                while (_i < text.Length && (depth > 0 || (text[_i] != ',' && text[_i] != ')')))
                {
                    depth += text[_i] == '[' ? 1 : text[_i] == ']' ? -1 : 0;
                    _i++;
                }

                return new PathArgument(JsonPath.Parse(text[start.._i].Trim()));
            }

            if (text.AsSpan(_i).StartsWith("States.", StringComparison.Ordinal))
            {
                return ParseCall();
            }

            var begin = _i;
            while (_i < text.Length && text[_i] != ',' && text[_i] != ')')
            {
                _i++;
            }

            var token = text[begin.._i].Trim();
            return token switch
            {
                "true" => new Literal(JsonValue.Create(true)),
                "false" => new Literal(JsonValue.Create(false)),
                "null" => new Literal(null),
                _ when double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out _) => new Literal(JsonNode.Parse(token)),
                _ => throw Error($"'{token}' is not a string, number, boolean, null, path or function"),
            };
        }

        private string ParseString()
        {
            _i++;
            var value = new StringBuilder();
            while (_i < text.Length && text[_i] != '\'')
            {
                if (text[_i] == '\\' && _i + 1 < text.Length)
                {
                    _i++;
                }

                value.Append(text[_i++]);
            }

            if (_i >= text.Length)
            {
                throw Error("unterminated string");
            }

            _i++;
            return value.ToString();
        }

        private void Expect(char c)
        {
            SkipSpace();
            if (Peek() != c)
            {
                throw Error($"expected '{c}' at position {_i}");
            }

            _i++;
        }

        private char Peek() => _i < text.Length ? text[_i] : '\0';

        private void SkipSpace()
        {
            while (_i < text.Length && char.IsWhiteSpace(text[_i]))
            {
                _i++;
            }
        }

        private StatesException Error(string message) => new(AslErrors.IntrinsicFailure, $"Invalid intrinsic function expression '{text}': {message}.");
    }
}
