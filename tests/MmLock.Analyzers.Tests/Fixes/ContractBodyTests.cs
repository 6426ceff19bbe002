using System.Threading.Tasks;
using MmLock.CodeFixes;
using Xunit;

namespace MmLock.Analyzers.Tests.Fixes
{
    /// <summary>MM1008: release on every path with a finally; acquire on every path by acquiring first.</summary>
    public class ContractBodyTests
    {
        private const string Release = ContractBodyCodeFix.ReleaseKey;
        private const string Acquire = ContractBodyCodeFix.AcquireKey;

        [Fact]
        public Task ReleaseMovesToAFinally() => FixVerifier.VerifyMm<ContractBodyCodeFix>(@"
using M;
static class C
{
    [MmLock.ReleasesShared(""mm.mmap_lock"")]
    public static void {|MM1008:ptdump_finish|}(mm_struct mm, bool failed)
    {
        if (failed)
            return;
        Kernel.mmap_read_unlock(mm);
    }
}", @"
using M;
static class C
{
    [MmLock.ReleasesShared(""mm.mmap_lock"")]
    public static void ptdump_finish(mm_struct mm, bool failed)
    {
        try
        {
            if (failed)
                return;
        }
        finally
        {
            Kernel.mmap_read_unlock(mm);
        }
    }
}", Release, iterations: 1);

        [Fact]
        public Task ReleasesAtTheEndOfEveryBranchBecomeOne() => FixVerifier.VerifyMm<ContractBodyCodeFix>(@"
using M;
static class C
{
    [MmLock.Releases(""ptl"")]
    public static int {|MM1008:unlock_and_count|}(spinlock_t ptl, int n)
    {
        if (n > 1)
        {
            Kernel.spin_unlock(ptl);
            return 1;
        }
        if (n < 0)
            return 2;
        Kernel.spin_unlock(ptl);
        return 0;
    }
}", @"
using M;
static class C
{
    [MmLock.Releases(""ptl"")]
    public static int unlock_and_count(spinlock_t ptl, int n)
    {
        try
        {
            if (n > 1)
            {
                return 1;
            }
            if (n < 0)
                return 2;
            return 0;
        }
        finally
        {
            Kernel.spin_unlock(ptl);
        }
    }
}", Release, iterations: 1);

        [Fact]
        public Task EmptyBodyGetsTheRelease() => FixVerifier.VerifyMm<ContractBodyCodeFix>(@"
using M;
static class C
{
    [MmLock.Releases(""ptl"")]
    public static void {|MM1008:drop|}(spinlock_t ptl)
    {
    }
}", @"
using M;
static class C
{
    [MmLock.Releases(""ptl"")]
    public static void drop(spinlock_t ptl)
    {
        Kernel.spin_unlock(ptl);
    }
}", Release, iterations: 1);

        [Fact]
        public Task NotOfferedWhenTheBodyWorksAfterItsRelease() => FixVerifier.NotOfferedMm<ContractBodyCodeFix>(@"
using M;
static class C
{
    [MmLock.Releases(""ptl"")]
    public static void {|MM1008:f|}(spinlock_t ptl, bool b)
    {
        if (b)
            return;
        Kernel.spin_unlock(ptl);
        Kernel.cond_resched();
    }
}");

        [Fact]
        public Task AcquireMovesToTheStart() => FixVerifier.VerifyMm<ContractBodyCodeFix>(@"
using M;
static class C
{
    [MmLock.Acquires(""ptl"")]
    public static void {|MM1008:lock_unless|}(spinlock_t ptl, bool b)
    {
        if (b)
            return;
        Kernel.spin_lock(ptl);
    }
}", @"
using M;
static class C
{
    [MmLock.Acquires(""ptl"")]
    public static void lock_unless(spinlock_t ptl, bool b)
    {
        Kernel.spin_lock(ptl);
        if (b)
            return;
    }
}", Acquire, iterations: 1);

        // Acquired in the other mode, or a Requires* body releasing its requirement: the intent is unknown, so no fix.
        [Fact]
        public Task NotOfferedForTheWrongModeOrARequirementReleased() => FixVerifier.NotOffered<ContractBodyCodeFix>(@"
using MmLock; using K;
static class C
{
    [AcquiresShared(""s"")] static void {|MM1008:read_lock|}(rw_semaphore s) { L.down_write(s); }
    [Requires(""l"")] static void {|MM1008:drop|}(spinlock_t l) { L.spin_unlock(l); }
}");

        [Fact]
        public Task NotOfferedWhenTheAcquireUsesWhatPrecedesIt() => FixVerifier.NotOfferedMm<ContractBodyCodeFix>(@"
using M;
static class C
{
    [MmLock.Acquires(""vma.vm_mm.mmap_lock"")]
    public static void {|MM1008:lock_vma_mm|}(vm_area_struct vma, bool b)
    {
        if (b)
            return;
        var mm = vma.vm_mm;
        Kernel.mmap_write_lock(mm);
    }
}");

        /// <summary>Acquired in a branch only: the acquire runs first; the branch it leaves empty goes (its condition does nothing).</summary>
        [Fact]
        public Task AcquireInABranchMovesToTheStart() => FixVerifier.VerifyMm<ContractBodyCodeFix>(@"
using M;
static class C
{
    [MmLock.Acquires(""ptl"")]
    public static void {|MM1008:f|}(spinlock_t ptl, bool b)
    {
        if (b)
        {
            {|MM1005:Kernel.spin_lock(ptl)|};
        }
    }
}", @"
using M;
static class C
{
    [MmLock.Acquires(""ptl"")]
    public static void f(spinlock_t ptl, bool b)
    {
        Kernel.spin_lock(ptl);
    }
}", Acquire, iterations: 1);

        [Fact]
        public Task AcquireInABranchThatReturnsMovesToTheStart() => FixVerifier.VerifyMm<ContractBodyCodeFix>(@"
using M;
static class C
{
    [MmLock.Acquires(""ptl"")]
    public static int {|MM1008:f|}(spinlock_t ptl, bool b)
    {
        if (b)
        {
            Kernel.spin_lock(ptl);
            return 1;
        }
        return 0;
    }
}", @"
using M;
static class C
{
    [MmLock.Acquires(""ptl"")]
    public static int f(spinlock_t ptl, bool b)
    {
        Kernel.spin_lock(ptl);
        if (b)
        {
            return 1;
        }
        return 0;
    }
}", Acquire, iterations: 1);

        [Fact]
        public Task EmptyBodyGetsTheAcquire() => FixVerifier.VerifyMm<ContractBodyCodeFix>(@"
using M;
static class C
{
    [MmLock.Acquires(""ptl"")]
    public static void {|MM1008:f|}(spinlock_t ptl)
    {
    }
}", @"
using M;
static class C
{
    [MmLock.Acquires(""ptl"")]
    public static void f(spinlock_t ptl)
    {
        Kernel.spin_lock(ptl);
    }
}", Acquire, iterations: 1);

        [Fact]
        public Task BodyWithoutTheAcquireGetsItFirst() => FixVerifier.VerifyMm<ContractBodyCodeFix>(@"
using M;
static class C
{
    [MmLock.Acquires(""ptl"")]
    public static int {|MM1008:f|}(spinlock_t ptl, int n)
    {
        return n + 1;
    }
}", @"
using M;
static class C
{
    [MmLock.Acquires(""ptl"")]
    public static int f(spinlock_t ptl, int n)
    {
        Kernel.spin_lock(ptl);
        return n + 1;
    }
}", Acquire, iterations: 1);

        [Fact]
        public Task ExpressionBodyGetsABlockWithTheAcquire() => FixVerifier.VerifyMm<ContractBodyCodeFix>(@"
using M;
static class C
{
    [MmLock.Acquires(""ptl"")]
    public static void {|MM1008:f|}(spinlock_t ptl) => System.Console.WriteLine();
}", @"
using M;
static class C
{
    [MmLock.Acquires(""ptl"")]
    public static void f(spinlock_t ptl)
    {
        Kernel.spin_lock(ptl);
        System.Console.WriteLine();
    }
}", Acquire, iterations: 1);

        /// <summary>The release fix on an expression body used to throw (it replaced the arrow by a block).</summary>
        [Fact]
        public Task ThrowingExpressionBodyGetsTheReleaseInAFinally() => FixVerifier.VerifyMm<ContractBodyCodeFix>(@"
using M;
static class C
{
    [MmLock.Releases(""ptl"")]
    public static void {|MM1008:f|}(spinlock_t ptl) => throw new System.NotImplementedException();
}", @"
using M;
static class C
{
    [MmLock.Releases(""ptl"")]
    public static void f(spinlock_t ptl)
    {
        try
        {
            throw new System.NotImplementedException();
        }
        finally
        {
            Kernel.spin_unlock(ptl);
        }
    }
}", Release, iterations: 1);

        [Fact]
        public Task ThrowOnlyReleasesBodyGetsTheReleaseInAFinally() => FixVerifier.VerifyMm<ContractBodyCodeFix>(@"
using M;
static class C
{
    [MmLock.Releases(""ptl"")]
    public static void {|MM1008:f|}(spinlock_t ptl)
    {
        throw new System.NotImplementedException();
    }
}", @"
using M;
static class C
{
    [MmLock.Releases(""ptl"")]
    public static void f(spinlock_t ptl)
    {
        try
        {
            throw new System.NotImplementedException();
        }
        finally
        {
            Kernel.spin_unlock(ptl);
        }
    }
}", Release, iterations: 1);

        /// <summary>Acquiring before the throw would leave the lock held on an exception path no caller expects.</summary>
        [Fact]
        public Task NotOfferedForAThrowOnlyAcquiresBody() => FixVerifier.NotOfferedMm<ContractBodyCodeFix>(@"
using M;
static class C
{
    [MmLock.Acquires(""ptl"")]
    public static void {|MM1008:f|}(spinlock_t ptl)
    {
        throw new System.NotImplementedException();
    }
}");

        /// <summary>The condition tests what the acquire is given: moving it out would lock what the test protects against.</summary>
        [Fact]
        public Task NotOfferedWhenTheConditionReadsTheContext() => FixVerifier.NotOfferedMm<ContractBodyCodeFix>(@"
using M;
static class C
{
    [MmLock.Acquires(""ptl"")]
    public static void {|MM1008:f|}(spinlock_t ptl)
    {
        if (ptl != null)
            {|MM1005:Kernel.spin_lock(ptl)|};
    }
}");

        /// <summary>An acquire in a loop runs once per iteration: moving it out changes how often.</summary>
        [Fact]
        public Task NotOfferedForAnAcquireInALoop() => FixVerifier.NotOfferedMm<ContractBodyCodeFix>(@"
using M;
static class C
{
    [MmLock.Acquires(""ptl"")]
    public static void {|MM1008:f|}(spinlock_t ptl, int n)
    {
        for (int i = 0; i < n; i++)
        {
            Kernel.spin_lock(ptl);
            return;
        }
    }
}");

        /// <summary>A body that takes or drops another context than its contract names: which was meant is the author's call.</summary>
        [Fact]
        public Task NotOfferedForTheWrongContext() => FixVerifier.NotOfferedMm<ContractBodyCodeFix>(@"
using M;
static class C
{
    [MmLock.Acquires(""a"")]
    public static void {|MM1008:take|}(spinlock_t a, spinlock_t b)
    {
        Kernel.spin_lock(b);
    {|MM1004:}|}

    [MmLock.Releases(""a"")]
    public static void {|MM1008:drop|}(spinlock_t a, spinlock_t b)
    {
        {|MM1002:Kernel.spin_unlock(b)|};
    }
}");
    }
}
