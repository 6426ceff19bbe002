using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;

namespace MmLock.Analyzers.Tests.Verification
{
    /// <summary>
    /// Verifies <typeparamref name="TCodeFix"/> on the diagnostics of <typeparamref name="TAnalyzer"/>:
    /// <list type="number">
    /// <item>the diagnostics of <see cref="AnalyzerTestBase.Sources"/> are exactly <see cref="AnalyzerTestBase.ExpectedDiagnostics"/> (+ markup);</item>
    /// <item>one fix at a time: the chosen action is applied to the first fixable diagnostic whose action changes the code, again
    /// and again until no action changes anything (so a second application is a no-op: idempotence), at most
    /// <see cref="MaxIterations"/> times; the result must equal <see cref="FixedSources"/> exactly (line endings normalised),
    /// compile, and have exactly the diagnostics of the fixed markup + <see cref="FixedExpectedDiagnostics"/> (default none);</item>
    /// <item>Fix All (<see cref="FixAllScope"/>, via <c>GetFixAllProvider()</c>) from the original source, repeated until nothing changes,
    /// must equal <see cref="BatchFixedSources"/> (default: <see cref="FixedSources"/>) and is verified the same way;
    /// <see cref="ExpectedBatchIterations"/> states how many Fix All applications that takes (1: one Fix All is enough, as
    /// <c>dotnet format</c>, which applies it once, needs).</item>
    /// </list>
    /// Actions are selected from the registered actions flattened depth-first (nested actions replace their parent), by
    /// <see cref="CodeActionEquivalenceKey"/> and/or <see cref="CodeActionIndex"/> (default: the first action).
    /// </summary>
    public class CodeFixTest<TAnalyzer, TCodeFix> : AnalyzerTest<TAnalyzer>
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TCodeFix : CodeFixProvider, new()
    {
        private readonly TCodeFix codeFix = new();

        /// <summary>Sets the first document of <see cref="AnalyzerTestBase.Sources"/>.</summary>
        public string Source { set => SetFirst(Sources, value); }
        public SourceCollection FixedSources { get; } = new();
        /// <summary>Sets the first document of <see cref="FixedSources"/>.</summary>
        public string FixedSource { set => SetFirst(FixedSources, value); }
        public SourceCollection BatchFixedSources { get; } = new();
        /// <summary>Sets the first document of <see cref="BatchFixedSources"/>.</summary>
        public string BatchFixedSource { set => SetFirst(BatchFixedSources, value); }
        /// <summary>Diagnostics expected in the fixed code besides its markup.</summary>
        public List<DiagnosticResult> FixedExpectedDiagnostics { get; } = new();
        /// <summary>Diagnostics expected after Fix All besides its markup; used only when <see cref="BatchFixedSources"/> is set.</summary>
        public List<DiagnosticResult> BatchFixedExpectedDiagnostics { get; } = new();
        public int? CodeActionIndex { get; set; }
        public string? CodeActionEquivalenceKey { get; set; }
        /// <summary>The Fix All scope to verify; null skips Fix All.</summary>
        public FixAllScope? FixAllScope { get; set; } = Microsoft.CodeAnalysis.CodeFixes.FixAllScope.Document;
        /// <summary>When set, the number of single fixes that must be applied.</summary>
        public int? ExpectedIterations { get; set; }
        /// <summary>When set, the number of Fix All applications that must be applied (1: one Fix All fixes everything in scope).</summary>
        public int? ExpectedBatchIterations { get; set; }
        public int MaxIterations { get; set; } = 20;

        private static void SetFirst(SourceCollection c, string markup)
        {
            if (c.Count == 0) c.Add(markup); else c[0] = (c[0].Path, markup);
        }

        public override async Task RunAsync()
        {
            if (FixedSources.Count != Sources.Count)
                throw new VerificationException($"FixedSources has {FixedSources.Count} documents, Sources has {Sources.Count}.");
            var original = await VerifyStateAsync(Sources, ExpectedDiagnostics, "source");

            var (fixedSolution, applied) = await FixAsync(original, scope: null);
            if (ExpectedIterations is int n && n != applied)
                throw new VerificationException($"Expected {n} code fix applications, applied {applied}.");
            await CompareTextsAsync(fixedSolution, FixedSources, "fixed code");
            await VerifyStateAsync(FixedSources, FixedExpectedDiagnostics, "fixed code");

            if (FixAllScope is FixAllScope scope)
            {
                var (batchSolution, batchApplied) = await FixAsync(original, scope);
                if (ExpectedBatchIterations is int b && b != batchApplied)
                    throw new VerificationException($"Expected {b} Fix All ({scope}) applications, applied {batchApplied}.");
                var batch = BatchFixedSources.Count > 0 ? BatchFixedSources : FixedSources;
                await CompareTextsAsync(batchSolution, batch, $"Fix All ({scope}) result");
                await VerifyStateAsync(batch, BatchFixedSources.Count > 0 ? BatchFixedExpectedDiagnostics : FixedExpectedDiagnostics, $"Fix All ({scope}) result");
            }
        }

        /// <summary>Applies the chosen action (or Fix All in <paramref name="scope"/>) until nothing changes.</summary>
        private async Task<(Solution, int)> FixAsync(Solution solution, FixAllScope? scope)
        {
            var what = scope is null ? "code fix" : $"Fix All ({scope})";
            FixAllProvider? fixAll = null;
            if (scope is FixAllScope s)
            {
                fixAll = codeFix.GetFixAllProvider() ?? throw new VerificationException("The code fix has no Fix All provider.");
                if (!fixAll.GetSupportedFixAllScopes().Contains(s))
                    throw new VerificationException($"The Fix All provider does not support scope {s}.");
            }
            for (var applied = 0; ; applied++)
            {
                var diagnostics = await AnalyzeAsync(solution, ideChecks: false, $"code during {what}");
                var changed = false;
                foreach (var diagnostic in diagnostics.Where(d => d.Location.IsInSource && codeFix.FixableDiagnosticIds.Contains(d.Id))
                             .OrderBy(d => d.Location.SourceTree!.FilePath, StringComparer.Ordinal).ThenBy(d => d.Location.SourceSpan.Start))
                {
                    var document = solution.GetDocument(diagnostic.Location.SourceTree)!;
                    var action = await ChooseActionAsync(document, diagnostic);
                    if (action is null) continue;
                    if (fixAll is not null)
                    {
                        var context = new FixAllContext(document, codeFix, scope!.Value, action.EquivalenceKey, codeFix.FixableDiagnosticIds,
                            new DiagnosticProvider(p => AnalyzeAsync(p, ideChecks: false, $"code during {what}")), CancellationToken);
                        action = await fixAll.GetFixAsync(context);
                        if (action is null) continue;
                    }
                    var changedSolution = await ApplyAsync(action, solution);
                    if (await TextsAsync(changedSolution) == await TextsAsync(solution)) continue;
                    solution = changedSolution;
                    changed = true;
                    break;
                }
                if (!changed) return (solution, applied);
                if (applied + 1 >= MaxIterations)
                    throw new VerificationException($"The {what} did not converge after {MaxIterations} applications (is it idempotent?). Current code:\n{await TextsAsync(solution)}");
            }
        }

        private async Task<CodeAction?> ChooseActionAsync(Document document, Diagnostic diagnostic)
        {
            var actions = new List<CodeAction>();
            await codeFix.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (a, _) => actions.Add(a), CancellationToken));
            var flat = actions.SelectMany(Flatten).ToList();
            if (CodeActionIndex is int i)
            {
                if (i >= flat.Count) return null;
                if (CodeActionEquivalenceKey is not null && flat[i].EquivalenceKey != CodeActionEquivalenceKey)
                    throw new VerificationException($"Code action {i} has equivalence key '{flat[i].EquivalenceKey}', expected '{CodeActionEquivalenceKey}'.");
                return flat[i];
            }
            return CodeActionEquivalenceKey is null ? flat.FirstOrDefault() : flat.FirstOrDefault(a => a.EquivalenceKey == CodeActionEquivalenceKey);

