using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Xunit;
using static MmLock.Analyzers.Tests.Verification.Verify;
using static MmLock.Analyzers.Tests.Rules.Kernel;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>
    /// Reentrant nesting deeper than the former 64-level bound (which stopped the analysis with MM9999): analysed to the end,
    /// with the rules' exact results. The harness fails on MM9999, so none of these passes by stopping.
    /// </summary>
    public class DeepNestingTests
    {
        private static string Repeat(string text, int times) => string.Concat(Enumerable.Repeat(text, times));

        /// <summary>Nested RCU sections, each its own try/finally; the innermost returns early on one path.</summary>
        [Theory, InlineData(64), InlineData(65), InlineData(300)]
        public Task NestedTryFinally_HeldInside_ReleasedByTheLastFinally(int depth)
        {
            var code = new StringBuilder(@"
using MmLock; using K;
class C {
    [Requires(""K.G.RCU"")] static void under_rcu() { }
    static int M(int k) {
        int x = 0;
        {|#0:L.rcu_read_lock()|};
        try {
");
            code.Append(Repeat("        L.rcu_read_lock(); try {\n", depth - 1));
            code.Append(@"        under_rcu();
        {|#1:L.synchronize_rcu()|};
        if (k == 0) return x;
        x++;
");
            code.Append(Repeat("        } finally { L.rcu_read_unlock(); }\n", depth - 1));
            // The outermost finally (line 8 + (depth - 1) + 4 + (depth - 1) + 1), whose release ends the section on both paths.
            int last = 2 * depth + 11;
            code.Append(@"        } finally { L.rcu_read_unlock(); }
        {|#2:under_rcu()|};
        return x;
    }
}");
            return Verify(code.ToString(),
                Diag("MM3001").WithLocation(1).WithAdditionalLocation(0).WithMessage("Calling 'synchronize_rcu' might sleep while 'G.RCU' is held (acquired at line 7)"),
                Diag("MM1001").WithLocation(2).WithMessage("Calling 'under_rcu' requires holding 'G.RCU'; 'G.RCU' was released at line " + last)
                    .WithAdditionalSpan("/0/Test0.cs", last, 21, last, 40));
        }

        /// <summary>The count stays exact past 64 levels: 65 acquires and 64 releases still hold, 100 and 100 balance, 100 and 101 release once too often.</summary>
        [Fact]
        public Task Count_IsExactPast64Levels() => Verify(@"
using MmLock; using K;
class C {
    static void Leaks() {
        {|#0:L.rcu_read_lock()|};
" + Repeat("        L.rcu_read_lock();\n", 64) + Repeat("        L.rcu_read_unlock();\n", 64) + @"    {|#1:}|}
    static void Balanced() {
" + Repeat("        L.rcu_read_lock();\n", 100) + Repeat("        L.rcu_read_unlock();\n", 100) + @"        L.synchronize_rcu();
    }
    static void OnceTooOften() {
" + Repeat("        L.rcu_read_lock();\n", 100) + Repeat("        L.rcu_read_unlock();\n", 100) + @"        {|#2:L.rcu_read_unlock()|};
    }
}",
            Diag("MM1004").WithLocation(1).WithAdditionalLocation(0).WithMessage("'G.RCU' is still held at this exit of 'Leaks' (acquired at line 5)"),
            Diag("MM1002").WithLocation(2).WithMessage("Releasing 'G.RCU', which is not held"));

        /// <summary>Nested loops, each inside its own RCU section: the loop heads reach their fixed point with the count at every depth.</summary>
        [Theory, InlineData(64), InlineData(100)]
        public Task NestedLoops_EachInItsOwnSection(int depth)
        {
            var code = new StringBuilder(@"
using MmLock; using K;
class C {
    [Requires(""K.G.RCU"")] static void under_rcu() { }
    static void M(int n) {
        {|#0:L.rcu_read_lock()|};
        for (int i = 0; i < n; i++) {
");
            for (int level = 1; level < depth; level++) code.Append($"        L.rcu_read_lock(); for (int i{level} = 0; i{level} < n; i{level}++) {{\n");
            code.Append(@"        under_rcu();
        {|#1:L.synchronize_rcu()|};
");
            code.Append(Repeat("        } L.rcu_read_unlock();\n", depth));
            // The outermost section's release (line 7 + (depth - 1) + 2 + depth), the last on every path.
            int last = 2 * depth + 8;
            code.Append(@"        {|#2:under_rcu()|};
    }
}");
            return Verify(code.ToString(),
                Diag("MM3001").WithLocation(1).WithAdditionalLocation(0).WithMessage("Calling 'synchronize_rcu' might sleep while 'G.RCU' is held (acquired at line 6)"),
                Diag("MM1001").WithLocation(2).WithMessage("Calling 'under_rcu' requires holding 'G.RCU'; 'G.RCU' was released at line " + last)
                    .WithAdditionalSpan("/0/Test0.cs", last, 11, last, 30));
        }

        /// <summary>
        /// A loop that releases one level per iteration from 100 levels deep: the loop head's count falls one level per visit until
        /// the context is maybe-held there (the slowest shape for the fixed point; far below its visit bound).
        /// </summary>
        [Fact]
        public Task LoopReleasing_From100Deep_IsMaybeHeldAfter() => Verify(@"
using MmLock; using K;
class C {
    static void M(int n) {
        {|#0:L.rcu_read_lock()|};
" + Repeat("        L.rcu_read_lock();\n", 99) + @"        while (n-- > 0) L.rcu_read_unlock();
    }
}", Diag("MM1005").WithLocation(0).WithMessage("'G.RCU' is held on some paths only where they join at line 105").WithAdditionalSpan("/0/Test0.cs", 105, 16, 105, 23));
    }
}
