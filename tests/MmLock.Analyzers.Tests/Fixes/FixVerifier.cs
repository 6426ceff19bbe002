using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using MmLock.Analyzers.Tests.Rules;
using MmLock.Analyzers.Tests.Verification;

namespace MmLock.Analyzers.Tests.Fixes
{
    /// <summary>Runs a code fix on a test document next to a kernel prelude (/0/Kernel.cs: <see cref="Kernel.Prelude"/> or <see cref="MmKernel.Prelude"/>).</summary>
    internal static class FixVerifier
    {
        /// <summary>Single fixes to <paramref name="fixedSource"/>; Fix All in the document to <paramref name="batchFixedSource"/> (default the same).</summary>
        public static Task Verify<TFix>(string source, string fixedSource, string equivalenceKey, string? batchFixedSource = null, int? iterations = null)
            where TFix : CodeFixProvider, new() =>
            Create<TFix>(Kernel.Prelude, source, fixedSource, equivalenceKey, batchFixedSource, iterations).RunAsync();

        /// <summary>The same with <see cref="MmKernel.Prelude"/> and its configuration (<see cref="MmKernel.Symbols"/>).</summary>
        public static Task VerifyMm<TFix>(string source, string fixedSource, string equivalenceKey, string? batchFixedSource = null, int? iterations = null)
            where TFix : CodeFixProvider, new() =>
            Create<TFix>(MmKernel.Prelude, source, fixedSource, equivalenceKey, batchFixedSource, iterations, MmKernel.Symbols).RunAsync();

        public static CodeFixTest<MmLockAnalyzer, TFix> Create<TFix>(string prelude, string source, string fixedSource, string? equivalenceKey,
            string? batchFixedSource = null, int? iterations = null, string[]? symbols = null)
            where TFix : CodeFixProvider, new()
        {
            var test = new CodeFixTest<MmLockAnalyzer, TFix> { CodeActionEquivalenceKey = equivalenceKey, ExpectedIterations = iterations };
            test.Sources.Add(("/0/Kernel.cs", prelude));
            test.Sources.Add(("/0/Test0.cs", source));
            test.FixedSources.Add(("/0/Kernel.cs", prelude));
            test.FixedSources.Add(("/0/Test0.cs", fixedSource));
            if (batchFixedSource != null)
            {
                test.BatchFixedSources.Add(("/0/Kernel.cs", prelude));
                test.BatchFixedSources.Add(("/0/Test0.cs", batchFixedSource));
            }
            if (symbols != null) test.PreprocessorSymbols.AddRange(symbols);
            return test;
        }

        /// <summary>The action with <paramref name="equivalenceKey"/> (null: any action of the provider) is not offered: nothing changes.</summary>
        public static Task NotOffered<TFix>(string source, string? equivalenceKey = null) where TFix : CodeFixProvider, new() =>
            Create<TFix>(Kernel.Prelude, source, source, equivalenceKey, iterations: 0).RunAsync();

        public static Task NotOfferedMm<TFix>(string source, string? equivalenceKey = null) where TFix : CodeFixProvider, new() =>
            Create<TFix>(MmKernel.Prelude, source, source, equivalenceKey, iterations: 0, symbols: MmKernel.Symbols).RunAsync();
    
        /// <summary>The actions <typeparamref name="TFix"/> offers for the <paramref name="index"/>-th diagnostic <paramref name="id"/> (in source order) of the source next to <see cref="Kernel.Prelude"/> (and <paramref name="more"/> documents).</summary>
        public static async Task<List<(string Title, string? Key)>> ActionsAsync<TFix>(string source, string id, int index = 0, string? prelude = null,
            string[]? symbols = null, (string Path, string Text)[]? more = null) where TFix : CodeFixProvider, new()
        {
            var test = Create<TFix>(prelude ?? Kernel.Prelude, source, source, null, symbols: symbols);
            if (more != null) test.Sources.AddRange(more);
            var parsed = test.Parse(test.Sources, test.ExpectedDiagnostics);
            var solution = test.CreateSolution(parsed.Documents);
            var diagnostic = (await test.AnalyzeAsync(solution, ideChecks: false, "source")).Where(d => d.Id == id)
                .OrderBy(d => d.Location.SourceTree!.FilePath, System.StringComparer.Ordinal).ThenBy(d => d.Location.SourceSpan.Start).ElementAt(index);
            var actions = new List<CodeAction>();
            await new TFix().RegisterCodeFixesAsync(new CodeFixContext(solution.GetDocument(diagnostic.Location.SourceTree)!, diagnostic, (a, _) => actions.Add(a),
                CancellationToken.None));
            return actions.Select(a => (a.Title, a.EquivalenceKey)).ToList();
        }
    }
}
