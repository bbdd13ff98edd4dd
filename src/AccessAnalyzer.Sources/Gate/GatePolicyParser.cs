using System.Text.Json;
using AccessAnalyzer.Core.Gate;
using AccessAnalyzer.Core.Input;

namespace AccessAnalyzer.Sources.Gate;

/// <summary>Reads a policy file's text. Every problem is a bad-configuration error naming the JSON path.</summary>
public static class GatePolicyParser
{
    public static GatePolicy Parse(string json, string fileName) => JsonFile.Read(json, fileName, root => Read(root, fileName));

    private static GatePolicy Read(JsonElement root, string fileName)
    {
        Expect(root, JsonValueKind.Object, "$", fileName);
        var policy = new GatePolicy();
        foreach (var property in root.EnumerateObject())
        {
            var path = "$." + property.Name;
            var value = property.Value;
            policy = property.Name switch
            {
                "$schema" or "description" => policy,
                "version" => Version(value, path, fileName, policy),
                "levels" => policy with { Levels = Strings(value, path, fileName, "level") },
                "unknownLevels" => policy with { UnknownLevels = UnknownLevelsSetting(value, path, fileName) },
                "maxExcessPerPrincipal" => policy with { MaxExcessPerPrincipal = Threshold(value, path, fileName) },
                "maxReachToCaseloadRatio" => policy with
                {
                    MaxReachToCaseloadRatio = Threshold(value, path, fileName, "minReach"),
                    RatioMinReach = OptionalLong(value, "minReach", path, fileName) ?? 0,
                },
                "maxPartnerSensitiveExcess" => policy with { MaxPartnerSensitiveExcess = Threshold(value, path, fileName) },
                "forbiddenScopes" => policy with { ForbiddenScopes = Forbidden(value, path, fileName) },
                "mfaRequiredAboveReach" => policy with { MfaRequiredAboveReach = Threshold(value, path, fileName) },
                "maxLockoutThreshold" => policy with { MaxLockoutThreshold = Threshold(value, path, fileName) },
                "noGroupCycles" => policy with { NoGroupCycles = Switch(value, path, fileName) },
                "noDanglingReferences" => policy with { NoDanglingReferences = Switch(value, path, fileName) },
                "noDormantAccountWithReach" => policy with
                {
                    NoDormantAccountWithReach = Switch(value, path, fileName, "dormantDays"),
                    DormantDays = DormantDays(value, path, fileName),
                },
                "failOnUsageFindings" => UsageRuleList(value, path, fileName, policy),
                "maxExcessIncrease" => policy with { MaxExcessIncrease = Threshold(value, path, fileName) },
                "maxExcessPerGrant" => policy with { MaxExcessPerGrant = Threshold(value, path, fileName) },
                "maxPrincipalExcessIncrease" => policy with { MaxPrincipalExcessIncrease = Threshold(value, path, fileName) },
                _ => throw Error(fileName, path, $"unknown rule '{property.Name}' (see the policy schema)"),
            };
        }

        for (var i = 0; i < policy.ForbiddenScopes.Count; i++)
        {
            if (!policy.Levels.Contains(policy.ForbiddenScopes[i].MaxLevel, StringComparer.OrdinalIgnoreCase))
            {
                throw Error(fileName, $"$.forbiddenScopes[{i}].maxLevel",
                    $"'{policy.ForbiddenScopes[i].MaxLevel}' is not one of the levels ({string.Join(", ", policy.Levels)})");
            }
        }

        return policy;
    }

    private static GatePolicy UsageRuleList(JsonElement value, string path, string file, GatePolicy policy)
    {
        var known = Core.Usage.UsageRules.Catalog.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var ids = Strings(value, path, file, "usage rule id");
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            if (!known.Contains(id))
            {
                throw Error(file, $"{path}[{i}]", $"'{id}' is not a usage rule ({string.Join(", ", known.Order(StringComparer.Ordinal))})");
            }
        }

