using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using MmLock.Analyzers.Tests.Verification;
using MmLock.CodeFixes;
using Xunit;

namespace MmLock.Analyzers.Tests.Fixes
{
    /// <summary>The titles say what will be inserted, and the actions come in the order dotnet format relies on (it applies the first).</summary>
    public class FixTitleTests
    {
        private static Task<List<(string Title, string? Key)>> ActionsAsync<TFix>(string source, string id) where TFix : CodeFixProvider, new() =>
            FixVerifier.ActionsAsync<TFix>(source, id, prelude: MmKernel.Prelude, symbols: MmKernel.Symbols);

        [Fact]
        public async Task PtdumpWrapNamesBothGuardsInOrderThenMoveToCaller()
        {
            var actions = await ActionsAsync<RequirementCodeFix>(@"
using M;
static class C
{
    public static void ptdump_walk(mm_struct mm)
    {
        {|MM2001:{|MM2001:Kernel.walk_page_range_novma(mm, 0, 1)|}|};
    }
}", "MM2001");
            Assert.Equal(new (string, string?)[]
            {
                ("Wrap in 'Kernel.get_online_mems()', then 'Kernel.mmap_write_lock(K.init_mm)', each with 'try { } finally { release; }' (Kernel.mmap_write_unlock(K.init_mm), Kernel.put_online_mems())",
                    "MM2001.WrapTryFinally"),
                ("Add [MmLock.PageTableWalker(\"kernel\")] to 'ptdump_walk' (no callers in the solution)", "MM2001.MoveToCaller"),
            }, actions);
        }

        [Fact]
        public async Task GuardedReferenceWidenFirst()
        {
            var actions = await ActionsAsync<GuardedReferenceCodeFix>(@"
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
}", "MM2005");
            Assert.Equal(new (string, string?)[]
            {
                ("Move 'Kernel.hugetlb_vma_unlock_read(vma)' after the last use of 'ptep'", GuardedReferenceCodeFix.WidenKey),
                ("Look 'ptep' up again under 'Kernel.hugetlb_vma_lock_read(vma)' and 'try { } finally { Kernel.hugetlb_vma_unlock_read(vma); }'",
                    GuardedReferenceCodeFix.LookUpAgainKey),
            }, actions);
        }

        [Fact]
        public async Task SleepingCallAfterTheReleaseFirst()
        {
            var actions = await ActionsAsync<SleepingCallCodeFix>(@"
using M;
static class C
{
    static void f(spinlock_t ptl)
    {
        Kernel.spin_lock(ptl);
        {|MM3001:Kernel.synchronize_rcu()|};
        Kernel.spin_unlock(ptl);
    }
}", "MM3001");
            Assert.Equal(new (string, string?)[]
            {
                ("Move 'Kernel.synchronize_rcu();' after 'Kernel.spin_unlock(ptl);'", SleepingCallCodeFix.AfterKey),
                ("Move 'Kernel.synchronize_rcu();' before 'Kernel.spin_lock(ptl);'", SleepingCallCodeFix.BeforeKey),
            }, actions);
        }
    }
}
