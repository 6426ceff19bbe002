using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;

namespace MmLock.Analyzers.Tests.Scenarios
{
    /// <summary>
    /// The reference port (<c>src/ReferenceKernelMm</c>) compiled in memory once per configuration, with that configuration's
    /// preprocessor symbols, to a metadata-only assembly: pairs compile against it, so their contracts come from metadata.
    /// </summary>
    public static class ReferencePort
    {
        public static string SourceDirectory => Path.Combine(ArchProfiles.RepoRoot, "src", "ReferenceKernelMm");

        private static readonly ConcurrentDictionary<Configuration, Lazy<CSharpCompilation>> Compilations = new();
        private static readonly ConcurrentDictionary<Configuration, Lazy<MetadataReference>> References = new();

        public static MetadataReference For(Configuration config) =>
            References.GetOrAdd(config, c => new Lazy<MetadataReference>(() => Emit(Compile(c), c))).Value;

        public static CSharpCompilation Compile(Configuration config) =>
            Compilations.GetOrAdd(config, c => new Lazy<CSharpCompilation>(() => Create(c))).Value;

        private static CSharpCompilation Create(Configuration config)
        {
            // As ReferenceKernelMm.csproj: the port keeps its attributes in metadata, where the pairs read them.
            var parse = new CSharpParseOptions(LanguageVersion.Latest, preprocessorSymbols: config.Symbols.Append("MMLOCK_ANNOTATIONS"));
            var trees = Directory.EnumerateFiles(SourceDirectory, "*.cs", SearchOption.AllDirectories)
                .Where(f => !IsBuildOutput(f)).OrderBy(f => f, StringComparer.Ordinal)
                .Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), parse, f));
            return CSharpCompilation.Create("ReferenceKernelMm", trees,
                Basic.Reference.Assemblies.Net80.References.All.Append(MetadataReference.CreateFromFile(typeof(MmLock.ContextAttribute).Assembly.Location)),
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        }

        private static bool IsBuildOutput(string file)
        {
            var rel = Path.GetRelativePath(SourceDirectory, file).Replace('\\', '/');
            return rel.StartsWith("bin/", StringComparison.Ordinal) || rel.StartsWith("obj/", StringComparison.Ordinal);
        }

        private static MetadataReference Emit(CSharpCompilation compilation, Configuration config)
        {
            using var image = new MemoryStream();
            EmitResult result = compilation.Emit(image, options: new EmitOptions(metadataOnly: true));
            if (!result.Success)
                throw new InvalidOperationException($"The port does not compile in {config}:\n" +
                    string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
            return MetadataReference.CreateFromImage(image.ToArray(), filePath: $"ReferenceKernelMm[{config}].dll");
        }
    }

    /// <summary>One build configuration: an architecture profile and the hugetlb walker-lock model (<c>upstream</c> or <c>rfc</c>).</summary>
    public sealed record Configuration(string Arch, string WalkerLock)
    {
        public const string Upstream = "upstream", Rfc = "rfc";

        /// <summary><c>arm64</c> (upstream model) or <c>arm64+rfc</c>.</summary>
        public static Configuration Parse(string name)
        {
            var parts = name.Split('+');
            return parts.Length == 1 ? new(parts[0], Upstream)
                : parts.Length == 2 && parts[1] == Rfc ? new(parts[0], Rfc)
                : throw new FormatException($"'{name}' is not a configuration (profile or profile+rfc)");
        }

        public IReadOnlyList<string> Symbols => ArchProfiles.Symbols(new Dictionary<string, string>
        {
            ["MmArch"] = Arch,
            ["MmHugetlbWalkerLock"] = WalkerLock,
        });

        public override string ToString() => WalkerLock == Upstream ? Arch : Arch + "+" + Rfc;
    }
}