        return policy with { FailOnUsageFindings = ids };
    }

    private static GatePolicy Version(JsonElement value, string path, string file, GatePolicy policy) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var v) && v == 1
            ? policy
            : throw Error(file, path, $"unsupported policy version {value.GetRawText()} (expected 1)");

    /// <summary><c>{ "threshold": N, "level": "error"|"warning" }</c>, or a bare number.</summary>
    private static ThresholdRule Threshold(JsonElement value, string path, string file, params string[] extra)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            return new ThresholdRule(true, NonNegative(value, path, file), GateLevel.Error);
        }

        Expect(value, JsonValueKind.Object, path, file);
        long? threshold = null;
        var level = Settings(value, path, file, (setting, settingPath) =>
        {
            if (setting.Name == "threshold")
            {
                threshold = NonNegative(setting.Value, settingPath, file);
                return true;
            }

            return extra.Contains(setting.Name);
        });

        return threshold is { } t ? new ThresholdRule(true, t, level) : throw Error(file, path, "missing 'threshold'");
    }

    /// <summary><c>true</c> (error), <c>false</c> (off), or <c>{ "level": ... }</c>.</summary>
    private static GateLevel? Switch(JsonElement value, string path, string file, params string[] extra)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.True:
                return GateLevel.Error;
            case JsonValueKind.False:
                return null;
            case JsonValueKind.Object:
                return Settings(value, path, file, (setting, _) => extra.Contains(setting.Name));
            default:
                throw Error(file, path, "expected true, false or an object");
        }
    }

    /// <summary>
    /// Reads the settings of a rule object in order and returns its level. Every rule takes <c>level</c> (error when
    /// absent) and a <c>description</c> left for people; <paramref name="readSetting"/> reads the rule's own settings,
    /// given each one with its JSON path, and returns false for a name the rule does not take, which is an error.
    /// </summary>
    private static GateLevel Settings(JsonElement rule, string path, string file, Func<JsonProperty, string, bool> readSetting)
    {
        var level = GateLevel.Error;
        foreach (var setting in rule.EnumerateObject())
        {
            var settingPath = $"{path}.{setting.Name}";
            if (setting.Name == "level")
            {
                level = Level(setting.Value, settingPath, file);
            }
            else if (setting.Name != "description" && !readSetting(setting, settingPath))
            {
                throw Error(file, settingPath, $"unknown setting '{setting.Name}'");
            }
        }

        return level;
    }

    private static List<ForbiddenScope> Forbidden(JsonElement value, string path, string file)
    {
        Expect(value, JsonValueKind.Array, path, file);
        var list = new List<ForbiddenScope>();
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            var itemPath = $"{path}[{i++}]";
            Expect(item, JsonValueKind.Object, itemPath, file);
            PrincipalKind? kind = null;
            string? organization = null, maxLevel = null;
            var level = Settings(item, itemPath, file, (setting, settingPath) =>
            {
                switch (setting.Name)
                {
                    case "principalKind":
                        kind = CanonicalValues.TryParsePrincipalKind(setting.Value.ValueKind == JsonValueKind.String ? setting.Value.GetString() : null, out var k)
                            ? k
                            : throw Error(file, settingPath, "expected staff, partner or service");
                        return true;
                    case "organization":
                        organization = String(setting.Value, settingPath, file);
                        return true;
                    case "maxLevel":
                        maxLevel = String(setting.Value, settingPath, file);
                        return true;
                    default:
                        return false;
                }
            });

            if (maxLevel is null)
            {
                throw Error(file, itemPath, "missing 'maxLevel'");
            }

            if (kind is null && organization is null)
            {
                throw Error(file, itemPath, "needs 'principalKind' or 'organization'");
            }

            list.Add(new ForbiddenScope(kind, organization, maxLevel, level));
        }

        return list;
    }

    private static UnknownLevels UnknownLevelsSetting(JsonElement value, string path, string file) =>
        OneOf(value, path, file, ("error", UnknownLevels.Error), ("highest", UnknownLevels.Highest));

    private static GateLevel Level(JsonElement value, string path, string file) =>
        OneOf(value, path, file, ("error", GateLevel.Error), ("warning", GateLevel.Warning));

    /// <summary>A setting spelled as one of a few words (exact case), each standing for a value; the error lists the words.</summary>
    private static T OneOf<T>(JsonElement value, string path, string file, params (string Word, T Value)[] choices)
    {
        var word = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        foreach (var choice in choices)
        {
            if (string.Equals(word, choice.Word, StringComparison.Ordinal))
            {
                return choice.Value;
            }
        }

        throw Error(file, path, "expected " + string.Join(" or ", choices.Select(c => $"\"{c.Word}\"")));
    }

    private static long NonNegative(JsonElement value, string path, string file) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) && n >= 0
            ? n
            : throw Error(file, path, $"expected a whole number ≥ 0, found {value.GetRawText()}");

    private static long? OptionalLong(JsonElement value, string name, string path, string file) =>
        value.ValueKind == JsonValueKind.Object && value.TryGetProperty(name, out var v) ? NonNegative(v, $"{path}.{name}", file) : null;

    private static string String(JsonElement value, string path, string file) =>
        value.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(value.GetString())
            ? value.GetString()!
            : throw Error(file, path, "expected a non-empty string");

    private static List<string> Strings(JsonElement value, string path, string file, string what)
    {
        Expect(value, JsonValueKind.Array, path, file);
        var list = value.EnumerateArray().Select((v, i) => String(v, $"{path}[{i}]", file)).ToList();
        return list.Count > 0 ? list : throw Error(file, path, $"expected at least one {what}");
    }

    /// <summary>The dormancy period of <c>noDormantAccountWithReach</c>: 90 days unless given, at most a hundred years.</summary>
    private static int DormantDays(JsonElement value, string path, string file)
    {
        var days = value.ValueKind == JsonValueKind.Object ? OptionalLong(value, "dormantDays", path, file) ?? 90 : 90;
        return days <= MaxDays ? (int)days : throw Error(file, path + ".dormantDays", $"expected at most {MaxDays:N0} days (100 years), found {days}");
    }

    private const int MaxDays = 36_500;

    private static void Expect(JsonElement value, JsonValueKind kind, string path, string file)
    {
        if (value.ValueKind != kind)
        {
            throw Error(file, path, $"expected {kind.ToString().ToLowerInvariant()}, found {value.ValueKind.ToString().ToLowerInvariant()}");
        }
    }

    private static InputErrorException Error(string file, string path, string message) => new(file, null, path, message);
}
