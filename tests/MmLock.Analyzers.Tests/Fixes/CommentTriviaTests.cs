using System.Threading.Tasks;
using MmLock.CodeFixes;
using Xunit;

namespace MmLock.Analyzers.Tests.Fixes
{
    /// <summary>
    /// Every fix that wraps, moves or inserts statements keeps each comment exactly once: a comment line before a wrapped
    /// range goes in front of the wrap, a trailing comment stays on its statement (inside the wrap or the new block), and a
    /// moved or removed statement's comments go with it (onto the release that replaces it).
    /// </summary>
    public class CommentTriviaTests
    {
        [Fact]
        public Task WrapTryFinallyKeepsEachComment() => FixVerifier.Verify<RequirementCodeFix>(@"
using MmLock; using K;
class C
{
    [RequiresShared(""mm.mmap_lock"")] static int find(mm_struct mm) => 0;

    static void f(mm_struct mm)
    {
        // look it up
        var n = {|MM1001:find(mm)|}; // under the read lock
        System.Console.WriteLine(n); // print it
        mm.ToString(); // after
    }
}", @"
using MmLock; using K;
class C
{
    [RequiresShared(""mm.mmap_lock"")] static int find(mm_struct mm) => 0;

    static void f(mm_struct mm)
    {
        // look it up
        L.mmap_read_lock(mm);
        try
        {
            var n = find(mm); // under the read lock
            System.Console.WriteLine(n); // print it
        }
        finally
        {
            L.mmap_read_unlock(mm);
        }
        mm.ToString(); // after
    }
}", "MM1001.WrapTryFinally", iterations: 1);

        [Fact]
        public Task WrapOfAnEmbeddedStatementKeepsItsCommentInsideTheBlock() => FixVerifier.Verify<RequirementCodeFix>(@"
using MmLock; using K;
class C
{
    [Requires(""l"")] static void need(spinlock_t l) { }

    static void f(mm_struct mm, bool b)
    {
        // only when asked
        if (b)
            {|MM1001:need(mm.page_table_lock)|}; // set it
        mm.ToString();
    }
}", @"
using MmLock; using K;
class C
{
    [Requires(""l"")] static void need(spinlock_t l) { }

    static void f(mm_struct mm, bool b)
    {
        // only when asked
        if (b)
        {
            L.spin_lock(mm.page_table_lock);
            try
            {
                need(mm.page_table_lock); // set it
            }
            finally
            {
                L.spin_unlock(mm.page_table_lock);
            }
        }
        mm.ToString();
    }
}", "MM1001.WrapTryFinally", iterations: 1);

        [Fact]
        public Task WrapUsingKeepsEachComment() => FixVerifier.Verify<RequirementCodeFix>(@"
using MmLock; using K;
[ScopedGuard] public struct rcu_guard : System.IDisposable
{
    [AcquiresShared(""K.G.RCU""), NoLockAnalysis(""primitive"")] public static rcu_guard enter() => default;
    public void Dispose() { }
}
class C
{
    [RequiresShared(""K.G.RCU"")] static int under_rcu() => 0;

    static void f()
    {
        // read it
        var n = {|MM1001:under_rcu()|}; // under RCU
        System.Console.WriteLine(n); // print it
    }
}", @"
using MmLock; using K;
[ScopedGuard] public struct rcu_guard : System.IDisposable
{
    [AcquiresShared(""K.G.RCU""), NoLockAnalysis(""primitive"")] public static rcu_guard enter() => default;
    public void Dispose() { }
}
class C
{
    [RequiresShared(""K.G.RCU"")] static int under_rcu() => 0;

    static void f()
    {
        // read it
        using (var guard = rcu_guard.enter())
        {
            var n = under_rcu(); // under RCU
            System.Console.WriteLine(n); // print it
        }
    }
}", "MM1001.WrapUsing");

        [Fact]
        public Task MultiGuardWrapKeepsEachComment() => FixVerifier.VerifyMm<RequirementCodeFix>(@"
using M;
static class C
{
    public static void ptdump_walk(mm_struct mm)
    {
        // the whole kernel range
        {|MM2001:{|MM2001:Kernel.walk_page_range_novma(mm, 0, 1)|}|}; // walk it
    }
}", @"
using M;
static class C
{
    public static void ptdump_walk(mm_struct mm)
    {
        // the whole kernel range
        Kernel.get_online_mems();
        try
        {
            Kernel.mmap_write_lock(K.init_mm);
            try
            {
                Kernel.walk_page_range_novma(mm, 0, 1); // walk it
            }
            finally
            {
                Kernel.mmap_write_unlock(K.init_mm);
            }
        }
        finally
        {
            Kernel.put_online_mems();
        }
    }
}", "MM2001.WrapTryFinally", iterations: 1);

        [Fact]
        public Task ReleaseFinallyKeepsEachComment() => FixVerifier.Verify<AddMissingReleaseCodeFix>(@"
using MmLock; using K;
class C
{
    static int f(spinlock_t l, bool b)
    {
        L.spin_lock(l); // take it
        // early exit
        if (b)
            {|MM1004:return 1;|} // nothing to do
        l.ToString(); // work
        {|MM1004:return 0;|} // done
    }
}", @"
using MmLock; using K;
class C
{
    static int f(spinlock_t l, bool b)
    {
        L.spin_lock(l); // take it
        // early exit
        try
        {
            if (b)
                return 1; // nothing to do
            l.ToString(); // work
            return 0; // done
        }
        finally
        {
            L.spin_unlock(l);
        }
    }
}", AddMissingReleaseCodeFix.EquivalenceKey, iterations: 1);

        /// <summary>A release the finally replaces takes its comments into the finally.</summary>
        [Fact]
        public Task ReleaseFinallyTakesTheRemovedReleasesComments() => FixVerifier.Verify<AddMissingReleaseCodeFix>(@"
using MmLock; using K;
class C
{
    static int f(spinlock_t l, bool b)
    {
        L.spin_lock(l);
        if (b)
            {|MM1004:return 1;|}
        // drop it
        L.spin_unlock(l); // last
        return 0;
    }
}", @"
using MmLock; using K;
class C
{
    static int f(spinlock_t l, bool b)
    {
        L.spin_lock(l);
        try
        {
            if (b)
                return 1;
            return 0;
        }
        finally
        {
            // drop it
            L.spin_unlock(l); // last
        }
    }
}", AddMissingReleaseCodeFix.EquivalenceKey, iterations: 1);

        [Fact]
        public Task ReleaseBeforeAnEmbeddedExitKeepsItsCommentOnTheExit() => FixVerifier.Verify<AddMissingReleaseCodeFix>(@"
using MmLock; using K;
class C
{
    static int f(spinlock_t l, bool b)
    {
        L.spin_lock(l);
        if (b)
            {|MM1004:return 1;|} // early
        L.spin_unlock(l);
        return 0;
    }
}", @"
using MmLock; using K;
class C
{
    static int f(spinlock_t l, bool b)
    {
        L.spin_lock(l);
        if (b)
        {
            L.spin_unlock(l);
            return 1; // early
        }
        L.spin_unlock(l);
        return 0;
    }
}", AddMissingReleaseCodeFix.BeforeExitKey, iterations: 1);

        /// <summary>A comment line before the exit describes the way out: the release goes after it, right before the exit.</summary>
        [Fact]
        public Task ReleaseBeforeAnExitInABlockKeepsItsComments() => FixVerifier.Verify<AddMissingReleaseCodeFix>(@"
using MmLock; using K;
class C
{
    static int f(spinlock_t l, bool b)
    {
        L.spin_lock(l);
        if (b)
        {
            // early
            {|MM1004:return 1;|} // one
        }
        L.spin_unlock(l);
        return 0;
    }
}", @"
using MmLock; using K;
class C
{
    static int f(spinlock_t l, bool b)
    {
        L.spin_lock(l);
        if (b)
        {
            // early
            L.spin_unlock(l);
            return 1; // one
        }
        L.spin_unlock(l);
        return 0;
    }
}", AddMissingReleaseCodeFix.BeforeExitKey, iterations: 1);

        [Fact]
        public Task ContractReleaseFinallyTakesTheRemovedReleasesComments() => FixVerifier.VerifyMm<ContractBodyCodeFix>(@"
using M;
static class C
{
    [MmLock.ReleasesShared(""mm.mmap_lock"")]
    public static void {|MM1008:ptdump_finish|}(mm_struct mm, bool failed)
    {
        // nothing walked
        if (failed)
            return; // early
        // done walking
        Kernel.mmap_read_unlock(mm); // drop it
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
            // nothing walked
            if (failed)
                return; // early
        }
        finally
        {
            // done walking
            Kernel.mmap_read_unlock(mm); // drop it
        }
    }
}", ContractBodyCodeFix.ReleaseKey, iterations: 1);

        [Fact]
        public Task AcquireFirstMovesTheAcquiresComments() => FixVerifier.VerifyMm<ContractBodyCodeFix>(@"
using M;
static class C
{
    [MmLock.Acquires(""ptl"")]
    public static void {|MM1008:lock_unless|}(spinlock_t ptl, bool b)
    {
        // skip?
        if (b)
            return; // yes
        // take it
        Kernel.spin_lock(ptl); // held from here
    }
}", @"
using M;
static class C
{
    [MmLock.Acquires(""ptl"")]
    public static void lock_unless(spinlock_t ptl, bool b)
    {
        // take it
        Kernel.spin_lock(ptl); // held from here
        // skip?
        if (b)
            return; // yes
    }
}", ContractBodyCodeFix.AcquireKey, iterations: 1);

        /// <summary>The branch the acquire leaves has a comment of its own: it stays, empty, with the comment.</summary>
        [Fact]
        public Task AcquireFirstKeepsACommentedBranch() => FixVerifier.VerifyMm<ContractBodyCodeFix>(@"
using M;
static class C
{
    [MmLock.Acquires(""ptl"")]
    public static void {|MM1008:f|}(spinlock_t ptl, bool b)
    {
        if (b) // only sometimes
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
        if (b) // only sometimes
        {
        }
    }
}", ContractBodyCodeFix.AcquireKey, iterations: 1);

        private const string Sleeping = @"
using M;
static class C
{
    public static int f(spinlock_t ptl, ulong to, ulong value)
    {
        // take it
        Kernel.spin_lock(ptl); // atomic from here
        // copy out
        {|MM3001:Kernel.copy_to_user(to, value)|}; // may fault
        ptl.ToString(); // in the section
        // drop it
        Kernel.spin_unlock(ptl); // sleeping is fine again
        return 0;
    }
}";

        [Fact]
        public Task MoveAfterTheReleaseTakesTheCallsComments() => FixVerifier.VerifyMm<SleepingCallCodeFix>(Sleeping, @"
using M;
static class C
{
    public static int f(spinlock_t ptl, ulong to, ulong value)
    {
        // take it
        Kernel.spin_lock(ptl); // atomic from here
        ptl.ToString(); // in the section
        // drop it
        Kernel.spin_unlock(ptl); // sleeping is fine again
        // copy out
        Kernel.copy_to_user(to, value); // may fault
        return 0;
    }
}", SleepingCallCodeFix.AfterKey, iterations: 1);

        [Fact]
        public Task MoveBeforeTheAcquireTakesTheCallsComments() => FixVerifier.VerifyMm<SleepingCallCodeFix>(Sleeping, @"
using M;
static class C
{
    public static int f(spinlock_t ptl, ulong to, ulong value)
    {
        // copy out
        Kernel.copy_to_user(to, value); // may fault
        // take it
        Kernel.spin_lock(ptl); // atomic from here
        ptl.ToString(); // in the section
        // drop it
        Kernel.spin_unlock(ptl); // sleeping is fine again
        return 0;
    }
}", SleepingCallCodeFix.BeforeKey, iterations: 1);

        [Fact]
        public Task WidenMovesTheReleaseWithItsComments() => FixVerifier.VerifyMm<GuardedReferenceCodeFix>(@"
using M;
static class C
{
    public static ulong peek(vm_area_struct vma, ulong addr)
    {
        Kernel.hugetlb_vma_lock_read(vma);
        var ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE); // look up
        // done with the table
        Kernel.hugetlb_vma_unlock_read(vma); // drop it
        // read the entry
        var v = Kernel.huge_ptep_get({|MM2005:ptep|}); // late
        return v; // done
    }
}", @"
using M;
static class C
{
    public static ulong peek(vm_area_struct vma, ulong addr)
    {
        Kernel.hugetlb_vma_lock_read(vma);
        var ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE); // look up
        // read the entry
        var v = Kernel.huge_ptep_get(ptep); // late
        // done with the table
        Kernel.hugetlb_vma_unlock_read(vma); // drop it
        return v; // done
    }
}", GuardedReferenceCodeFix.WidenKey, iterations: 1);

        [Fact]
        public Task LookUpAgainUnderAGuardKeepsEachComment() => FixVerifier.VerifyMm<GuardedReferenceCodeFix>(@"
using M;
static class C
{
    public static ulong hugetlb_peek(vm_area_struct vma, ulong addr)
    {
        pte_t? ptep;
        Kernel.hugetlb_vma_lock_read(vma);
        ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
        Kernel.hugetlb_vma_unlock_read(vma);
        // read the entry
        var v = Kernel.huge_ptep_get({|MM2005:ptep|}); // late
        return v; // done
    }
}", @"
using M;
static class C
{
    public static ulong hugetlb_peek(vm_area_struct vma, ulong addr)
    {
        pte_t? ptep;
        Kernel.hugetlb_vma_lock_read(vma);
        ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
        Kernel.hugetlb_vma_unlock_read(vma);
        // read the entry
        Kernel.hugetlb_vma_lock_read(vma);
        try
        {
            ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
            var v = Kernel.huge_ptep_get(ptep); // late
            return v; // done
        }
        finally
        {
            Kernel.hugetlb_vma_unlock_read(vma);
        }
    }
}", GuardedReferenceCodeFix.LookUpAgainKey, iterations: 1);

        [Fact]
        public Task LookUpAgainInAReacquiredSectionKeepsEachComment() => FixVerifier.VerifyMm<GuardedReferenceCodeFix>(@"
using M;
static class C
{
    public static ulong hugetlb_peek(vm_area_struct vma, ulong addr)
    {
        pte_t? ptep;
        Kernel.hugetlb_vma_lock_read(vma);
        ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
        Kernel.hugetlb_vma_unlock_read(vma);
        Kernel.hugetlb_vma_lock_read(vma);
        // read the entry
        var v = Kernel.huge_ptep_get({|MM2005:ptep|}); // late
        Kernel.hugetlb_vma_unlock_read(vma);
        return v;
    }
}", @"
using M;
static class C
{
    public static ulong hugetlb_peek(vm_area_struct vma, ulong addr)
    {
        pte_t? ptep;
        Kernel.hugetlb_vma_lock_read(vma);
        ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
        Kernel.hugetlb_vma_unlock_read(vma);
        Kernel.hugetlb_vma_lock_read(vma);
        // read the entry
        ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
        var v = Kernel.huge_ptep_get(ptep); // late
        Kernel.hugetlb_vma_unlock_read(vma);
        return v;
    }
}", GuardedReferenceCodeFix.LookUpAgainKey, iterations: 1);
    }
}
