using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace MmLock.Compat
{
    /// <summary>
    /// One check run by both builds of the analyzers: the C# files of <see cref="SourceDirs"/> compiled with
    /// <see cref="Symbols"/>, against a library compiled first from <see cref="LibraryDirs"/> (its attributes kept) and
    /// referenced as metadata. <see cref="Fix"/> names a diagnostic ID whose first offered fix is applied and printed.
    /// </summary>
    public sealed record SampleJob(string Name, string[] LibraryDirs, string[] SourceDirs, string[] Symbols, string? Fix = null)
    {
        public string ToLine() => string.Join("|", Name, string.Join(";", LibraryDirs), string.Join(";", SourceDirs), string.Join(";", Symbols), Fix ?? "");

        public static SampleJob Parse(string line)
        {
            var f = line.Split('|');
            string[] List(string s) => s.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries);
            return new SampleJob(f[0], List(f[1]), List(f[2]), List(f[3]), f[4].Length == 0 ? null : f[4]);
        }
    }

    /// <summary>
    /// The same analysis, in whichever Microsoft.CodeAnalysis the process loaded: the compat runner (4.8, with the
    /// roslyn4.8 build) and the test project (4.14, with the current build) both call it, and the test compares the lines.
    /// </summary>
    public static class SampleDiagnostics
    {
        private const string KeepAnnotations = "MMLOCK_ANNOTATIONS";

        /// <summary>Sorted lines "path(line,col): ID: message", paths relative to <paramref name="repoRoot"/>; then the fix, if asked.</summary>
        public static async Task<IReadOnlyList<string>> RunAsync(SampleJob job, string repoRoot,
            ImmutableArray<DiagnosticAnalyzer> analyzers, ImmutableArray<CodeFixProvider> fixes)
        {
            var references = PlatformReferences().Append(MetadataReference.CreateFromFile(typeof(MmLock.ContextAttribute).Assembly.Location)).ToList();
            if (job.LibraryDirs.Length > 0)
            {
                var library = Compile("Library", Trees(repoRoot, job.LibraryDirs, job.Symbols.Append(KeepAnnotations)), references);
                using var image = new MemoryStream();
                var emitted = library.Emit(image);
                if (!emitted.Success) throw new InvalidOperationException($"{job.Name}: the library does not compile: {string.Join("; ", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error))}");
                references.Add(MetadataReference.CreateFromImage(image.ToArray()));
            }
            var compilation = Compile("Sample", Trees(repoRoot, job.SourceDirs, job.Symbols), references);
            var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            if (errors.Count > 0) throw new InvalidOperationException($"{job.Name}: does not compile: {string.Join("; ", errors.Take(5))}");

            var diagnostics = await compilation.WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync().ConfigureAwait(false);
            var lines = diagnostics.Select(d => Format(d, repoRoot)).OrderBy(l => l, StringComparer.Ordinal).ToList();
            if (job.Fix is string id)
                lines.AddRange(await FirstFixAsync(compilation, diagnostics.Where(d => d.Id == id)
                    // Analyzer diagnostics come in no fixed order: the first in source order, so both builds fix the same one.
                    .OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal).ThenBy(d => d.Location.SourceSpan.Start).First(), fixes).ConfigureAwait(false));
            return lines;
        }

        private static string Format(Diagnostic d, string repoRoot)
        {
            var span = d.Location.GetLineSpan();
            var path = span.Path.Length == 0 ? "(no location)" : Path.GetRelativePath(repoRoot, span.Path).Replace('\\', '/');
            return $"{path}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1}): {d.Id}: {d.GetMessage()}";
        }

        // The first action the fix providers offer for the diagnostic, applied: its title and the changed document.
        private static async Task<IEnumerable<string>> FirstFixAsync(Compilation compilation, Diagnostic diagnostic, ImmutableArray<CodeFixProvider> fixes)
        {
            using var workspace = new AdhocWorkspace();
            var project = workspace.AddProject(ProjectInfo.Create(ProjectId.CreateNewId(), VersionStamp.Default, "Sample", "Sample", LanguageNames.CSharp,
                compilationOptions: compilation.Options, parseOptions: compilation.SyntaxTrees.First().Options, metadataReferences: compilation.References));
            var tree = diagnostic.Location.SourceTree!;
            var document = workspace.AddDocument(project.Id, Path.GetFileName(tree.FilePath), SourceText.From(tree.ToString()));
            foreach (var other in compilation.SyntaxTrees.Where(t => t != tree))
                document = document.Project.AddDocument(other.FilePath, other.GetText()).Project.GetDocument(document.Id)!;
            var actions = new List<CodeAction>();
            foreach (var provider in fixes.Where(p => p.FixableDiagnosticIds.Contains(diagnostic.Id)))
                await provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (a, _) => actions.Add(a), default)).ConfigureAwait(false);
            if (actions.Count == 0) return new[] { $"fix {diagnostic.Id}: none offered" };
            var operations = await actions[0].GetOperationsAsync(default).ConfigureAwait(false);
            var changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution.GetDocument(document.Id)!;
            var text = await changed.GetTextAsync().ConfigureAwait(false);
            return new[] { $"fix {diagnostic.Id}: {actions[0].Title}" }.Concat(text.ToString().Replace("\r\n", "\n").Split('\n'));
        }

        private static CSharpCompilation Compile(string name, IEnumerable<SyntaxTree> trees, IEnumerable<MetadataReference> references) =>
            CSharpCompilation.Create(name, trees, references,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        private static IEnumerable<SyntaxTree> Trees(string repoRoot, IEnumerable<string> dirs, IEnumerable<string> symbols)
        {
            // C# 12, the newest both compilers parse: the samples must mean the same to each.
            var options = new CSharpParseOptions(LanguageVersion.CSharp12, preprocessorSymbols: symbols);
            return dirs.SelectMany(d => Directory.EnumerateFiles(Path.Combine(repoRoot, d), "*.cs", SearchOption.AllDirectories))
                .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
                .OrderBy(f => f, StringComparer.Ordinal)
                .Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), options, f));
        }

        // The running .NET's own assemblies: the same set in both processes.
        private static IEnumerable<MetadataReference> PlatformReferences()
        {
            var runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
            return ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
                .Where(p => Path.GetDirectoryName(p) == runtime && p.EndsWith(".dll", StringComparison.Ordinal))
                .OrderBy(p => p, StringComparer.Ordinal)
                .Select(p => MetadataReference.CreateFromFile(p));
        }
    }
}
