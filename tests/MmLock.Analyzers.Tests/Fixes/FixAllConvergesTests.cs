using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeFixes;
using MmLock.Analyzers.Tests.Rules;
using MmLock.Analyzers.Tests.Verification;
using MmLock.CodeFixes;
using Xunit;

namespace MmLock.Analyzers.Tests.Fixes
{
    /// <summary>
    /// Fix All where the batch fixer dropped overlapping edits: one application (MemberFixAll, member by member, analyzed again
    /// after each edit) leaves none of the fixed ID, at document, project and solution scope.
    /// </summary>
    public class FixAllConvergesTests
    {
        private static Task Run<TFix>(FixAllScope scope, string key, string source, string fixedSource) where TFix : CodeFixProvider, new()
        {
            var test = FixVerifier.Create<TFix>(Kernel.Prelude, source, fixedSource, key);
            test.FixAllScope = scope;
            test.ExpectedBatchIterations = 1;
            return test.RunAsync();
        }

        private const string TwoLeaks = @"
using MmLock; using K;
class C
{
    static void f(spinlock_t a, spinlock_t b)
    {
        L.spin_lock(a);
        L.spin_lock(b);
        a.ToString();
    {|MM1004:{|MM1004:}|}|}
}";

        private const string TwoLeaksFixed = @"
using MmLock; using K;
class C
{
    static void f(spinlock_t a, spinlock_t b)
    {
        L.spin_lock(a);
        try
        {
            L.spin_lock(b);
            try
            {
                a.ToString();
            }
            finally
            {
                L.spin_unlock(b);
            }
        }
        finally
        {
            L.spin_unlock(a);
        }
    }
}";

        /// <summary>Two leaks at one '}': both finallys in one Fix All (the batch fixer kept one).</summary>
        [Theory]
        [InlineData(FixAllScope.Document)]
        [InlineData(FixAllScope.Project)]
        [InlineData(FixAllScope.Solution)]
        public Task TwoLeaksAtOneBraceGetBothFinallys(FixAllScope scope) =>
            Run<AddMissingReleaseCodeFix>(scope, AddMissingReleaseCodeFix.EquivalenceKey, TwoLeaks, TwoLeaksFixed);

        private const string ThreeRequirements = @"
using MmLock; using K;
class C
{
    [Requires(""a"")] static void x(spinlock_t a) { }
    [RequiresShared(""mm.mmap_lock"")] static void y(mm_struct mm) { }
    [Requires(""m"")] static void z(mutex m) { }

    static void f(spinlock_t a, mm_struct mm, mutex m)
    {
        {|MM1001:x(a)|};
        {|MM1001:y(mm)|};
        {|MM1001:z(m)|};
    }
}";

        private const string ThreeRequirementsMoved = @"
using MmLock; using K;
class C
{
    [Requires(""a"")] static void x(spinlock_t a) { }
    [RequiresShared(""mm.mmap_lock"")] static void y(mm_struct mm) { }
    [Requires(""m"")] static void z(mutex m) { }

    [Requires(""a"")]
    [RequiresShared(""mm.mmap_lock"")]
    [Requires(""m"")]
    static void f(spinlock_t a, mm_struct mm, mutex m)
    {
        x(a);
        y(mm);
        z(m);
    }
}";

        /// <summary>Three requirements competing for one attribute list: all three moved in one Fix All (the batch fixer kept one).</summary>
        [Theory]
        [InlineData(FixAllScope.Document)]
        [InlineData(FixAllScope.Project)]
        [InlineData(FixAllScope.Solution)]
        public Task RequirementsMovedToOneCallerAllLand(FixAllScope scope) =>
            Run<RequirementCodeFix>(scope, "MM1001" + RequirementCodeFix.MoveSuffix, ThreeRequirements, ThreeRequirementsMoved);
    }
}
