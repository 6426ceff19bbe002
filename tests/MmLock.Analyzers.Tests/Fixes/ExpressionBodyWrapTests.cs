using System.Threading.Tasks;
using MmLock.CodeFixes;
using Xunit;

namespace MmLock.Analyzers.Tests.Fixes
{
    /// <summary>MM1001 in expression bodies: the body becomes a block body, then the call is wrapped; the wrap is the first action.</summary>
    public class ExpressionBodyWrapTests
    {
        private const string ReadmePrimitives = @"
using MmLock;

[Context(Atomic = true)] public sealed class spinlock_t { }

public static class Locks
{
    [Acquires(""l""), NoLockAnalysis(""primitive"")] public static void spin_lock(spinlock_t l) { }
    [Releases(""l""), NoLockAnalysis(""primitive"")] public static void spin_unlock(spinlock_t l) { }
}
";

        /// <summary>The README's example: the first action (what dotnet format applies) wraps the call; it does not move the requirement to the caller.</summary>
        [Fact]
        public Task ReadmeExampleIsWrappedByTheFirstAction() => FixVerifier.Create<RequirementCodeFix>(ReadmePrimitives, @"
using MmLock;

public static class Tables
{
    [Requires(""ptl"")] public static void set_pte_locked(spinlock_t ptl, ulong pte) { }

    public static void Broken(spinlock_t ptl) => {|MM1001:set_pte_locked(ptl, 0)|};
}
", @"
using MmLock;

public static class Tables
{
    [Requires(""ptl"")] public static void set_pte_locked(spinlock_t ptl, ulong pte) { }

    public static void Broken(spinlock_t ptl)
    {
        Locks.spin_lock(ptl);
        try
        {
            set_pte_locked(ptl, 0);
        }
        finally
        {
            Locks.spin_unlock(ptl);
        }
    }
}
", equivalenceKey: null, iterations: 1).RunAsync();

        [Fact]
        public Task ValueReturningExpressionBodyReturnsInsideTheTry() => FixVerifier.Verify<RequirementCodeFix>(@"
using MmLock; using K;
class C
{
    [RequiresShared(""mm.mmap_lock"")] static int find(mm_struct mm) => 0;

    static int f(mm_struct mm) => {|MM1001:find(mm)|} + 1; // counted
}", @"
using MmLock; using K;
class C
{
    [RequiresShared(""mm.mmap_lock"")] static int find(mm_struct mm) => 0;

    static int f(mm_struct mm)
    {
        L.mmap_read_lock(mm);
        try
        {
            return find(mm) + 1; // counted
        }
        finally
        {
            L.mmap_read_unlock(mm);
        }
    }
}", "MM1001.WrapTryFinally", iterations: 1);
    }
}
