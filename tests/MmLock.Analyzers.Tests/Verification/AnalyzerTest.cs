using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace MmLock.Analyzers.Tests.Verification
{
    /// <summary>How the MmLock attributes get into the test compilation.</summary>
    public enum AnnotationsReference
    {
        /// <summary>A metadata reference to the built MmLock.Annotations.dll (default).</summary>
        Metadata,
        /// <summary>The annotation sources (copied to the test output) as extra documents <c>/Annotations/*.cs</c>.</summary>
        Source,
        None,
    }

    /// <summary>The test documents: <c>Add(markup)</c> names it <c>/0/Test{n}.cs</c>; <c>Add((path, markup))</c> names it.</summary>
    public sealed class SourceCollection : List<(string Path, string Markup)>
    {
        public void Add(string markup) => Add((AnalyzerTestBase.DocumentPath(Count), markup));
    }

    /// <summary>Options and machinery shared by <see cref="AnalyzerTest{TAnalyzer}"/> and <see cref="CodeFixTest{TAnalyzer,TCodeFix}"/>.</summary>
    public abstract class AnalyzerTestBase
    {
        public static string DocumentPath(int index) => $"/0/Test{index}.cs";

        /// <summary>An analysis that stopped (contract §3.1) fails every test, as AD0001 does: it is never an expected result.</summary>
        public const string StoppedId = "MM9999";

        public SourceCollection Sources { get; } = new();
        public List<string> PreprocessorSymbols { get; } = new();
        /// <summary>AdditionalFiles as (path, text); a relative path is placed under <c>/0/</c>.</summary>
        public List<(string Path, string Text)> AdditionalFiles { get; } = new();
        /// <summary>.editorconfig / .globalconfig files as (path, text); a relative path is placed under <c>/0/</c>.</summary>
        public List<(string Path, string Text)> AnalyzerConfigFiles { get; } = new();
        public List<DiagnosticResult> ExpectedDiagnostics { get; } = new();
        public List<MetadataReference> AdditionalReferences { get; } = new();
        /// <summary>The ID of <c>[|..|]</c> spans; defaults to the analyzer's only supported ID.</summary>
        public string? DefaultDiagnosticId { get; set; }
        /// <summary>Allow compiler errors in the sources (damaged-code tests). Off: any compiler error fails the test.</summary>
        public bool AllowCompilerErrors { get; set; }
        /// <summary>Check that per-document and per-member-span analysis agree with the whole-compilation run (IDE behaviour).</summary>
        public bool CheckIdeConsistency { get; set; } = true;
        public AnnotationsReference Annotations { get; set; } = AnnotationsReference.Metadata;
        public LanguageVersion LanguageVersion { get; set; } = LanguageVersion.Latest;
        public CancellationToken CancellationToken { get; set; }

        protected abstract DiagnosticAnalyzer Analyzer { get; }

        private static readonly Lazy<MetadataReference> AnnotationsAssembly =
            new(() => MetadataReference.CreateFromFile(typeof(MmLock.ContextAttribute).Assembly.Location));

        // ---------- expectations ----------

        internal sealed record Resolved(string Id, string? Path, LinePositionSpan Span, string? Message, DiagnosticSeverity? Severity,
            ImmutableArray<(string Path, LinePositionSpan Span)>? Additional)
        {
            public int Specificity => (Message is null ? 0 : 1) + (Severity is null ? 0 : 1) + (Additional is null ? 0 : 1);
        }

        internal sealed record Parsed(List<(string Path, string Text)> Documents, List<Resolved> Expected);

        /// <summary>
        /// Removes the markup and builds the expected list: one entry per <c>{|ID:..|}</c> / <c>[|..|]</c> span, plus the
        /// explicit <paramref name="expected"/>. An explicit entry with neither a location nor <c>WithNoLocation()</c> is
        /// merged, in order, into the markup spans of its ID (documents in order, spans in order of their opening token),
        /// so <c>Diag("MM1001").WithMessage(..)</c> states the message of the first <c>{|MM1001:..|}</c> span, and so on.
        /// </summary>
        internal Parsed Parse(IEnumerable<(string Path, string Markup)> sources, IEnumerable<DiagnosticResult> expected)
        {
            var docs = new List<(string Path, string Text)>();
            var markupDiags = new List<(string Id, string Path, LinePositionSpan Span)>();
            var numbered = new Dictionary<int, (string Path, LinePositionSpan Span)>();
            foreach (var (path, markup) in sources)
            {
                var (text, spans) = Markup.Parse(markup);
                var lines = SourceText.From(text).Lines;
                docs.Add((path, text));
                foreach (var s in spans)
                {
                    var lineSpan = lines.GetLinePositionSpan(s.Span);
                    if (s.LocationNumber is int n)
                    {
                        if (!numbered.TryAdd(n, (path, lineSpan))) throw new VerificationException($"Markup location {{|#{n}:..|}} is defined twice.");
                    }
                    else
                    {
                        markupDiags.Add((s.Kind ?? DefaultId(), path, lineSpan));
                    }
                }
            }

            (string, LinePositionSpan) Loc(ExpectedLocation l) => l.MarkupNumber is int n
                ? numbered.TryGetValue(n, out var v) ? v : throw new VerificationException($"Markup location {{|#{n}:..|}} is not defined.")
                : (l.Path!, l.Span);

            var result = new List<Resolved>();
            var pending = expected.Where(e => e.Location is null && !e.NoLocation).ToList();
            foreach (var (id, path, span) in markupDiags)
            {
                var i = pending.FindIndex(e => e.Id == id);
                var e = i >= 0 ? pending[i] : new DiagnosticResult(id);
                if (i >= 0) pending.RemoveAt(i);
                result.Add(Resolve(e, path, span));
            }
            if (pending.Count > 0)
                throw new VerificationException($"Diag(\"{pending[0].Id}\") has no location and there is no markup span {{|{pending[0].Id}:..|}} left to attach it to (use WithLocation/WithSpan/WithNoLocation).");
            foreach (var e in expected.Where(e => e.Location is not null || e.NoLocation))
            {
                var (path, span) = e.Location is null ? (null, default) : Loc(e.Location);
                result.Add(Resolve(e, path, span));
            }
            return new Parsed(docs, result);

            Resolved Resolve(DiagnosticResult e, string? path, LinePositionSpan span) =>
                new(e.Id, path, span, MessageOf(e), e.Severity,
                    e.AdditionalLocations?.Select(Loc).ToImmutableArray());
        }

        private string DefaultId()
        {
            if (DefaultDiagnosticId is not null) return DefaultDiagnosticId;
            var ids = Analyzer.SupportedDiagnostics.Select(d => d.Id).Distinct().ToList();
            return ids.Count == 1 ? ids[0] : throw new VerificationException("[|..|] markup needs DefaultDiagnosticId: the analyzer supports several IDs.");
        }

        private string? MessageOf(DiagnosticResult e)
        {
            if (e.MessageArguments is null) return e.Message;
            var descriptor = Analyzer.SupportedDiagnostics.FirstOrDefault(d => d.Id == e.Id)
                ?? throw new VerificationException($"WithArguments: the analyzer does not support {e.Id}.");
            return string.Format(CultureInfo.InvariantCulture, descriptor.MessageFormat.ToString(CultureInfo.InvariantCulture), e.MessageArguments);
        }

        // ---------- compilation ----------

        /// <summary>
        /// The test solution. A document's first path segment is its project: <c>/0/..</c> is TestProject (with the AdditionalFiles and
        /// AnalyzerConfigFiles), <c>/1/..</c> is TestProject1, and so on; every other project references TestProject. Each project gets
        /// the same references, options and preprocessor symbols.
        /// </summary>
        internal Solution CreateSolution(IEnumerable<(string Path, string Text)> documents)
        {
            var workspace = new AdhocWorkspace();
            var all = documents.ToList();
            if (Annotations == AnnotationsReference.Source)
                foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "AnnotationsSource"), "*.cs").OrderBy(f => f, StringComparer.Ordinal))
                    all.Add(("/Annotations/" + Path.GetFileName(file), File.ReadAllText(file)));
            var indices = all.Select(d => ProjectIndex(d.Path)).Append(0).Distinct().OrderBy(i => i).ToList();
            var solution = workspace.CurrentSolution;
            var ids = new Dictionary<int, ProjectId>();
            foreach (var index in indices)
            {
                var name = index == 0 ? "TestProject" : "TestProject" + index;
                var projectId = ids[index] = ProjectId.CreateNewId(name);
                var references = new List<MetadataReference>(Basic.Reference.Assemblies.Net80.References.All);
                if (Annotations == AnnotationsReference.Metadata) references.Add(AnnotationsAssembly.Value);
                references.AddRange(AdditionalReferences);
                solution = solution.AddProject(ProjectInfo.Create(
                    projectId, VersionStamp.Default, name, name, LanguageNames.CSharp, filePath: $"/{index}/{name}.csproj",
                    compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true,
                        nullableContextOptions: NullableContextOptions.Enable),
                    parseOptions: new CSharpParseOptions(LanguageVersion, preprocessorSymbols: PreprocessorSymbols),
                    metadataReferences: references,
                    projectReferences: index == 0 ? null : new[] { new ProjectReference(ids[0]) }));
            }
            foreach (var (path, text) in all)
                solution = solution.AddDocument(DocumentId.CreateNewId(ids[ProjectIndex(path)]), Path.GetFileName(path), SourceText.From(text), filePath: path);
            foreach (var (path, text) in AdditionalFiles)
                solution = solution.AddAdditionalDocument(DocumentId.CreateNewId(ids[0]), Path.GetFileName(path), SourceText.From(text), filePath: Rooted(path));
            foreach (var (path, text) in AnalyzerConfigFiles)
                solution = solution.AddAnalyzerConfigDocument(DocumentId.CreateNewId(ids[0]), Path.GetFileName(path), SourceText.From(text), filePath: Rooted(path));
            return solution;

            static string Rooted(string p) => p.StartsWith('/') ? p : "/0/" + p;
        }

        /// <summary>The project of a document path: its first segment when that is a number, else 0 (TestProject).</summary>
        internal static int ProjectIndex(string path)
        {
            var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            return segments.Length > 1 && int.TryParse(segments[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index) ? index : 0;
        }

        /// <summary>The projects in order (TestProject first), as their diagnostics are listed.</summary>
        internal static IEnumerable<Project> ProjectsOf(Solution solution) => solution.Projects.OrderBy(p => p.Name.Length).ThenBy(p => p.Name, StringComparer.Ordinal);

        /// <summary>The diagnostics of every project of the solution (see <see cref="AnalyzeAsync(Project, bool, string)"/>).</summary>
        internal async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(Solution solution, bool ideChecks, string state)
        {
            var all = ImmutableArray.CreateBuilder<Diagnostic>();
            foreach (var project in ProjectsOf(solution)) all.AddRange(await AnalyzeAsync(project, ideChecks, state));
            return all.ToImmutable();
        }

        /// <summary>
        /// Runs the analyzer over the whole compilation and returns its diagnostics with supported IDs. Fails on AD0001 and,
        /// unless allowed, on compiler errors. With <paramref name="ideChecks"/>, also checks per-document and per-span analysis.
        /// </summary>
        internal async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(Project project, bool ideChecks, string state)
        {
            var compilation = (await project.GetCompilationAsync(CancellationToken))!;
            if (!AllowCompilerErrors)
            {
                var errors = compilation.GetDiagnostics(CancellationToken).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
                if (errors.Count > 0)
                    throw new VerificationException($"The {state} has compiler errors (set AllowCompilerErrors for damaged-code tests):\n"
                        + string.Join("\n", errors.Select(d => "  " + d.ToString())));
            }

            var supported = Analyzer.SupportedDiagnostics.Select(d => d.Id).ToImmutableHashSet();
            var exceptions = new ConcurrentQueue<string>();
            var analyzers = ImmutableArray.Create(Analyzer);
            CompilationWithAnalyzers NewRun() => compilation.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(
                project.AnalyzerOptions, (ex, _, d) => exceptions.Enqueue(d.GetMessage(CultureInfo.InvariantCulture) + "\n" + ex),
                concurrentAnalysis: true, logAnalyzerExecutionTime: false));
            ImmutableArray<Diagnostic> Check(IEnumerable<Diagnostic> diags)
            {
                var list = diags.ToImmutableArray();
                foreach (var d in list.Where(d => d.Id is "AD0001" or StoppedId)) exceptions.Enqueue(d.Id + ": " + d.GetMessage(CultureInfo.InvariantCulture));
                if (!exceptions.IsEmpty)
                    throw new VerificationException($"The analyzer threw (AD0001) or stopped (MM9999) on the {state}:\n" + string.Join("\n", exceptions));
                return list.Where(d => supported.Contains(d.Id)).ToImmutableArray();
            }

            var whole = Check(await NewRun().GetAnalyzerDiagnosticsAsync(CancellationToken));
            if (!ideChecks) return whole;

            // Per document, as the IDE does: syntax + semantic analysis of each tree, keeping what is located in it.
            // The partial runs get an extra, never analyzed, empty tree so that the compilation never completes in them and
            // compilation-end actions never run (as in the IDE, whatever the number of trees). In-source diagnostics whose
            // descriptor is tagged CompilationEnd are exempt (the IDE shows them only in full-solution analysis).
            var partial = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("// never analyzed", (CSharpParseOptions)project.ParseOptions!, "/0/__NeverAnalyzed.cs"));
            CompilationWithAnalyzers NewPartialRun() => partial.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(
                project.AnalyzerOptions, (ex, _, d) => exceptions.Enqueue(d.GetMessage(CultureInfo.InvariantCulture) + "\n" + ex),
                concurrentAnalysis: true, logAnalyzerExecutionTime: false));
            var perDocRun = NewPartialRun();
            var perDocument = new List<Diagnostic>();
            foreach (var tree in compilation.SyntaxTrees)
            {
                var model = perDocRun.Compilation.GetSemanticModel(tree);
                var syntax = await perDocRun.GetAnalysisResultAsync(tree, CancellationToken);
                var semantic = await perDocRun.GetAnalysisResultAsync(model, filterSpan: null, CancellationToken);
                perDocument.AddRange(Check(syntax.GetAllDiagnostics().Concat(semantic.GetAllDiagnostics())).Where(d => d.Location.SourceTree == tree));
            }
            var inSource = whole.Where(d => d.Location.IsInSource && !d.Descriptor.CustomTags.Contains(WellKnownDiagnosticTags.CompilationEnd)).ToList();
            CompareSets(inSource, perDocument,
                $"Per-document analysis (IDE) of the {state} differs from the whole-compilation run");

            // Per span of each diagnostic's containing member, with a fresh analysis each (as for an edit in that member).
            var spans = inSource
                .Select(d => (Tree: d.Location.SourceTree!, Member: ContainingMember(d.Location)))
                .Where(x => x.Member is not null).Select(x => (x.Tree, Span: x.Member!.Span)).Distinct().ToList();
            foreach (var (tree, span) in spans)
            {
                var run = NewPartialRun();
                var model = run.Compilation.GetSemanticModel(tree);
                var syntax = await run.GetAnalysisResultAsync(tree, span, CancellationToken);
                var semantic = await run.GetAnalysisResultAsync(model, span, CancellationToken);
                bool Inside(Diagnostic d) => d.Location.SourceTree == tree && span.Contains(d.Location.SourceSpan);
                var lines = tree.GetText(CancellationToken).Lines.GetLinePositionSpan(span);
                CompareSets(inSource.Where(Inside), Check(syntax.GetAllDiagnostics().Concat(semantic.GetAllDiagnostics())).Where(Inside),
                    $"Span analysis of {tree.FilePath}({lines.Start.Line + 1},{lines.Start.Character + 1},{lines.End.Line + 1},{lines.End.Character + 1}) in the {state} differs from the whole-compilation run");
            }
            return whole;
        }

        private static MemberDeclarationSyntax? ContainingMember(Location location) =>
            location.SourceTree!.GetRoot().FindNode(location.SourceSpan, getInnermostNodeForTie: true)
                .AncestorsAndSelf().OfType<MemberDeclarationSyntax>().FirstOrDefault(n => n is not BaseNamespaceDeclarationSyntax);

        private static void CompareSets(IEnumerable<Diagnostic> expected, IEnumerable<Diagnostic> actual, string what)
        {
            var e = expected.Select(Format).OrderBy(s => s, StringComparer.Ordinal).ToList();
            var a = actual.Select(Format).OrderBy(s => s, StringComparer.Ordinal).ToList();
            if (e.SequenceEqual(a)) return;
            throw new VerificationException($"{what}.\nWhole compilation:\n{string.Join("\n", e)}\nThis analysis:\n{string.Join("\n", a)}");
        }

        // ---------- comparison ----------

        internal static void Compare(IReadOnlyList<Resolved> expected, ImmutableArray<Diagnostic> actual, string state)
        {
            var unmatched = actual.ToList();
            var missing = new List<Resolved>();
            foreach (var e in expected.OrderByDescending(e => e.Specificity))
            {
                var i = unmatched.FindIndex(d => Matches(e, d));
                if (i < 0) missing.Add(e); else unmatched.RemoveAt(i);
            }
            if (missing.Count == 0 && unmatched.Count == 0) return;
            var sb = new StringBuilder($"Diagnostics of the {state} do not match.\n");
            void Section(string title, IEnumerable<string> items)
            {
                var list = items.ToList();
                sb.Append(title).Append(" (").Append(list.Count).Append("):\n");
                foreach (var s in list) sb.Append(s).Append('\n');
            }
            Section("Missing (expected, not reported)", missing.OrderBy(Key).Select(Format));
            Section("Unexpected (reported, not expected)", unmatched.OrderBy(Key).Select(Format));
            Section("Expected", expected.OrderBy(Key).Select(Format));
            Section("Actual", actual.OrderBy(Key).Select(Format));
            throw new VerificationException(sb.ToString());
        }

        private static bool Matches(Resolved e, Diagnostic d)
        {
            if (e.Id != d.Id) return false;
            var (path, span) = Loc(d.Location);
            if (e.Path != path || (path is not null && e.Span != span)) return false;
            if (e.Message is not null && e.Message != d.GetMessage(CultureInfo.InvariantCulture)) return false;
            if (e.Severity is not null && e.Severity != d.Severity) return false;
            return e.Additional is null || e.Additional.Value.SequenceEqual(d.AdditionalLocations.Select(l => Loc(l)).Select(l => (l.Path ?? "", l.Span)));
        }

        private static (string? Path, LinePositionSpan Span) Loc(Location l) =>
            l.Kind == LocationKind.None ? (null, default) : (l.GetLineSpan().Path, l.GetLineSpan().Span);

        private static string Key(Resolved e) => $"{e.Path}|{e.Span.Start.Line:D6}|{e.Span.Start.Character:D6}|{e.Id}";
        private static string Key(Diagnostic d) { var (p, s) = Loc(d.Location); return $"{p}|{s.Start.Line:D6}|{s.Start.Character:D6}|{d.Id}"; }

        private static string Span(string? path, LinePositionSpan s) =>
            $"\"{path}\", {s.Start.Line + 1}, {s.Start.Character + 1}, {s.End.Line + 1}, {s.End.Character + 1}";

        private static string Literal(string s) => SymbolDisplay.FormatLiteral(s, quote: true);

        /// <summary>An actual diagnostic as a comment line and a copy-pasteable expectation.</summary>
        internal static string Format(Diagnostic d)
        {
            var (path, span) = Loc(d.Location);
            var sb = new StringBuilder();
            sb.Append("    // ").Append(path is null ? "" : $"{path}({span.Start.Line + 1},{span.Start.Character + 1},{span.End.Line + 1},{span.End.Character + 1}): ")
              .Append(d.Severity.ToString().ToLowerInvariant()).Append(' ').Append(d.Id).Append(": ").Append(d.GetMessage(CultureInfo.InvariantCulture)).Append('\n');
            sb.Append("    Diag(\"").Append(d.Id).Append("\")").Append(path is null ? ".WithNoLocation()" : $".WithSpan({Span(path, span)})")
              .Append(".WithMessage(").Append(Literal(d.GetMessage(CultureInfo.InvariantCulture))).Append(')');
            foreach (var l in d.AdditionalLocations) { var (p, s) = Loc(l); sb.Append(".WithAdditionalSpan(").Append(Span(p, s)).Append(')'); }
            return sb.Append(',').ToString();
        }

        internal static string Format(Resolved e)
        {
            var sb = new StringBuilder("    Diag(\"").Append(e.Id).Append("\")").Append(e.Path is null ? ".WithNoLocation()" : $".WithSpan({Span(e.Path, e.Span)})");
            if (e.Message is not null) sb.Append(".WithMessage(").Append(Literal(e.Message)).Append(')');
            if (e.Severity is not null) sb.Append(".WithSeverity(DiagnosticSeverity.").Append(e.Severity).Append(')');
            if (e.Additional is { IsEmpty: true }) sb.Append(".WithNoAdditionalLocations()");
            foreach (var (p, s) in e.Additional ?? ImmutableArray<(string, LinePositionSpan)>.Empty) sb.Append(".WithAdditionalSpan(").Append(Span(p, s)).Append(')');
            return sb.Append(',').ToString();
        }

        /// <summary>Parses the markup, compiles, analyzes (with the IDE checks if enabled) and compares exactly.</summary>
        internal async Task<Solution> VerifyStateAsync(IEnumerable<(string Path, string Markup)> sources, IEnumerable<DiagnosticResult> expected, string state)
        {
            var parsed = Parse(sources, expected);
            var solution = CreateSolution(parsed.Documents);
            Compare(parsed.Expected, await AnalyzeAsync(solution, CheckIdeConsistency, state), state);
            return solution;
        }
    }

    /// <summary>
    /// Verifies the diagnostics of <typeparamref name="TAnalyzer"/> on <see cref="AnalyzerTestBase.Sources"/> exactly.
    /// <code>
    /// await new AnalyzerTest&lt;MyAnalyzer&gt; {
    ///     Sources = { "class C { void M() { {|MM1001:{|#0:Foo()|}|}; } }" },
    ///     ExpectedDiagnostics = { Diag("MM1001").WithMessage("...") },   // attaches to the first {|MM1001:..|}
    /// }.RunAsync();
    /// </code>
    /// </summary>
    public class AnalyzerTest<TAnalyzer> : AnalyzerTestBase where TAnalyzer : DiagnosticAnalyzer, new()
    {
        private readonly TAnalyzer analyzer = new();
        protected override DiagnosticAnalyzer Analyzer => analyzer;

        public virtual Task RunAsync() => VerifyStateAsync(Sources, ExpectedDiagnostics, "source");
    }
}
