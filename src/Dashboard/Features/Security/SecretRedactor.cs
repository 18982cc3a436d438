using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using BatchOps.Aws.StepFunctions;
using Microsoft.Extensions.Options;

namespace BatchOps.Dashboard.Features.Security;

/// <summary>The <c>Redaction</c> section: which names mark a value as secret.</summary>
public sealed class RedactionOptions : IValidatableObject
{
    public const string SectionName = "Redaction";

    public static readonly IReadOnlyList<string> DefaultSecretNames = ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "KEY", "CREDENTIAL", "PRIVATE", "AUTH", "COOKIE", "SESSION"];

    /// <summary>
    /// A name containing any of these (case and <c>_ - .</c> ignored) is secret: an environment variable
    /// (<c>{"name": "DB_PASSWORD", "value": …}</c>) or a JSON member (<c>"apiKey": …</c>, <c>"TaskToken": …</c>).
    /// Set, it replaces <see cref="DefaultSecretNames"/> (a list bound from configuration would otherwise add to them).
    /// </summary>
    public List<string>? SecretNames { get; set; }

    public IReadOnlyList<string> EffectiveSecretNames => SecretNames is { Count: > 0 } names ? names : DefaultSecretNames;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // A part with no letter or digit would match nothing (separators are ignored), silently redacting less.
        foreach (var name in SecretNames ?? [])
        {
            if (!name.Any(char.IsLetterOrDigit))
            {
                yield return new ValidationResult($"Redaction:SecretNames has \"{name}\", which has no letter or digit to match.", [nameof(SecretNames)]);
            }
        }
    }
}

/// <summary>
/// Takes secrets out of what the dashboard copies from AWS before it is stored or shown: values of secret-looking
/// environment variables and members (task tokens among them), also inside JSON carried as text (a task's
/// parameters, an ECS task description in a cause). The originals stay in AWS, which re-run and redrive read.
/// </summary>
public sealed class SecretRedactor(IOptions<RedactionOptions> options)
{
    /// <summary>What a secret value is replaced with; the pages explain it where they show it.</summary>
    public const string Marker = "[redacted]";

    private readonly string[] _parts = [.. options.Value.EffectiveSecretNames.Select(Normalize).Where(p => p.Length > 0).Distinct(StringComparer.Ordinal)];

    public bool IsSecretName(string name) => Normalize(name) is var n && _parts.Any(p => n.Contains(p, StringComparison.Ordinal));

