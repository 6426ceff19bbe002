using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeFixes;
using MmLock.Analyzers.Tests.Rules;
using MmLock.Analyzers.Tests.Verification;

namespace MmLock.Analyzers.Tests.Fixes
{
    /// <summary>Runs a code fix on a test document next to the kernel prelude (/0/Kernel.cs).</summary>
    internal static class FixVerifier
    {
        /// <summary>Single fixes to <paramref name="fixedSource"/>; Fix All in the document to <paramref name="batchFixedSource"/> (default the same).</summary>
        public static Task Verify<TFix>(string source, string fixedSource, string equivalenceKey, string? batchFixedSource = null, int? iterations = null)
            where TFix : CodeFixProvider, new()
        {
            var test = new CodeFixTest<MmLockAnalyzer, TFix> { CodeActionEquivalenceKey = equivalenceKey, ExpectedIterations = iterations };
            test.Sources.Add(("/0/Kernel.cs", Kernel.Prelude));
            test.Sources.Add(("/0/Test0.cs", source));
            test.FixedSources.Add(("/0/Kernel.cs", Kernel.Prelude));
            test.FixedSources.Add(("/0/Test0.cs", fixedSource));
            if (batchFixedSource != null)
            {
                test.BatchFixedSources.Add(("/0/Kernel.cs", Kernel.Prelude));
                test.BatchFixedSources.Add(("/0/Test0.cs", batchFixedSource));
            }
            return test.RunAsync();
        }

        /// <summary>The action with <paramref name="equivalenceKey"/> (null: any action of the provider) is not offered: nothing changes.</summary>
        public static Task NotOffered<TFix>(string source, string? equivalenceKey = null) where TFix : CodeFixProvider, new()
        {
            var test = new CodeFixTest<MmLockAnalyzer, TFix> { ExpectedIterations = 0, CodeActionEquivalenceKey = equivalenceKey };
            test.Sources.Add(("/0/Kernel.cs", Kernel.Prelude));
            test.Sources.Add(("/0/Test0.cs", source));
            test.FixedSources.Add(("/0/Kernel.cs", Kernel.Prelude));
            test.FixedSources.Add(("/0/Test0.cs", source));
            return test.RunAsync();
        }
    }
}
