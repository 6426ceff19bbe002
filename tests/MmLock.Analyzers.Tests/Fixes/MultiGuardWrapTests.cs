using System.Threading.Tasks;
using MmLock.CodeFixes;
using Xunit;

namespace MmLock.Analyzers.Tests.Fixes
{
    /// <summary>The wrap fix when one call misses several guards (ptdump on a huge-vmap profile), and guards for <c>any T</c> (hugetlb).</summary>
    public class MultiGuardWrapTests
    {
        private const string Ptdump = @"
using M;
static class C
{
    public static void ptdump_walk(mm_struct mm)
    {
        {|MM2001:{|MM2001:Kernel.walk_page_range_novma(mm, 0, 1)|}|};
    }
}";

        [Fact]
        public Task PtdumpGetsBothGuardsInLockOrder() => FixVerifier.VerifyMm<RequirementCodeFix>(Ptdump, @"
using M;
static class C
{
    public static void ptdump_walk(mm_struct mm)
    {
        Kernel.get_online_mems();
        try
        {
            Kernel.mmap_write_lock(K.init_mm);
            try
            {
                Kernel.walk_page_range_novma(mm, 0, 1);
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
        public Task PtdumpStackedUsingGuards() => FixVerifier.VerifyMm<RequirementCodeFix>(@"
using M;
[MmLock.ScopedGuard] public readonly struct mmap_write_guard : System.IDisposable
{
    [MmLock.NoLockAnalysis(""scoped guard"")] public void Dispose() { }
}
static class C
{
    [MmLock.Acquires(""mm.mmap_lock""), MmLock.NoLockAnalysis(""primitive"")] public static mmap_write_guard guard_mmap_write(mm_struct mm) => default;

    public static void ptdump_walk(mm_struct mm)
    {
        {|MM2001:{|MM2001:Kernel.walk_page_range_novma(mm, 0, 1)|}|};
    }
}", @"
using M;
[MmLock.ScopedGuard] public readonly struct mmap_write_guard : System.IDisposable
{
    [MmLock.NoLockAnalysis(""scoped guard"")] public void Dispose() { }
}
static class C
{
    [MmLock.Acquires(""mm.mmap_lock""), MmLock.NoLockAnalysis(""primitive"")] public static mmap_write_guard guard_mmap_write(mm_struct mm) => default;

    public static void ptdump_walk(mm_struct mm)
    {
        using (var guard = Kernel.guard_online_mems())
        using (var guard2 = C.guard_mmap_write(K.init_mm))
        {
            Kernel.walk_page_range_novma(mm, 0, 1);
        }
    }
}", "MM2001.WrapUsing", iterations: 1);

        [Fact]
        public Task OnlyTheMissingGuardWhenTheOtherIsHeld() => FixVerifier.VerifyMm<RequirementCodeFix>(@"
using M;
static class C
{
    public static void ptdump_walk(mm_struct mm)
    {
        Kernel.get_online_mems();
        {|MM2001:Kernel.walk_page_range_novma(mm, 0, 1)|};
        Kernel.put_online_mems();
    }
}", @"
using M;
static class C
{
    public static void ptdump_walk(mm_struct mm)
    {
        Kernel.get_online_mems();
        Kernel.mmap_write_lock(K.init_mm);
        try
        {
            Kernel.walk_page_range_novma(mm, 0, 1);
        }
        finally
        {
            Kernel.mmap_write_unlock(K.init_mm);
        }
        Kernel.put_online_mems();
    }
}", "MM2001.WrapTryFinally", iterations: 1);

        [Fact]
        public Task NotOfferedAgainstTheLockOrder() => FixVerifier.NotOfferedMm<RequirementCodeFix>(@"
using M;
static class C
{
    public static void ptdump_walk(mm_struct mm)
    {
        Kernel.mmap_write_lock(K.init_mm);
        {|MM2001:Kernel.walk_page_range_novma(mm, 0, 1)|};
        Kernel.mmap_write_unlock(K.init_mm);
    }
}", "MM2001.WrapTryFinally");

        [Fact]
        public Task HugetlbLookupTakesTheVmaLock() => FixVerifier.VerifyMm<RequirementCodeFix>(@"
using M;
static class C
{
    public static ulong peek(vm_area_struct vma, ulong addr)
    {
        var ptep = {|MM2002:Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE)|};
        return ptep == null ? 0 : Kernel.huge_ptep_get(ptep);
    }
}", @"
using M;
static class C
{
    public static ulong peek(vm_area_struct vma, ulong addr)
    {
        Kernel.hugetlb_vma_lock_read(vma);
        try
        {
            var ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
            return ptep == null ? 0 : Kernel.huge_ptep_get(ptep);
        }
        finally
        {
            Kernel.hugetlb_vma_unlock_read(vma);
        }
    }
}", "MM2002.WrapTryFinally", iterations: 1);

        [Fact]
        public Task HugetlbLookupWithAMappingTakesIMmapRwsem() => FixVerifier.VerifyMm<RequirementCodeFix>(@"
using M;
static class C
{
    public static ulong peek(address_space mapping, mm_struct mm, ulong addr)
    {
        var ptep = {|MM2002:Kernel.huge_pte_offset(mm, addr, K.PMD_SIZE)|};
        return ptep == null ? 0 : Kernel.huge_ptep_get(ptep);
    }
}", @"
using M;
static class C
{
    public static ulong peek(address_space mapping, mm_struct mm, ulong addr)
    {
        Kernel.i_mmap_lock_read(mapping);
        try
        {
            var ptep = Kernel.huge_pte_offset(mm, addr, K.PMD_SIZE);
            return ptep == null ? 0 : Kernel.huge_ptep_get(ptep);
        }
        finally
        {
            Kernel.i_mmap_unlock_read(mapping);
        }
    }
}", "MM2002.WrapTryFinally", iterations: 1);

        [Fact]
        public Task HugetlbLookupNotWrappedWhenTheVmaIsAmbiguous() => FixVerifier.NotOfferedMm<RequirementCodeFix>(@"
using M;
static class C
{
    public static ulong peek(vm_area_struct src, vm_area_struct dst, mm_struct mm, ulong addr)
    {
        var ptep = {|MM2002:Kernel.huge_pte_offset(mm, addr, K.PMD_SIZE)|};
        return ptep == null ? 0 : Kernel.huge_ptep_get(ptep);
    }
}", "MM2002.WrapTryFinally");

        /// <summary>
        /// A 'user' space of the test's own: a freeing whose Holds lists mmap_lock before mem_hotplug_lock (against the lock
        /// order, so a fix following clause order fails), another freeing excluded by the hotplug lock, and an exclusive hotplug
        /// acquirer (the prelude has only the shared one).
        /// </summary>
        private const string UserSpace = @"
using M;
using MmLock;
[assembly: PageTableSpace(""user"")]
[assembly: TableFreeing(""user"", ""collapse"", Holds = new[] { ""exclusive M.K.init_mm.mmap_lock"", ""exclusive M.K.mem_hotplug_lock"" },
    ExcludedBy = new[] { ""M.K.init_mm.mmap_lock"" })]
[assembly: TableFreeing(""user"", ""unplug"", Holds = new[] { ""exclusive M.K.mem_hotplug_lock"" }, ExcludedBy = new[] { ""M.K.mem_hotplug_lock"" })]
public static class Hotplug
{
    [Acquires(""M.K.mem_hotplug_lock""), NoLockAnalysis(""primitive"")] public static void mem_hotplug_begin() { }
    [Releases(""M.K.mem_hotplug_lock""), NoLockAnalysis(""primitive"")] public static void mem_hotplug_done() { }
}
static class C
{
    [TableFreer(""user"", ""collapse"")] static void free_tables(mm_struct mm) { }
    [PageTableWalker(""user""), ReturnsGuarded] static pte_t? lookup(mm_struct mm) => null;
";

        [Fact]
        public Task FreerMissingTwoHoldsGetsBothInLockOrder() => FixVerifier.VerifyMm<RequirementCodeFix>(UserSpace + @"
    static void f()
    {
        {|MM2003:free_tables(K.init_mm)|};
    }
}", UserSpace + @"
    static void f()
    {
        Hotplug.mem_hotplug_begin();
        try
        {
            Kernel.mmap_write_lock(K.init_mm);
            try
            {
                free_tables(K.init_mm);
            }
            finally
            {
                Kernel.mmap_write_unlock(K.init_mm);
            }
        }
        finally
        {
            Hotplug.mem_hotplug_done();
        }
    }
}", "MM2003.WrapTryFinally", iterations: 1);

        [Fact]
        public Task LookupMissingTheGuardsOfTwoFreeingsGetsBothInLockOrder() => FixVerifier.VerifyMm<RequirementCodeFix>(UserSpace + @"
    static ulong g()
    {
        var p = {|MM2002:{|MM2002:lookup(K.init_mm)|}|};
        return Kernel.huge_ptep_get(p);
    }
}", UserSpace + @"
    static ulong g()
    {
        Kernel.get_online_mems();
        try
        {
            Kernel.mmap_read_lock(K.init_mm);
            try
            {
                var p = lookup(K.init_mm);
                return Kernel.huge_ptep_get(p);
            }
            finally
            {
                Kernel.mmap_read_unlock(K.init_mm);
            }
        }
        finally
        {
            Kernel.put_online_mems();
        }
    }
}", "MM2002.WrapTryFinally", iterations: 1);

        /// <summary>
        /// The freer needs the hotplug lock exclusively while the body holds it shared: taking it again would self-deadlock, and
        /// the move to the caller would have the body take shared what its callers hold exclusively (MM1003). Nothing is sound.
        /// </summary>
        [Fact]
        public async Task FreerUnderASharedHotplugLockGetsNoWrap()
        {
            var actions = await FixVerifier.ActionsAsync<RequirementCodeFix>(UserSpace + @"
    static void f()
    {
        Kernel.get_online_mems();
        {|MM2003:free_tables(K.init_mm)|};
        Kernel.put_online_mems();
    }
}", "MM2003", prelude: MmKernel.Prelude, symbols: MmKernel.Symbols);
            Assert.Empty(actions);
        }
    }
}
