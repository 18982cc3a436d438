using System.Buffers.Text;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace BatchOps.Aws.Runtime;

/// <summary>The JSON settings of the awsJson and restJson protocols.</summary>
public static class AwsJson
{
    /// <summary>
    /// Member names come from [JsonPropertyName] on the generated records; nulls are omitted; timestamps are
    /// epoch seconds unless a member says otherwise; NaN and Infinity travel as strings, as the protocols say.
    /// </summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // never rendered as HTML; keeps bodies readable
            RespectNullableAnnotations = false,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { RemoveHttpBoundMembers } },
        };
        options.Converters.Add(new EpochSecondsTimestampConverter());
        options.Converters.Add(new DenseCollectionConverterFactory());
        options.MakeReadOnly();
        return options;
    }

    private static void RemoveHttpBoundMembers(JsonTypeInfo typeInfo)
    {
        if (typeInfo.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        for (var i = typeInfo.Properties.Count - 1; i >= 0; i--)
        {
            if (typeInfo.Properties[i].AttributeProvider?.IsDefined(typeof(AwsHttpBindingAttribute), inherit: false) == true)
            {
                typeInfo.Properties.RemoveAt(i);
            }
        }
    }
}

/// <summary>Formats and parses the three timestamp formats of the AWS protocols.</summary>
public static class AwsTimestamp
{
    public static string ToIso8601(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        return utc.Millisecond == 0 && utc.Ticks % TimeSpan.TicksPerMillisecond == 0
            ? utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : utc.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'", CultureInfo.InvariantCulture);
    }

    public static string ToHttpDate(DateTimeOffset value) => value.ToUniversalTime().ToString("r", CultureInfo.InvariantCulture);

    /// <summary>Epoch seconds with millisecond precision, without a fraction when there is none.</summary>
    public static decimal ToEpochSeconds(DateTimeOffset value) => value.ToUnixTimeMilliseconds() / 1000m;

    public static string ToEpochSecondsString(DateTimeOffset value) => ToEpochSeconds(value).ToString(CultureInfo.InvariantCulture);

    public static DateTimeOffset FromEpochSeconds(double seconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000d, MidpointRounding.AwayFromZero));

    /// <summary>Reads any of the three formats: epoch seconds, ISO 8601 (with offsets), or HTTP date.</summary>
    public static DateTimeOffset Parse(string text)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return FromEpochSeconds(seconds);
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            return parsed;
        }

        throw new FormatException($"'{text}' is not an AWS timestamp (epoch seconds, ISO 8601 or HTTP date).");
    }

    internal static DateTimeOffset Read(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Number => FromEpochSeconds(reader.GetDouble()),
        JsonTokenType.String => Parse(reader.GetString()!),
        _ => throw new JsonException($"Expected a timestamp, found {reader.TokenType}."),
    };
}

/// <summary>The protocols' default body timestamp: epoch seconds as a JSON number.</summary>
public sealed class EpochSecondsTimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => AwsTimestamp.Read(ref reader);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        Span<byte> buffer = stackalloc byte[32];
        var seconds = AwsTimestamp.ToEpochSeconds(value);
        if (Utf8Formatter.TryFormat(seconds, buffer, out var written))
        {
            writer.WriteRawValue(buffer[..written], skipInputValidation: true);
        }
        else
        {
            writer.WriteNumberValue(seconds);
        }
    }
}

/// <summary>A member with timestampFormat iso8601.</summary>
public sealed class Iso8601TimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => AwsTimestamp.Read(ref reader);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(AwsTimestamp.ToIso8601(value));
}

/// <summary>A member with timestampFormat rfc822 (HTTP date).</summary>
public sealed class HttpDateTimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => AwsTimestamp.Read(ref reader);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(AwsTimestamp.ToHttpDate(value));
}

public enum TimestampFormat
{
    EpochSeconds,
    Iso8601,
    HttpDate,
}

/// <summary>
/// Lists and maps in the AWS models are dense: a null entry in a response is dropped rather than kept,
/// as the AWS SDKs do, so callers never see null elements.
/// </summary>
public sealed class DenseCollectionConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType
        && (typeToConvert.GetGenericTypeDefinition() == typeof(List<>)
            || (typeToConvert.GetGenericTypeDefinition() == typeof(Dictionary<,>) && typeToConvert.GetGenericArguments()[0] == typeof(string)));

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options)
    {
        var args = typeToConvert.GetGenericArguments();
        var converter = typeToConvert.GetGenericTypeDefinition() == typeof(List<>)
            ? typeof(DenseListConverter<>).MakeGenericType(args[0])
            : typeof(DenseMapConverter<>).MakeGenericType(args[1]);
        return (JsonConverter)Activator.CreateInstance(converter)!;
    }

    private sealed class DenseListConverter<T> : JsonConverter<List<T>>
    {
        public override List<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw new JsonException($"Expected a list, found {reader.TokenType}.");
            }

            var list = new List<T>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                list.Add(JsonSerializer.Deserialize<T>(ref reader, options)!);
            }

            return list;
        }

        public override void Write(Utf8JsonWriter writer, List<T> value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (var item in value)
            {
                JsonSerializer.Serialize(writer, item, options);
            }

            writer.WriteEndArray();
        }
    }

    private sealed class DenseMapConverter<T> : JsonConverter<Dictionary<string, T>>
    {
        public override Dictionary<string, T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException($"Expected a map, found {reader.TokenType}.");
            }

            var map = new Dictionary<string, T>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var key = reader.GetString()!;
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                map[key] = JsonSerializer.Deserialize<T>(ref reader, options)!;
            }

            return map;
        }

        public override void Write(Utf8JsonWriter writer, Dictionary<string, T> value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            foreach (var (key, item) in value)
            {
                writer.WritePropertyName(key);
                JsonSerializer.Serialize(writer, item, options);
            }

            writer.WriteEndObject();
        }
    }
}
