using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
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
    /// Analyses mutants of one profile's compilation, parsed once. A member's diagnostics depend on its own body and on
    /// contracts (attributes), never on other bodies, so one mutant removes a site in each of many members at once: round
    /// k removes the k-th site of every member. Only the mutated trees are analysed, each within its mutated members' spans.
    /// </summary>
    public sealed class StaticVerdict
    {
        private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new MmLock.Analyzers.MmLockAnalyzer());

        private readonly Compilation compilation;

        public StaticVerdict(Compilation compilation) { this.compilation = compilation; }

        /// <summary>Mutants analysed so far (one per round, or one per site with <paramref name="oneAtATime"/>).</summary>
        public int Mutants { get; private set; }

        public async Task<Dictionary<GuardSite, StaticResult>> AnalyseAsync(IReadOnlyList<GuardSite> sites, bool oneAtATime)
        {
            var results = new Dictionary<GuardSite, StaticResult>();
            var original = WithAnalyzers(compilation);
            var rounds = oneAtATime ? sites.Select(s => new[] { s }.ToList()).ToList()
                : sites.GroupBy(s => s.Member).SelectMany(g => g.Select((s, k) => (s, k))).GroupBy(x => x.k).Select(g => g.Select(x => x.s).ToList()).ToList();
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
                        var remaining = (await DiagnosticsAsync(original, compilation.GetSemanticModel(site.Tree), site.Member.FullSpan)).Select(Signature).ToList();
                        var added = new List<Diagnostic>();
                        foreach (Diagnostic d in after)
                            if (!remaining.Remove(Signature(d))) added.Add(d);
                        results[site] = new StaticResult(added, errors);
                    }
                }
            }
            return results;
        }

        /// <summary>Every analyzer diagnostic of the compilation.</summary>
        public static async Task<ImmutableArray<Diagnostic>> AllAsync(Compilation compilation) => await WithAnalyzers(compilation).GetAnalyzerDiagnosticsAsync();

        private static CompilationWithAnalyzers WithAnalyzers(Compilation compilation) => compilation.WithAnalyzers(Analyzers,
            new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), onAnalyzerException: null,
                concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false));

        private static string Signature(Diagnostic d) => d.Id + ": " + d.GetMessage(CultureInfo.InvariantCulture);

        private static async Task<List<Diagnostic>> DiagnosticsAsync(CompilationWithAnalyzers analysed, SemanticModel model, TextSpan span)
        {
            var result = await analysed.GetAnalyzerSemanticDiagnosticsAsync(model, span, default);
            return result.Where(d => d.Location.SourceTree == model.SyntaxTree && span.Contains(d.Location.SourceSpan)).ToList();
        }
    }
}