    /// <summary>The text with its secrets replaced when it is JSON (or holds JSON in its strings); other text as it is.</summary>
    public string? Redact(string? text)
    {
        if (!LooksLikeJson(text))
        {
            return text;
        }

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text!);
        }
        catch (JsonException)
        {
            return text;
        }

        return Redact(root) ? root!.ToJsonString() : text;
    }

    /// <summary>The events with their secrets replaced (each event's inputs, outputs, parameters and causes), one event at a time.</summary>
    public List<HistoryEvent> Redact(IEnumerable<HistoryEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var redacted = new List<HistoryEvent>();
        foreach (var e in events)
        {
            // Typed: only text is replaced (a secret-looking member holding an object or a number keeps its shape, and
            // the text inside it is looked at), so the event reads back as the same type.
            var node = JsonSerializer.SerializeToNode(e);
            redacted.Add(Walk(node, found: null, typed: true) ? node.Deserialize<HistoryEvent>()! : e);
        }

        return redacted;
    }

    /// <summary>Replaces the secrets in <paramref name="node"/> in place; true when it changed anything.</summary>
    public bool Redact(JsonNode? node) => Walk(node, found: null, typed: false);

    /// <summary>
    /// The names whose values <paramref name="json"/> carries in clear (not <see cref="Marker"/>): what an operator may
    /// not type into a start or re-run, since the dashboard would store it. Empty for text that is not JSON.
    /// </summary>
    public IReadOnlyList<string> SecretsIn(string? json)
    {
        var found = new List<string>();
        if (LooksLikeJson(json))
        {
            try
            {
                Walk(JsonNode.Parse(json!), found, typed: false);
            }
            catch (JsonException)
            {
                // Not JSON after all: nothing to find (the input's own validation reports it).
            }
        }

        return found;
    }

    /// <summary>
    /// <paramref name="redacted"/> with each <see cref="Marker"/> put back from <paramref name="original"/> (an environment
    /// entry matched by name, a member by its path); null when a marker has no counterpart there.
    /// </summary>
    public static string? Restore(string redacted, string original)
    {
        ArgumentNullException.ThrowIfNull(redacted);
        ArgumentNullException.ThrowIfNull(original);
        if (!redacted.Contains(Marker, StringComparison.Ordinal))
        {
            return redacted;
        }

        var target = JsonNode.Parse(redacted);
        return Put(target, JsonNode.Parse(original)) ? target!.ToJsonString() : null;

        static bool Put(JsonNode? node, JsonNode? from)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var key in o.Select(p => p.Key).ToList())
                    {
                        var counterpart = from is JsonObject f && Member(f, key) is (_, var value) ? value : null;
                        if (o[key] is { } child && IsMarker(child))
                        {
                            if (counterpart is null || IsMarker(counterpart))
                            {
                                return false;
                            }

                            o[key] = counterpart.DeepClone();
                        }
                        else if (!Put(o[key], counterpart))
                        {
                            return false;
                        }
                    }

                    return true;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++)
                    {
                        // Environment entries by name (a re-run may reorder or add them), anything else by position.
                        var counterpart = from is not JsonArray f ? null
                            : a[i] is JsonObject entry && Member(entry, "name") is (_, JsonValue n) && n.TryGetValue<string>(out var name)
                                ? f.OfType<JsonObject>().FirstOrDefault(c => Member(c, "name") is (_, JsonValue cn) && cn.TryGetValue<string>(out var other) && other == name)
                                : i < f.Count ? f[i] : null;
                        if (!Put(a[i], counterpart))
                        {
                            return false;
                        }
                    }

                    return true;
                default:
                    return node is null || !IsMarker(node);
            }
        }
    }

    // Replaces secret values with the marker, or (with found) only lists the names of those not already replaced.
    private bool Walk(JsonNode? node, List<string>? found, bool typed)
    {
        switch (node)
        {
            case JsonObject o:
                var changed = false;
                // An environment entry, as ECS overrides and the workflow input write it: {"name": "X", "value": "…"}.
                if (Member(o, "name") is (_, JsonValue nameValue) && nameValue.TryGetValue<string>(out var name) && IsSecretName(name)
                    && Member(o, "value") is ({ } valueKey, { } value) && !IsMarker(value))
                {
                    changed |= Found(o, valueKey, name, found);
                }

                foreach (var key in o.Select(p => p.Key).ToList())
                {
                    var child = o[key];
                    if (child is null || IsMarker(child))
                    {
                        continue;
                    }

                    if (IsSecretName(key) && (!typed || (child is JsonValue leaf && leaf.GetValueKind() == JsonValueKind.String)))
                    {
                        changed |= Found(o, key, key, found);
                    }
                    else if (child is JsonValue text && text.TryGetValue<string>(out var s) && LooksLikeJson(s))
                    {
                        if (found is null)
                        {
                            if (Redact(s) is { } redacted && !ReferenceEquals(redacted, s))
                            {
                                o[key] = redacted;
                                changed = true;
                            }
                        }
                        else
                        {
                            found.AddRange(SecretsIn(s));
                        }
                    }
                    else
                    {
                        changed |= Walk(child, found, typed);
                    }
                }

                return changed;
            case JsonArray a:
                var any = false;
                for (var i = 0; i < a.Count; i++)
                {
                    if (found is null && a[i] is JsonValue text && text.TryGetValue<string>(out var s) && Redact(s) is { } redacted && !ReferenceEquals(redacted, s))
                    {
                        a[i] = redacted;
                        any = true;
                    }
                    else
                    {
                        any |= Walk(a[i], found, typed);
                    }
                }

                return any;
            default:
                return false;
        }
    }

    private static bool Found(JsonObject o, string key, string name, List<string>? found)
    {
        if (found is not null)
        {
            found.Add(name);
            return false;
        }

        o[key] = Marker;
        return true;
    }

    private static (string Key, JsonNode? Value)? Member(JsonObject o, string name)
    {
        foreach (var (key, value) in o)
        {
            if (key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return (key, value);
            }
        }

        return null;
    }

    private static bool IsMarker(JsonNode node) => node is JsonValue v && v.TryGetValue<string>(out var s) && s == Marker;

    private static bool LooksLikeJson(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var first = text.AsSpan().TrimStart();
        return first.Length > 1 && first[0] is '{' or '[';
    }

    private static string Normalize(string name) => string.Concat(name.Where(char.IsLetterOrDigit)).ToUpperInvariant();
}
