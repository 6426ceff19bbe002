using System.Threading.Tasks;
using MmLock.CodeFixes;
using Xunit;

namespace MmLock.Analyzers.Tests.Fixes
{
    /// <summary>
    /// MM2005 at an escape (contract §3.1) gets no fix: where the reference goes (a field, a lambda, a caller) runs outside
    /// the section, so neither widening it nor looking the entry up again inside it covers that use.
    /// </summary>
    public class GuardedReferenceEscapeFixTests
    {
        [Fact]
        public Task NoFixForAStoreALambdaOrAReturn() => FixVerifier.NotOfferedMm<GuardedReferenceCodeFix>(@"
using M;
static class C
{
    static pte_t cached;
    public static System.Func<ulong> peek(vm_area_struct vma, ulong addr)
    {
        Kernel.hugetlb_vma_lock_read(vma);
        var ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
        {|MM2005:cached = ptep|};
        System.Func<ulong> f = () => Kernel.huge_ptep_get({|MM2005:ptep|});
        Kernel.hugetlb_vma_unlock_read(vma);
        return f;
    }
    public static pte_t find(vm_area_struct vma, ulong addr)
    {
        Kernel.hugetlb_vma_lock_read(vma);
        try { {|MM2005:return Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);|} }
        finally { Kernel.hugetlb_vma_unlock_read(vma); }
    }
}");
    }
}