            static IEnumerable<CodeAction> Flatten(CodeAction a) => a.NestedActions.IsDefaultOrEmpty ? new[] { a } : a.NestedActions.SelectMany(Flatten);
        }

        private async Task<Solution> ApplyAsync(CodeAction action, Solution solution)
        {
            foreach (var operation in await action.GetOperationsAsync(CancellationToken))
                if (operation is ApplyChangesOperation apply) solution = apply.ChangedSolution;
            return solution;
        }

        private async Task<string> TextsAsync(Solution solution)
        {
            var sb = new StringBuilder();
            foreach (var d in solution.Projects.SelectMany(p => p.Documents).OrderBy(d => d.FilePath, StringComparer.Ordinal))
                sb.Append("// ").Append(d.FilePath).Append('\n').Append((await d.GetTextAsync(CancellationToken)).ToString()).Append('\n');
            return sb.ToString();
        }

        private async Task CompareTextsAsync(Solution solution, SourceCollection expected, string state)
        {
            foreach (var (path, markup) in expected)
            {
                var document = solution.Projects.SelectMany(p => p.Documents).SingleOrDefault(d => d.FilePath == path)
                    ?? throw new VerificationException($"The {state} has no document {path}.");
                var want = Normalize(Markup.Parse(markup).Text);
                var got = Normalize((await document.GetTextAsync(CancellationToken)).ToString());
                if (want == got) continue;
                var w = want.Split('\n');
                var g = got.Split('\n');
                var line = Enumerable.Range(0, Math.Max(w.Length, g.Length)).First(k => k >= w.Length || k >= g.Length || w[k] != g[k]);
                throw new VerificationException(
                    $"The {state} of {path} differs from the expected text, first at line {line + 1}:\n" +
                    $"  expected: {(line < w.Length ? w[line] : "<end of file>")}\n  actual:   {(line < g.Length ? g[line] : "<end of file>")}\n" +
                    $"Actual {state}:\n{got}");
            }

            static string Normalize(string s) => s.Replace("\r\n", "\n");
        }

        private sealed class DiagnosticProvider(Func<Project, Task<ImmutableArray<Diagnostic>>> analyze) : FixAllContext.DiagnosticProvider
        {
            public override async Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
            {
                var tree = await document.GetSyntaxTreeAsync(cancellationToken);
                return (await analyze(document.Project)).Where(d => d.Location.SourceTree == tree);
            }

            public override async Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
                (await analyze(project)).Where(d => !d.Location.IsInSource);

            public override async Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
                await analyze(project);
        }
    }
}
