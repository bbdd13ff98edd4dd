namespace AccessAnalyzer.Core.Input;

/// <summary>
/// The one spelling table of every closed set in the canonical input: what a source may write (any case) and what
/// every output prints (lower case). Parsing and printing read the same table, so they cannot drift apart.
/// </summary>
public static class Spellings
{
    private static readonly (PrincipalKind Value, string Text)[] PrincipalKinds =
        [(PrincipalKind.Staff, "staff"), (PrincipalKind.Partner, "partner"), (PrincipalKind.Service, "service")];

    private static readonly (MemberType Value, string Text)[] MemberTypes =
        [(MemberType.Principal, "principal"), (MemberType.Group, "group")];

    private static readonly (HolderType Value, string Text)[] HolderTypes =
        [(HolderType.Principal, "principal"), (HolderType.Group, "group")];

    private static readonly (AssignmentScope Value, string Text)[] Scopes =
        [(AssignmentScope.Unit, "unit"), (AssignmentScope.Caseload, "caseload")];

    private static readonly (JustificationSubject Value, string Text)[] JustificationSubjects =
        [(JustificationSubject.Role, "role"), (JustificationSubject.Assignment, "assignment"), (JustificationSubject.Principal, "principal")];

    public static string Of(PrincipalKind kind) => Text(PrincipalKinds, kind);

    public static string Of(MemberType type) => Text(MemberTypes, type);

    public static string Of(HolderType type) => Text(HolderTypes, type);

    public static string Of(AssignmentScope scope) => Text(Scopes, scope);

    public static string Of(JustificationSubject subject) => Text(JustificationSubjects, subject);

    public static bool TryParse(string? text, out PrincipalKind kind) => TryParse(PrincipalKinds, text, out kind);

    public static bool TryParse(string? text, out MemberType type) => TryParse(MemberTypes, text, out type);

    public static bool TryParse(string? text, out HolderType type) => TryParse(HolderTypes, text, out type);

    public static bool TryParse(string? text, out AssignmentScope scope) => TryParse(Scopes, text, out scope);

    public static bool TryParse(string? text, out JustificationSubject subject) => TryParse(JustificationSubjects, text, out subject);

    private static string Text<T>((T Value, string Text)[] table, T value)
        where T : struct, Enum
    {
        foreach (var (v, text) in table)
        {
            if (EqualityComparer<T>.Default.Equals(v, value))
            {
                return text;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(value), value, null);
    }

    /// <summary>Any case, surrounding white space ignored, as every source has always accepted.</summary>
    private static bool TryParse<T>((T Value, string Text)[] table, string? text, out T value)
        where T : struct, Enum
    {
        var t = text.AsSpan().Trim();
        foreach (var (v, spelling) in table)
        {
            if (t.Equals(spelling, StringComparison.OrdinalIgnoreCase))
            {
                value = v;
                return true;
            }
        }

        value = default;
        return false;
    }
}

/// <summary>File classes: the four combinations of <see cref="FileClass.Sensitive"/> and <see cref="FileClass.Closed"/>.</summary>
public static class FileClasses
{
    /// <summary>How many classes there are; per-unit counts are laid out <c>unit * Count + (int)class</c>.</summary>
    public const int Count = 4;
}
