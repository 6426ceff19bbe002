using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;
using Xunit.Abstractions;

namespace MmLock.Analyzers.Tests.Scenarios
{
    /// <summary>
    /// Damaged-code fuzzing (issue 9, "Done when"): files of the samples and the port cut at a statement boundary, or with a few
    /// tokens deleted, analyzed as the IDE does while one types (that document, in its project): never AD0001, never MM9999.
    /// A bounded, seeded number of variants per run: <c>MMLOCK_FUZZ_SEED</c> (default 1) and <c>MMLOCK_FUZZ_COUNT</c> (variants of each
    /// kind per corpus, default 12). Run against the Release analyzers too with <c>dotnet test -c Release</c> (CI does).
    /// </summary>
    public class DamagedCodeFuzzTests
    {
        private readonly ITestOutputHelper _output;

        public DamagedCodeFuzzTests(ITestOutputHelper output) { _output = output; }

        private static int Seed => int.TryParse(Environment.GetEnvironmentVariable("MMLOCK_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : 1;
        private static int Count => int.TryParse(Environment.GetEnvironmentVariable("MMLOCK_FUZZ_COUNT"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var c) ? c : 12;

        public static IEnumerable<object[]> Corpora() => new[] { "port", "Showcase", "FixMe", "HistoricBugs" }.Select(c => new object[] { c });

        [Theory]
        [MemberData(nameof(Corpora))]
        public async Task DamagedFiles_NeverCrashOrStopTheAnalysis(string corpus)
        {
            var compilation = Compile(corpus);
            var trees = compilation.SyntaxTrees.Where(t => !t.FilePath.Contains("/Annotations/", StringComparison.Ordinal)).ToList();
            var random = new Random(Seed ^ corpus.GetHashCode(StringComparison.Ordinal));
            var failures = new List<string>();
            int prefixes = 0, deletions = 0;
            for (int i = 0; i < Count; i++)
            {
                var tree = trees[random.Next(trees.Count)];
                var statements = tree.GetRoot().DescendantNodes().OfType<StatementSyntax>().ToList();
                if (statements.Count == 0) continue;
                var cut = statements[random.Next(statements.Count)].Span.End;
                var text = tree.GetText();
                failures.AddRange(await Analyze(compilation, tree, text.GetSubText(new TextSpan(0, cut)).ToString(), $"prefix of {Name(tree)} to offset {cut}"));
                prefixes++;
            }
            for (int i = 0; i < Count; i++)
            {
                var tree = trees[random.Next(trees.Count)];
                var tokens = tree.GetRoot().DescendantTokens().Where(t => t.Span.Length > 0).ToList();
                if (tokens.Count == 0) continue;
                var deleted = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => tokens[random.Next(tokens.Count)]).Distinct().OrderByDescending(t => t.SpanStart).ToList();
                var text = tree.GetText().ToString();
                foreach (var token in deleted) text = text.Remove(token.SpanStart, token.Span.Length);
                failures.AddRange(await Analyze(compilation, tree, text,
                    $"{Name(tree)} without {string.Join(", ", deleted.Select(t => $"'{t.Text}' at {t.SpanStart}"))}"));
                deletions++;
            }
            _output.WriteLine($"{corpus}: seed {Seed}, {prefixes} statement-boundary prefixes and {deletions} token deletions analyzed, {failures.Count} failures");
            Assert.True(failures.Count == 0, string.Join("\n", failures));
            Assert.True(prefixes > 0 && deletions > 0, $"{corpus}: nothing was fuzzed");
        }

        private static string Name(SyntaxTree tree) => Path.GetFileName(Path.GetDirectoryName(tree.FilePath)) + "/" + Path.GetFileName(tree.FilePath);

        /// <summary>The damaged document in its project, analyzed alone (syntax and semantic, as the IDE does per document).</summary>
        private static async Task<IEnumerable<string>> Analyze(CSharpCompilation compilation, SyntaxTree original, string damaged, string what)
        {
            var tree = original.WithChangedText(SourceText.From(damaged));
            var changed = compilation.ReplaceSyntaxTree(original, tree);
            var exceptions = new ConcurrentQueue<string>();
            var run = changed.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new MmLockAnalyzer()), new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), (e, _, _) => exceptions.Enqueue(e.ToString()), concurrentAnalysis: false, logAnalyzerExecutionTime: false));
            var syntax = await run.GetAnalysisResultAsync(tree, default);
            var semantic = await run.GetAnalysisResultAsync(changed.GetSemanticModel(tree), null, default);
            var bad = syntax.GetAllDiagnostics().Concat(semantic.GetAllDiagnostics()).Where(d => d.Id is "AD0001" or "MM9999")
                .Select(d => d.GetMessage(CultureInfo.InvariantCulture)).Concat(exceptions);
            return bad.Select(b => $"{what}: {b}").ToList();
        }

        private static CSharpCompilation Compile(string corpus)
        {
            if (corpus == "port") return ReferencePort.Compile(new Configuration("x86_64", Configuration.Upstream));
            var directory = Path.Combine(ArchProfiles.RepoRoot, "samples", corpus);
            var files = Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal)).OrderBy(f => f, StringComparer.Ordinal);
            var config = new Configuration("x86_64", Configuration.Upstream);
            var parse = new CSharpParseOptions(LanguageVersion.Latest, preprocessorSymbols: config.Symbols);
            IEnumerable<MetadataReference> references = Basic.Reference.Assemblies.Net80.References.All.Append(MetadataReference.CreateFromFile(typeof(MmLock.ContextAttribute).Assembly.Location));
            // The historic pairs are files of their own against the port (Before and After declare the same members).
            if (corpus == "HistoricBugs") references = references.Append(ReferencePort.For(config));
            var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), parse, f)).ToList();
            if (corpus == "HistoricBugs") trees = trees.Where(t => Path.GetFileName(t.FilePath) == "Before.cs").ToList();
            return CSharpCompilation.Create(corpus, trees, references,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));
        }
    }
}
