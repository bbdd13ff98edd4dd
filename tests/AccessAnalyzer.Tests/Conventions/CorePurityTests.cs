using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using AccessAnalyzer.Core.Engine;

namespace AccessAnalyzer.Tests.Conventions;

/// <summary>
/// Core reads as the semantics: no file or network I/O, no JSON, no console, no environment, no threads. Checked on
/// the compiled assembly's metadata (every type and member it references), so no code path can slip past it.
/// </summary>
public sealed class CorePurityTests
{
    /// <summary>Namespaces (and types) Core must never reference, with why.</summary>
    private static readonly (string Prefix, string Why)[] Forbidden =
    [
        ("System.IO.", "I/O belongs to sources and sinks"),
        ("System.Net.", "I/O belongs to sources and sinks"),
        ("System.Text.Json", "JSON is read and written by adapters"),
        ("System.Console", "the console is the CLI's"),
        ("System.Environment", "the environment is the CLI's"),
        ("System.Threading.Tasks.", "parallelism is injected (IWorkScheduler)"),
        ("System.Threading.Thread", "parallelism is injected (IWorkScheduler)"),
        ("System.Threading.ThreadPool", "parallelism is injected (IWorkScheduler)"),
        ("System.Collections.Concurrent.", "parallelism is injected (IWorkScheduler)"),
        ("System.Diagnostics.Process", "Core starts nothing"),
        ("System.Data.", "databases are the sources'"),
    ];

    /// <summary>What the compiler itself emits: iterators (<c>yield return</c>) ask for the current thread's id.</summary>
    private static readonly string[] CompilerGenerated = ["System.Environment::get_CurrentManagedThreadId"];

    [Fact]
    public void Should_reference_no_io_json_console_environment_or_threads()
    {
        var references = ReferencedNames(typeof(Analysis).Assembly);
        references.Should().Contain("System.Collections.Immutable.ImmutableArray`1", "the metadata reader must see Core's references at all");

        var offending = references
            .Where(name => !CompilerGenerated.Contains(name, StringComparer.Ordinal))
            .Where(name => !IsOnlyCompilerGenerated(name, references))
            .SelectMany(name => Forbidden.Where(f => name.StartsWith(f.Prefix, StringComparison.Ordinal)).Select(f => $"{name} ({f.Why})"))
            .Order(StringComparer.Ordinal)
            .ToList();
        offending.Should().BeEmpty("Core must stay pure");
    }

    [Fact]
    public void Should_have_no_package_or_project_dependency()
    {
        var referenced = typeof(Analysis).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        referenced.Should().OnlyContain(name => name.StartsWith("System.", StringComparison.Ordinal) || name == "System" || name == "netstandard",
            "Core depends on the framework only");
    }

    /// <summary>A type reference is allowed when every member Core uses of it is one the compiler generates.</summary>
    private static bool IsOnlyCompilerGenerated(string name, HashSet<string> references)
    {
        if (name.Contains("::", StringComparison.Ordinal))
        {
            return false;
        }

        var members = references.Where(r => r.StartsWith(name + "::", StringComparison.Ordinal)).ToList();
        return members.Count > 0 && members.All(m => CompilerGenerated.Contains(m, StringComparer.Ordinal));
    }

    /// <summary>Full names of every type Core refers to in another assembly, and of every member (<c>Type::Member</c>) it uses.</summary>
    private static HashSet<string> ReferencedNames(Assembly assembly)
    {
        using var stream = File.OpenRead(assembly.Location);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var handle in metadata.TypeReferences)
        {
            names.Add(FullName(metadata, handle));
        }

        foreach (var handle in metadata.MemberReferences)
        {
            var member = metadata.GetMemberReference(handle);
            if (member.Parent.Kind == HandleKind.TypeReference)
            {
                names.Add(FullName(metadata, (TypeReferenceHandle)member.Parent) + "::" + metadata.GetString(member.Name));
            }
        }

        return names;
    }

    private static string FullName(MetadataReader metadata, TypeReferenceHandle handle)
    {
        var type = metadata.GetTypeReference(handle);
        var name = metadata.GetString(type.Name);
        if (type.ResolutionScope.Kind == HandleKind.TypeReference)
        {
            return FullName(metadata, (TypeReferenceHandle)type.ResolutionScope) + "+" + name;
        }

        var ns = metadata.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }
}
