using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace MmLock.Bench
{
    /// <summary>A parsed corpus and the analyzers to run on it; every run builds a fresh compilation so no binding is cached.</summary>
    public sealed class Workload
    {
        public ImmutableArray<SyntaxTree> Trees { get; }

        public Workload(IEnumerable<(string Name, string Text)> files)
        {
            var options = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);
            Trees = files.Select(f => CSharpSyntaxTree.ParseText(f.Text, options, path: f.Name)).ToImmutableArray();
        }

        public int Lines => Trees.Sum(t => t.GetText().Lines.Count);

        public static ImmutableArray<MetadataReference> References { get; } = Basic.Reference.Assemblies.Net80.References.All.Cast<MetadataReference>()
            .Append(MetadataReference.CreateFromFile(typeof(MmLock.ContextAttribute).Assembly.Location))
            .ToImmutableArray();

        public CSharpCompilation NewCompilation() => CSharpCompilation.Create("Corpus", Trees, References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        public CompilationWithAnalyzers WithAnalyzers(ImmutableArray<DiagnosticAnalyzer> analyzers, bool telemetry = false) =>
            NewCompilation().WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), onAnalyzerException: null,
                concurrentAnalysis: false, logAnalyzerExecutionTime: telemetry, reportSuppressedDiagnostics: false));

        public static ImmutableArray<DiagnosticAnalyzer> MmLock { get; } = ImmutableArray.Create<DiagnosticAnalyzer>(new MmLock.Analyzers.MmLockAnalyzer());

        /// <summary>The C# analyzers of a peer package, from the folder the build recorded (AssemblyMetadata "Peer...").</summary>
        public static ImmutableArray<DiagnosticAnalyzer> Peer(string key)
        {
            var folder = typeof(Workload).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
            var loader = new FolderLoader(folder);
            return Directory.GetFiles(folder, "*.dll")
                .Where(p => !p.Contains("CodeFix", StringComparison.OrdinalIgnoreCase) && !p.Contains("Workspaces", StringComparison.OrdinalIgnoreCase))
                .SelectMany(p => new AnalyzerFileReference(p, loader).GetAnalyzers(LanguageNames.CSharp))
                .ToImmutableArray();
        }

        public static readonly string[] Peers = { "PeerVsThreading", "PeerMeziantou", "PeerRoslynator" };

        private sealed class FolderLoader : IAnalyzerAssemblyLoader
        {
            // Dependencies of a peer's analyzers are resolved from its own folder (one handler per folder).
            public FolderLoader(string folder) => AppDomain.CurrentDomain.AssemblyResolve += (_, e) =>
            {
                var candidate = Path.Combine(folder, new AssemblyName(e.Name).Name + ".dll");
                return File.Exists(candidate) ? Assembly.LoadFrom(candidate) : null;
            };
            public void AddDependencyLocation(string fullPath) { }
            public Assembly LoadFromPath(string fullPath) => Assembly.LoadFrom(fullPath);
        }

        public int RunToCompletion(ImmutableArray<DiagnosticAnalyzer> analyzers) =>
            WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult().Length;

        /// <summary>What the IDE does while one file is edited: semantic diagnostics of that document only.</summary>
        public int RunOneDocument(ImmutableArray<DiagnosticAnalyzer> analyzers, int index)
        {
            var withAnalyzers = WithAnalyzers(analyzers);
            var tree = withAnalyzers.Compilation.SyntaxTrees.ElementAt(index);
            var model = withAnalyzers.Compilation.GetSemanticModel(tree);
            return withAnalyzers.GetAnalyzerSemanticDiagnosticsAsync(model, null, CancellationToken.None).GetAwaiter().GetResult().Length;
        }
    }
}
