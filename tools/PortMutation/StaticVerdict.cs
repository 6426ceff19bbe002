using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace MmLock.PortMutation
{
    /// <summary>What the analyzers report on one mutated member in one profile, beyond what they report on the original.</summary>
    public sealed record StaticResult(IReadOnlyList<Diagnostic> Added, IReadOnlyList<Diagnostic> CompileErrors)
    {
        public IReadOnlyList<string> Ids => Added.Select(d => d.Id).Distinct().OrderBy(id => id).ToList();
    }

    /// <summary>
    /// Analyses mutants of one profile's compilation, parsed once. A public member's diagnostics depend on its own body and on
    /// contracts (attributes), never on other bodies, so one mutant removes a site in each of many such members at once: round
    /// k removes the k-th site of every member, and only the mutated members' spans are analysed. A private or internal method
    /// may have an inferred contract, computed from its body and checked at its callers: its sites are removed one at a time
    /// and the whole compilation is analysed.
    /// </summary>
    public sealed class StaticVerdict
    {
        private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new MmLock.Analyzers.MmLockAnalyzer());

        private readonly Compilation compilation;
        private readonly AnalyzerOptions options;

        public StaticVerdict(Compilation compilation, AnalyzerOptions? options = null)
        {
            this.compilation = compilation;
            this.options = options ?? new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty);
        }

        /// <summary>Mutants analysed so far (one per round, or one per site with <paramref name="oneAtATime"/> or in a helper).</summary>
        public int Mutants { get; private set; }

        public async Task<Dictionary<GuardSite, StaticResult>> AnalyseAsync(IReadOnlyList<GuardSite> sites, bool oneAtATime)
        {
            var results = new Dictionary<GuardSite, StaticResult>();
            var original = WithAnalyzers(compilation);
            var inHelpers = sites.Where(s => MayBeInferred(s, compilation)).ToList();
            foreach (GuardSite site in inHelpers) results[site] = await WholeAsync(site, original);
            var rest = sites.Except(inHelpers).ToList();
            var rounds = oneAtATime ? rest.Select(s => new[] { s }.ToList()).ToList()
                : rest.GroupBy(s => s.Member).SelectMany(g => g.Select((s, k) => (s, k))).GroupBy(x => x.k).Select(g => g.Select(x => x.s).ToList()).ToList();
            foreach (var round in rounds)
            {
                Mutants++;
                Compilation mutated = compilation;
                var mutants = new List<(SyntaxTree Tree, Dictionary<GuardSite, SyntaxAnnotation> Members)>();
                foreach (var inTree in round.GroupBy(s => s.Tree))
                {
                    var applied = Mutation.Apply(inTree.Key, inTree.ToList(), compilation.GetSemanticModel(inTree.Key));
                    mutated = mutated.ReplaceSyntaxTree(inTree.Key, applied.Tree);
                    mutants.Add(applied);
                }
                var analysed = WithAnalyzers(mutated);
                foreach (var (tree, members) in mutants)
                {
                    SemanticModel model = mutated.GetSemanticModel(tree);
                    foreach (var (site, marker) in members)
                    {
                        TextSpan span = tree.GetRoot().GetAnnotatedNodes(marker).Single().FullSpan;
                        var errors = model.GetDiagnostics(span).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
                        var after = await DiagnosticsAsync(analysed, model, span);
                        // The original member is clean in a clean port; subtracting keeps the verdict about the removal only.
                        var before = await DiagnosticsAsync(original, compilation.GetSemanticModel(site.Tree), site.Member.FullSpan);
                        results[site] = new StaticResult(Added(before, after), errors);
                    }
                }
            }
            return results;
        }

        private async Task<StaticResult> WholeAsync(GuardSite site, CompilationWithAnalyzers original)
        {
            Mutants++;
            var applied = Mutation.Apply(site.Tree, new[] { site }, compilation.GetSemanticModel(site.Tree));
            Compilation mutated = compilation.ReplaceSyntaxTree(site.Tree, applied.Tree);
            var errors = mutated.GetSemanticModel(applied.Tree).GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            return new StaticResult(Added(await original.GetAnalyzerDiagnosticsAsync(), await WithAnalyzers(mutated).GetAnalyzerDiagnosticsAsync()), errors);
        }

        private static List<Diagnostic> Added(IEnumerable<Diagnostic> before, IEnumerable<Diagnostic> after)
        {
            var remaining = before.Select(Signature).ToList();
            return after.Where(d => !remaining.Remove(Signature(d))).ToList();
        }

        /// <summary>Whether the site's member could have an inferred contract: a private or internal method.</summary>
        private static bool MayBeInferred(GuardSite site, Compilation compilation) =>
            site.Member is MethodDeclarationSyntax method && compilation.GetSemanticModel(site.Tree).GetDeclaredSymbol(method) is IMethodSymbol symbol
            && symbol.DeclaredAccessibility is Accessibility.Private or Accessibility.Internal or Accessibility.ProtectedAndInternal;

        /// <summary>Every analyzer diagnostic of the compilation.</summary>
        public async Task<ImmutableArray<Diagnostic>> AllAsync() => await WithAnalyzers(compilation).GetAnalyzerDiagnosticsAsync();

        private CompilationWithAnalyzers WithAnalyzers(Compilation compilation) => compilation.WithAnalyzers(Analyzers,
            new CompilationWithAnalyzersOptions(options, onAnalyzerException: null,
                concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false));

        private static string Signature(Diagnostic d) => d.Id + ": " + d.GetMessage(CultureInfo.InvariantCulture);

        private static async Task<List<Diagnostic>> DiagnosticsAsync(CompilationWithAnalyzers analysed, SemanticModel model, TextSpan span)
        {
            var result = await analysed.GetAnalyzerSemanticDiagnosticsAsync(model, span, default);
            return result.Where(d => d.Location.SourceTree == model.SyntaxTree && span.Contains(d.Location.SourceSpan)).ToList();
        }
    }
}
