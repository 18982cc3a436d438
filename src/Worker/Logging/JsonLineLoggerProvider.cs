using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace BatchOps.Worker.Logging;

/// <summary>
/// One JSON object per line on stdout, written and flushed synchronously so nothing is lost when the
/// process exits right after (SIGTERM, fatal errors). CloudWatch Logs Insights parses the fields.
/// </summary>
public sealed class JsonLineLoggerProvider(Stream output, TimeProvider time, IReadOnlyDictionary<string, string> context, LogLevel minimum) : ILoggerProvider
{
    // Log lines are read by people and Logs Insights, never embedded in HTML: keep '+', quotes and non-ASCII readable.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Lock _gate = new();

    public ILogger CreateLogger(string categoryName) => new JsonLineLogger(this, categoryName);

    public void Dispose()
    {
        lock (_gate)
        {
            output.Flush();
        }
    }

    private void Write<TState>(string category, LogLevel level, EventId eventId, TState state, Exception? exception, string message)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("timestamp", time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("level", level.ToString());
            json.WriteString("message", message);
            json.WriteString("category", category);
            foreach (var (key, value) in context)
            {
                json.WriteString(key, value);
            }

            if (eventId.Id != 0)
            {
                json.WriteNumber("eventId", eventId.Id);
            }

            if (state is IReadOnlyList<KeyValuePair<string, object?>> properties)
            {
                foreach (var (key, value) in properties)
                {
                    var name = JsonNamingPolicy.CamelCase.ConvertName(key);
                    if (key == "{OriginalFormat}" || context.ContainsKey(name))
                    {
                        continue;
                    }

                    json.WritePropertyName(name);
                    WriteValue(json, value);
                }
            }

            if (exception is not null)
            {
                json.WriteString("exception", exception.ToString());
            }

            json.WriteEndObject();
        }

        lock (_gate)
        {
            output.Write(buffer.WrittenSpan);
            output.WriteByte((byte)'\n');
            output.Flush();
        }
    }

    private static void WriteValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null: json.WriteNullValue(); break;
            case bool b: json.WriteBooleanValue(b); break;
            case int or long or short or byte: json.WriteNumberValue(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)); break;
            case double d when double.IsFinite(d): json.WriteNumberValue(d); break;
            case float f when float.IsFinite(f): json.WriteNumberValue(f); break;
            case decimal m: json.WriteNumberValue(m); break;
            case DateTimeOffset t: json.WriteStringValue(t); break;
            case DateTime t: json.WriteStringValue(t); break;
            default: json.WriteStringValue(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)); break;
        }
    }

    private sealed class JsonLineLogger(JsonLineLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= provider._minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(category, logLevel, eventId, state, exception, formatter(state, exception));
            }
        }
    }

    private readonly LogLevel _minimum = minimum;
}
