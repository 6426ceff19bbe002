using System.Threading.Tasks;
using MmLock.CodeFixes;
using Xunit;

namespace MmLock.Analyzers.Tests.Fixes
{
    /// <summary>MM2005: widen the guarded section, or look the entry up again under the guard.</summary>
    public class GuardedReferenceTests
    {
        private const string Widen = GuardedReferenceCodeFix.WidenKey;
        private const string Again = GuardedReferenceCodeFix.LookUpAgainKey;

        [Fact]
        public Task WidenMovesTheReleaseAfterTheUse() => FixVerifier.VerifyMm<GuardedReferenceCodeFix>(@"
using M;
static class C
{
    public static ulong peek(vm_area_struct vma, ulong addr)
    {
        Kernel.hugetlb_vma_lock_read(vma);
        var ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
        Kernel.hugetlb_vma_unlock_read(vma);
        var v = Kernel.huge_ptep_get({|MM2005:ptep|});
        return v;
    }
}", @"
using M;
static class C
{
    public static ulong peek(vm_area_struct vma, ulong addr)
    {
        Kernel.hugetlb_vma_lock_read(vma);
        var ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
        var v = Kernel.huge_ptep_get(ptep);
        Kernel.hugetlb_vma_unlock_read(vma);
        return v;
    }
}", Widen, iterations: 1);

        [Fact]
        public Task WidenCoversEveryLaterUseInTheBlock() => FixVerifier.VerifyMm<GuardedReferenceCodeFix>(@"
using M;
static class C
{
    public static ulong peek(vm_area_struct vma, ulong addr)
    {
        Kernel.hugetlb_vma_lock_read(vma);
        var ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
        Kernel.hugetlb_vma_unlock_read(vma);
        var v = Kernel.huge_ptep_get({|MM2005:ptep|});
        if (v == 0)
            v = Kernel.huge_ptep_get({|MM2005:ptep|}) + 1;
        return v;
    }
}", @"
using M;
static class C
{
    public static ulong peek(vm_area_struct vma, ulong addr)
    {
        Kernel.hugetlb_vma_lock_read(vma);
        var ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
        var v = Kernel.huge_ptep_get(ptep);
        if (v == 0)
            v = Kernel.huge_ptep_get(ptep) + 1;
        Kernel.hugetlb_vma_unlock_read(vma);
        return v;
    }
}", Widen, iterations: 1);

        private const string HugetlbPeek = @"
using M;
static class C
{
    public static ulong hugetlb_peek(vm_area_struct vma, ulong addr)
    {
        pte_t? ptep;
        Kernel.hugetlb_vma_lock_read(vma);
        ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
        Kernel.hugetlb_vma_unlock_read(vma);
        return {|MM2005:ptep|} == null ? 0 : Kernel.huge_ptep_get({|MM2005:ptep|});
    }
}";

        [Fact]
        public Task HugetlbLookUpAgainUnderTheVmaLock() => FixVerifier.VerifyMm<GuardedReferenceCodeFix>(HugetlbPeek, @"
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
        try
        {
            ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
            return ptep == null ? 0 : Kernel.huge_ptep_get(ptep);
        }
        finally
        {
            Kernel.hugetlb_vma_unlock_read(vma);
        }
    }
}", Again, iterations: 1);

        [Fact]
        public Task HugetlbNoWidenOverAReturn() => FixVerifier.NotOfferedMm<GuardedReferenceCodeFix>(HugetlbPeek, Widen);

        private const string Reacquired = @"
using M;
static class C
{
    public static ulong fault(vm_area_struct vma, ulong addr)
    {
        Kernel.hugetlb_vma_lock_read(vma);
        var ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
        var v = Kernel.huge_ptep_get(ptep);
        Kernel.hugetlb_vma_unlock_read(vma);
        Kernel.cond_resched();
        Kernel.hugetlb_vma_lock_read(vma);
        v += Kernel.huge_ptep_get({|MM2005:ptep|});
        Kernel.hugetlb_vma_unlock_read(vma);
        return v;
    }
}";

        [Fact]
        public Task LookUpAgainInTheReacquiredSection() => FixVerifier.VerifyMm<GuardedReferenceCodeFix>(Reacquired, @"
using M;
static class C
{
    public static ulong fault(vm_area_struct vma, ulong addr)
    {
        Kernel.hugetlb_vma_lock_read(vma);
        var ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
        var v = Kernel.huge_ptep_get(ptep);
        Kernel.hugetlb_vma_unlock_read(vma);
        Kernel.cond_resched();
        Kernel.hugetlb_vma_lock_read(vma);
        ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
        v += Kernel.huge_ptep_get(ptep);
        Kernel.hugetlb_vma_unlock_read(vma);
        return v;
    }
}", Again, iterations: 1);

        [Fact]
        public Task NoWidenOverAReacquire() => FixVerifier.NotOfferedMm<GuardedReferenceCodeFix>(Reacquired, Widen);

        [Fact]
        public Task NothingWhenTheLookupsArgumentsAreOutOfScope() => FixVerifier.NotOfferedMm<GuardedReferenceCodeFix>(@"
using M;
static class C
{
    public static ulong peek(vm_area_struct vma, ulong addr)
    {
        pte_t? ptep;
        {
            var next = addr + K.PMD_SIZE;
            Kernel.hugetlb_vma_lock_read(vma);
            ptep = Kernel.huge_pte_offset(vma.vm_mm, next, K.PMD_SIZE);
            Kernel.hugetlb_vma_unlock_read(vma);
        }
        return Kernel.huge_ptep_get({|MM2005:ptep|});
    }
}");

        [Fact]
        public Task NoLookUpAgainWhenTheArgumentsHaveSideEffects() => FixVerifier.NotOfferedMm<GuardedReferenceCodeFix>(@"
using M;
static class C
{
    public static ulong peek(vm_area_struct vma, ulong addr)
    {
        Kernel.hugetlb_vma_lock_read(vma);
        var ptep = Kernel.huge_pte_offset(vma.vm_mm, addr++, K.PMD_SIZE);
        Kernel.hugetlb_vma_unlock_read(vma);
        return Kernel.huge_ptep_get({|MM2005:ptep|});
    }
}", Again);
    }
}
