using System.Threading.Tasks;
using Xunit;
using static MmLock.Analyzers.Tests.Verification.Verify;
using static MmLock.Analyzers.Tests.Rules.Kernel;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>Contract §3.1: a [ReturnsGuarded] reference that escapes its guard is MM2005 at the escape.</summary>
    public partial class PageTableRulesTests
    {
        [Fact]
        public Task MM2005_StoredIntoAFieldOrAnArrayElement_IsAnEscape() => Verify(HugetlbSpace + @"
class C
{
    static pte_t cached;
    static pte_t[] slots = new pte_t[1];
    static void store(hvma vma, ulong addr)
    {
        L.down_read(vma.vma_lock);
        var pte = {|#1:H.huge_pte_offset(vma.vm_mm, addr)|};
        {|#0:cached = pte|};
        {|#2:slots[0] = H.huge_pte_offset(vma.vm_mm, addr)|};
        var v = H.huge_ptep_get(pte);
        L.up_read(vma.vma_lock);
    }
}", PmdSharing,
            Diag("MM2005").WithLocation(0).WithAdditionalLocation(1).WithMessage("The entry from 'huge_pte_offset' in 'pte' escapes the guard of 'vma.vma_lock': stored into field 'cached'"),
            Diag("MM2005").WithLocation(2).WithMessage("The entry from 'huge_pte_offset' escapes the guard of 'vma.vma_lock': stored into an array element"));

        [Fact]
        public Task MM2005_CapturedByALambda_IsAnEscape_OnceAtTheFirstRead() => Verify(HugetlbSpace + @"
class C
{
    static System.Func<ulong> later(hvma vma, ulong addr)
    {
        L.down_read(vma.mapping.i_mmap_rwsem);
        var pte = {|#1:H.huge_pte_offset(vma.vm_mm, addr)|};
        System.Func<ulong> f = () => H.huge_ptep_get({|#0:pte|}) + H.huge_ptep_get(pte);
        L.up_read(vma.mapping.i_mmap_rwsem);
        return f;
    }
}", PmdSharing,
            Diag("MM2005").WithLocation(0).WithAdditionalLocation(1).WithMessage("The entry from 'huge_pte_offset' in 'pte' escapes the guard of 'vma.mapping.i_mmap_rwsem': captured by a lambda"));

        /// <summary>A local function reading it, called or converted while the local holds the reference (or after the release).</summary>
        [Fact]
        public Task MM2005_CapturedByALocalFunction_IsAnEscapeWhereItIsCalledOrConverted() => Verify(HugetlbSpace + @"
class C
{
    static System.Func<ulong> later(hvma vma, ulong addr)
    {
        L.down_read(vma.vma_lock);
        var pte = {|#1:H.huge_pte_offset(vma.vm_mm, addr)|};
        ulong get() => H.huge_ptep_get({|#0:pte|});
        System.Func<ulong> f = get;
        L.up_read(vma.vma_lock);
        return f;
    }
    static ulong called_after(hvma vma, ulong addr)
    {
        L.down_read(vma.vma_lock);
        var pte = H.huge_pte_offset(vma.vm_mm, addr);
        L.up_read(vma.vma_lock);
        return get();
        ulong get() => H.huge_ptep_get({|#2:pte|});
    }
    static ulong unrelated(hvma vma, ulong addr)
    {
        L.down_read(vma.vma_lock);
        var pte = H.huge_pte_offset(vma.vm_mm, addr);
        var v = twice(addr) + H.huge_ptep_get(pte);
        L.up_read(vma.vma_lock);
        return v;
        static ulong twice(ulong x) => 2 * x;
    }
}", PmdSharing,
            Diag("MM2005").WithLocation(0).WithAdditionalLocation(1).WithMessage("The entry from 'huge_pte_offset' in 'pte' escapes the guard of 'vma.vma_lock': captured by local function 'get'"),
            Diag("MM2005").WithLocation(2).WithMessage("The entry from 'huge_pte_offset' in 'pte' escapes the guard of 'vma.vma_lock': captured by local function 'get'"));

        [Fact]
        public Task MM2005_ReturnedByAMemberWithoutReturnsGuarded_IsAnEscape_ThroughAFinallyToo() => Verify(HugetlbSpace + @"
class C
{
    static pte_t direct(hvma vma, ulong addr)
    {
        L.down_read(vma.vma_lock);
        var pte = H.huge_pte_offset(vma.vm_mm, addr);
        if (addr == 0) {|#0:return pte;|}
        L.up_read(vma.vma_lock);
        return null;
    }
    static pte_t through_finally(hvma vma, ulong addr)
    {
        L.down_read(vma.vma_lock);
        try { {|#1:return H.huge_pte_offset(vma.vm_mm, addr);|} }
        finally { L.up_read(vma.vma_lock); }
    }
}", PmdSharing,
            // The first leaks the lock on that return too.
            Diag("MM1004").WithLocation(0).WithAdditionalSpan("/0/Test0.cs", 22, 9, 22, 34).WithMessage("'vma.vma_lock' is still held at this exit of 'direct' (acquired at line 22)"),
            Diag("MM2005").WithLocation(0).WithMessage("The entry from 'huge_pte_offset' in 'pte' escapes the guard of 'vma.vma_lock': returned by 'direct', which is not [ReturnsGuarded]"),
            Diag("MM2005").WithLocation(1).WithMessage("The entry from 'huge_pte_offset' escapes the guard of 'vma.vma_lock': returned by 'through_finally', which is not [ReturnsGuarded]"));

        /// <summary>
        /// No escape: passed to a call, stored into a local, returned by a [ReturnsGuarded] member, or a reference that never
        /// expires (the caller's contract covers it; no requirement in this build).
        /// </summary>
        [Fact]
        public Task MM2005_NoEscape_ForCallsLocalsReturnsGuardedAndReferencesThatNeverExpire() => Verify(HugetlbSpace + @"
class C
{
    static pte_t cached;
    static ulong local_and_call(hvma vma, ulong addr)
    {
        L.down_read(vma.vma_lock);
        var pte = H.huge_pte_offset(vma.vm_mm, addr);
        var copy = pte;
        var v = H.huge_ptep_get(copy);
        L.up_read(vma.vma_lock);
        return v;
    }
    [ReturnsGuarded, RequiresShared(""vma.vma_lock"")]
    static pte_t guarded(hvma vma, ulong addr) => H.huge_pte_offset(vma.vm_mm, addr);
    [RequiresShared(""vma.mapping.i_mmap_rwsem"")]
    static pte_t covered_by_the_caller(hvma vma, ulong addr)
    {
        cached = H.huge_pte_offset(vma.vm_mm, addr);
        return cached;
    }
}", PmdSharing);

        [Fact]
        public Task MM2005_NoEscapeWithoutPmdSharing() => Verify(HugetlbSpace + @"
class C
{
    static pte_t cached;
    static pte_t store(hvma vma, ulong addr)
    {
        L.down_read(vma.vma_lock);
        cached = H.huge_pte_offset(vma.vm_mm, addr);
        L.up_read(vma.vma_lock);
        return cached;
    }
}");
    }
}
