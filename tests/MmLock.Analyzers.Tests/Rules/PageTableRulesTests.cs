using System.Threading.Tasks;
using Xunit;
using static MmLock.Analyzers.Tests.Verification.Verify;
using static MmLock.Analyzers.Tests.Rules.Kernel;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>MM2001–MM2007 and MM3001 (contract.md §2 page-table protocol, §3; kernel-rules.md A, D, E, G).</summary>
    public partial class PageTableRulesTests
    {
        /// <summary>Kernel tables: hot-remove always, huge-vmap collapse only with CONFIG_HAVE_ARCH_HUGE_VMAP (kernel-rules A, G1/G2).</summary>
        private const string KernelSpace = @"
using MmLock; using K;
[assembly: PageTableSpace(""kernel"", LeafLock = new[] { ""K.G.init_mm.page_table_lock"" })]
[assembly: TableFreeing(""kernel"", ""hot-remove"", Holds = new[] { ""K.G.mem_hotplug_lock"" }, ExcludedBy = new[] { ""K.G.mem_hotplug_lock"" })]
[assembly: TableFreeing(""kernel"", ""huge-vmap"", Holds = new[] { ""shared K.G.init_mm.mmap_lock"" }, ExcludedBy = new[] { ""exclusive K.G.init_mm.mmap_lock"" }, When = ""CONFIG_HAVE_ARCH_HUGE_VMAP"")]
static class W
{
    [PageTableWalker(""kernel"")] public static void ptdump_walk_pgd(mm_struct mm) { }
    [PageTableWalker(""kernel"", OwnsRange = true)] public static void vmap_page_range(ulong addr) { }
    [TableFreer(""kernel"", ""hot-remove"")] public static void free_empty_tables() { }
    [TableFreer(""kernel"", ""huge-vmap"")] public static void pmd_free_pte_page() { }
    [LeafModifier(""kernel"")] public static void set_pte_kernel() { }
    [LeafModifier(""kernel"", OwnsRange = true)] public static void set_pte_owned() { }
}
";

        private const string HotRemoveMsg = "Calling 'ptdump_walk_pgd' walks 'kernel' page tables without excluding the 'hot-remove' freeing: hold 'G.mem_hotplug_lock'";
        private const string HugeVmapMsg = "Calling 'ptdump_walk_pgd' walks 'kernel' page tables without excluding the 'huge-vmap' freeing: hold 'G.init_mm.mmap_lock' exclusively";
        private static readonly string[] HugeVmap = { "CONFIG_HAVE_ARCH_HUGE_VMAP" };

        // ---- MM2001 ----------------------------------------------------------------------------------

        [Fact]
        public Task MM2001_WalkerWithoutAnyGuard() => Verify(KernelSpace + @"
class C { static void ptdump_show() { {|MM2001:W.ptdump_walk_pgd(G.init_mm)|}; } }",
            Diag("MM2001").WithMessage(HotRemoveMsg).WithNoAdditionalLocations());

        [Fact]
        public Task MM2001_WalkerWithoutAnyGuard_HugeVmap_ReportsBothFreeings() => Verify(KernelSpace + @"
class C { static void ptdump_show() { {|#0:W.ptdump_walk_pgd(G.init_mm)|}; } }", HugeVmap,
            Diag("MM2001").WithLocation(0).WithMessage(HotRemoveMsg),
            Diag("MM2001").WithLocation(0).WithMessage(HugeVmapMsg));

        private const string OnlineMemsOnly = KernelSpace + @"
class C
{
    static void ptdump_show()
    {
        L.get_online_mems();
        {|#0:W.ptdump_walk_pgd(G.init_mm)|};
        L.put_online_mems();
    }
}";

        [Fact]
        public Task MM2001_OnlineMems_CleanWithoutHugeVmap() => Verify(OnlineMemsOnly);

        [Fact]
        public Task MM2001_OnlineMems_SameSource_HugeVmap_NeedsInitMmMmapLock() => Verify(OnlineMemsOnly, HugeVmap,
            Diag("MM2001").WithLocation(0).WithMessage(HugeVmapMsg));

        private const string MmapWriteOnly = KernelSpace + @"
class C
{
    static void ptdump_show()
    {
        L.mmap_write_lock(G.init_mm);
        {|#0:W.ptdump_walk_pgd(G.init_mm)|};
        L.mmap_write_unlock(G.init_mm);
    }
}";

        [Fact]
        public Task MM2001_InitMmLockDoesNotExcludeHotRemove() => Verify(MmapWriteOnly,
            Diag("MM2001").WithLocation(0).WithMessage(HotRemoveMsg));

        [Fact]
        public Task MM2001_InitMmLockDoesNotExcludeHotRemove_HugeVmap() => Verify(MmapWriteOnly, HugeVmap,
            Diag("MM2001").WithLocation(0).WithMessage(HotRemoveMsg));

        [Fact]
        public Task MM2001_BuggyPtdump_MmapReadLock_HugeVmap_NotExclusive() => Verify(KernelSpace + @"
class C
{
    static void ptdump_show()
    {
        L.get_online_mems();
        L.mmap_read_lock(G.init_mm);
        {|MM2001:W.ptdump_walk_pgd(G.init_mm)|};
        L.mmap_read_unlock(G.init_mm);
        L.put_online_mems();
    }
}", HugeVmap, Diag("MM2001").WithMessage(HugeVmapMsg));

        private const string FixedPtdump = KernelSpace + @"
class C
{
    static void ptdump_show()
    {
        L.get_online_mems();
        L.mmap_write_lock(G.init_mm);
        W.ptdump_walk_pgd(G.init_mm);
        L.mmap_write_unlock(G.init_mm);
        L.put_online_mems();
    }
}";

        [Fact]
        public Task MM2001_FixedPtdump_Clean() => Verify(FixedPtdump);

        [Fact]
        public Task MM2001_FixedPtdump_Clean_HugeVmap() => Verify(FixedPtdump, HugeVmap);

        [Fact]
        public Task MM2001_WalkAfterRelease_Reports() => Verify(KernelSpace + @"
class C
{
    static void ptdump_show()
    {
        L.get_online_mems();
        W.ptdump_walk_pgd(G.init_mm);
        L.put_online_mems();
        {|MM2001:W.ptdump_walk_pgd(G.init_mm)|};
    }
}", Diag("MM2001").WithMessage(HotRemoveMsg));

        [Fact]
        public Task MM2001_OwnsRange_NeedsNothing() => Verify(KernelSpace + @"
class C { static void vmap() { W.vmap_page_range(0); } }", HugeVmap);

        [Fact]
        public Task MM2001_WalkerBodyMayWalk_RequirementAssumedInside() => Verify(KernelSpace + @"
class C
{
    [PageTableWalker(""kernel"")]
    static void walk_kernel_page_table_range(ulong start, ulong end) { W.ptdump_walk_pgd(G.init_mm); }
    static void caller() { {|MM2001:walk_kernel_page_table_range(0, 1)|}; }
}", Diag("MM2001").WithMessage("Calling 'walk_kernel_page_table_range' walks 'kernel' page tables without excluding the 'hot-remove' freeing: hold 'G.mem_hotplug_lock'"));

        [Fact]
        public Task MM2001_WalkerBodyMayWalk_HugeVmap() => Verify(KernelSpace + @"
class C
{
    [PageTableWalker(""kernel"")]
    static void walk_kernel_page_table_range(ulong start, ulong end) { W.ptdump_walk_pgd(G.init_mm); }
}", HugeVmap);

        [Fact]
        public Task MM2001_SpaceWithoutFreeing_NeedsNoGuard() => Verify(@"
using MmLock; using K;
[assembly: PageTableSpace(""vmemmap"")]
static class W { [PageTableWalker(""vmemmap"")] public static void vmemmap_walk() { } }
class C { static void M() { W.vmemmap_walk(); } }");

        [Fact]
        public Task MM2001_SpaceWithInactiveFreeing_NeedsNoGuard() => Verify(@"
using MmLock; using K;
[assembly: PageTableSpace(""vmemmap"")]
[assembly: TableFreeing(""vmemmap"", ""hvo"", ExcludedBy = new[] { ""K.G.mem_hotplug_lock"" }, When = ""CONFIG_HUGETLB_PAGE_OPTIMIZE_VMEMMAP"")]
static class W { [PageTableWalker(""vmemmap"")] public static void vmemmap_walk() { } }
class C { static void M() { W.vmemmap_walk(); } }");

        [Fact]
        public Task MM2001_SpaceWithFreeingActiveBySymbol_NeedsGuard() => Verify(@"
using MmLock; using K;
[assembly: PageTableSpace(""vmemmap"")]
[assembly: TableFreeing(""vmemmap"", ""hvo"", ExcludedBy = new[] { ""K.G.mem_hotplug_lock"" }, When = ""CONFIG_HUGETLB_PAGE_OPTIMIZE_VMEMMAP"")]
static class W { [PageTableWalker(""vmemmap"")] public static void vmemmap_walk() { } }
class C { static void M() { {|MM2001:W.vmemmap_walk()|}; } }", new[] { "CONFIG_HUGETLB_PAGE_OPTIMIZE_VMEMMAP" },
            Diag("MM2001").WithMessage("Calling 'vmemmap_walk' walks 'vmemmap' page tables without excluding the 'hvo' freeing: hold 'G.mem_hotplug_lock'"));

        // ---- MM2002 / MM2005 (hugetlb, kernel-rules D) --------------------------------------------------

        private const string HugetlbSpace = @"
using MmLock; using K;
[assembly: PageTableSpace(""hugetlb"")]
[assembly: TableFreeing(""hugetlb"", ""pmd-unshare"", Holds = new[] { ""any K.i_mmap_rwsem_t"" },
    ExcludedBy = new[] { ""any K.hugetlb_vma_lock_t"", ""any K.i_mmap_rwsem_t"" }, When = ""CONFIG_HUGETLB_PMD_PAGE_TABLE_SHARING"")]
namespace K
{
    [Context] public sealed class hugetlb_vma_lock_t : rw_semaphore { }
    public sealed class pte_t { public ulong val; }
    public sealed class hvma { public mm_struct vm_mm = new mm_struct(); public address_space mapping = new address_space(); public hugetlb_vma_lock_t vma_lock = new hugetlb_vma_lock_t(); }
    public static class H
    {
        [PageTableWalker(""hugetlb""), ReturnsGuarded] public static pte_t huge_pte_offset(mm_struct mm, ulong addr) => new pte_t();
        public static ulong huge_ptep_get(pte_t pte) => pte.val;
    }
}
";
        private static readonly string[] PmdSharing = { "CONFIG_HUGETLB_PMD_PAGE_TABLE_SHARING" };
        private const string LookupMsg = "Calling 'huge_pte_offset' looks up 'hugetlb' entries without excluding the 'pmd-unshare' freeing: hold one of 'any hugetlb_vma_lock_t', 'any i_mmap_rwsem_t'";

        private const string LookupWithMmapLockOnly = HugetlbSpace + @"
class C
{
    static ulong hugetlb_fault(hvma vma, ulong addr)
    {
        L.mmap_read_lock(vma.vm_mm);
        var pte = {|#0:H.huge_pte_offset(vma.vm_mm, addr)|};
        var v = H.huge_ptep_get(pte);
        L.mmap_read_unlock(vma.vm_mm);
        return v;
    }
}";

        [Fact]
        public Task MM2002_LookupWithOnlyMmapLock_IsMM2002NotMM2001() => Verify(LookupWithMmapLockOnly, PmdSharing,
            Diag("MM2002").WithLocation(0).WithMessage(LookupMsg).WithNoAdditionalLocations());

        [Fact]
        public Task MM2002_NoRequirementWithoutPmdSharing() => Verify(LookupWithMmapLockOnly);

        /// <summary>hugetlb_walk: its own RequiresAny (vma lock or i_mmap_rwsem) covers huge_pte_offset's 'any T' alternatives.</summary>
        [Fact]
        public Task MM2002_CallerRequiresAnyOfConcreteLocks_CoversExistentialAlternatives() => Verify(HugetlbSpace + @"
class C
{
    [RequiresAny(""vma.vma_lock"", ""vma.mapping.i_mmap_rwsem"")]
    static pte_t hugetlb_walk(hvma vma, ulong addr) => H.huge_pte_offset(vma.vm_mm, addr);
}", PmdSharing);

        /// <summary>One alternative of the caller's RequiresAny is not a lock the lookup accepts, so the entry may hold neither.</summary>
        [Fact]
        public Task MM2002_CallerRequiresAnyWithForeignAlternative_IsReported() => Verify(HugetlbSpace + @"
class C
{
    [RequiresAny(""vma.vma_lock"", ""vma.vm_mm.mmap_lock"")]
    static pte_t hugetlb_walk(hvma vma, ulong addr) => {|#0:H.huge_pte_offset(vma.vm_mm, addr)|};
}", PmdSharing, Diag("MM2002").WithLocation(0).WithMessage(LookupMsg));

        [Fact]
        public Task MM2002_CleanUnderIMmapRwsem() => Verify(HugetlbSpace + @"
class C
{
    static ulong huge_pmd_share(hvma vma, ulong addr)
    {
        L.down_read(vma.mapping.i_mmap_rwsem);
        var pte = H.huge_pte_offset(vma.vm_mm, addr);
        var v = H.huge_ptep_get(pte);
        L.up_read(vma.mapping.i_mmap_rwsem);
        return v;
    }
}", PmdSharing);

        [Fact]
        public Task MM2002_CleanUnderVmaLockWrite() => Verify(HugetlbSpace + @"
class C
{
    static ulong hugetlb_unshare(hvma vma, ulong addr)
    {
        L.down_write(vma.vma_lock);
        var pte = H.huge_pte_offset(vma.vm_mm, addr);
        var v = H.huge_ptep_get(pte);
        L.up_write(vma.vma_lock);
        return v;
    }
}", PmdSharing);

        [Fact]
        public Task MM2005_UseAfterRelease_AndAfterReacquire() => Verify(HugetlbSpace + @"
class C
{
    static ulong hugetlb_fault(hvma vma, ulong addr)
    {
        L.down_read(vma.vma_lock);
        var pte = H.huge_pte_offset(vma.vm_mm, addr);
        var v = H.huge_ptep_get(pte);
        {|#1:L.up_read(vma.vma_lock)|};
        v += H.huge_ptep_get({|#0:pte|});
        L.down_read(vma.vma_lock);
        v += H.huge_ptep_get({|#2:pte|});
        L.up_read(vma.vma_lock);
        return v;
    }
}", PmdSharing,
            Diag("MM2005").WithLocation(0).WithMessage("'pte' from 'huge_pte_offset' is used after 'vma.vma_lock' was released at line 25").WithAdditionalLocation(1),
            Diag("MM2005").WithLocation(2).WithMessage("'pte' from 'huge_pte_offset' is used after 'vma.vma_lock' was released at line 25").WithAdditionalLocation(1));

        [Fact]
        public Task MM2005_StillCoveredByAnotherSatisfier() => Verify(HugetlbSpace + @"
class C
{
    static ulong copy_range(hvma vma, ulong addr)
    {
        L.down_read(vma.mapping.i_mmap_rwsem);
        L.down_read(vma.vma_lock);
        var pte = H.huge_pte_offset(vma.vm_mm, addr);
        L.up_read(vma.vma_lock);
        var v = H.huge_ptep_get(pte);
        L.up_read(vma.mapping.i_mmap_rwsem);
        return v;
    }
}", PmdSharing);

        [Fact]
        public Task MM2005_NeverExpiresWhenSatisfiedByOwnContract() => Verify(HugetlbSpace + @"
class C
{
    [RequiresShared(""vma.mapping.i_mmap_rwsem"")]
    static ulong walk(hvma vma, ulong addr)
    {
        L.down_read(vma.vma_lock);
        var pte = H.huge_pte_offset(vma.vm_mm, addr);
        L.up_read(vma.vma_lock);
        return H.huge_ptep_get(pte);
    }
}", PmdSharing);

        [Fact]
        public Task MM2005_NeverExpiresWhenRequirementVacuous() => Verify(HugetlbSpace + @"
class C
{
    static ulong walk(hvma vma, ulong addr)
    {
        L.down_read(vma.vma_lock);
        var pte = H.huge_pte_offset(vma.vm_mm, addr);
        L.up_read(vma.vma_lock);
        return H.huge_ptep_get(pte);
    }
}");

        [Fact]
        public Task MM2005_LocalAssignedOnceNamesTheSameLock() => Verify(HugetlbSpace + @"
class C
{
    static ulong fault(hvma vma, ulong addr)
    {
        var mapping = vma.mapping;
        L.down_read(mapping.i_mmap_rwsem);
        var pte = H.huge_pte_offset(vma.vm_mm, addr);
        var v = H.huge_ptep_get(pte);
        {|#1:L.up_read(vma.mapping.i_mmap_rwsem)|};
        return v + H.huge_ptep_get({|#0:pte|});
    }
}", PmdSharing,
            Diag("MM2005").WithLocation(0).WithMessage("'pte' from 'huge_pte_offset' is used after 'vma.mapping.i_mmap_rwsem' was released at line 26").WithAdditionalLocation(1));

        [Fact]
        public Task MM2002_CallerIsItselfAWalker_RequirementAssumed_ReferenceNeverExpires() => Verify(HugetlbSpace + @"
class C
{
    [PageTableWalker(""hugetlb"")]
    static ulong walk_hugetlb_range(hvma vma, ulong addr)
    {
        L.down_read(vma.vma_lock);
        var pte = H.huge_pte_offset(vma.vm_mm, addr);
        L.up_read(vma.vma_lock);
        return H.huge_ptep_get(pte);
    }
    static void caller(hvma vma) { {|MM2001:walk_hugetlb_range(vma, 0)|}; }
}", PmdSharing,
            Diag("MM2001").WithMessage("Calling 'walk_hugetlb_range' walks 'hugetlb' page tables without excluding the 'pmd-unshare' freeing: hold one of 'any hugetlb_vma_lock_t', 'any i_mmap_rwsem_t'"));

        [Fact]
        public Task MM2002_LambdaStartsWithNoContext() => Verify(HugetlbSpace + @"
class C
{
    static ulong fault(hvma vma, ulong addr)
    {
        L.down_read(vma.vma_lock);
        System.Func<pte_t> f = () => {|MM2002:H.huge_pte_offset(vma.vm_mm, addr)|};
        var v = H.huge_ptep_get(H.huge_pte_offset(vma.vm_mm, addr));
        L.up_read(vma.vma_lock);
        return v;
    }
}", PmdSharing,
            Diag("MM2002").WithMessage(LookupMsg));

        // ---- configuration-dependent alternatives (kernel-rules D, RFC v2 walker lock) ---------------------

        private const string UserSpace = @"
using MmLock; using K;
[assembly: PageTableSpace(""user"")]
[assembly: TableFreeing(""user"", ""mmu-gather"", ExcludedBy = new[] { ""K.G.RCU when CONFIG_MMU_GATHER_RCU_TABLE_FREE"", ""K.G.IRQS_OFF"" })]
[assembly: TableFreeing(""user"", ""legacy"", ExcludedBy = new[] { ""K.G.RCU when CONFIG_NEVER_SET"" })]
static class W { [PageTableWalker(""user"")] public static void gup_fast_walk() { } }
class C
{
    static void gup_fast()
    {
        L.rcu_read_lock();
        {|#0:W.gup_fast_walk()|};
        L.rcu_read_unlock();
        L.local_irq_disable();
        W.gup_fast_walk();
        L.local_irq_enable();
    }
}";

        [Fact]
        public Task MM2001_WhenAlternative_RcuCountsOnlyWithRcuTableFree() => Verify(UserSpace,
            Diag("MM2001").WithLocation(0).WithMessage("Calling 'gup_fast_walk' walks 'user' page tables without excluding the 'mmu-gather' freeing: hold 'G.IRQS_OFF'"));

        [Fact]
        public Task MM2001_WhenAlternative_RcuCountsWithRcuTableFree() => Verify(UserSpace, new[] { "CONFIG_MMU_GATHER_RCU_TABLE_FREE" });

        [Fact]
        public Task MM2001_ReentrantContext_ModePrefixIgnored() => Verify(@"
using MmLock; using K;
[assembly: PageTableSpace(""user"")]
[assembly: TableFreeing(""user"", ""rcu"", ExcludedBy = new[] { ""exclusive K.G.RCU"" })]
static class W { [PageTableWalker(""user"")] public static void walk() { } }
class C { static void M() { L.rcu_read_lock(); W.walk(); L.rcu_read_unlock(); } }");

        [Fact]
        public Task MM2001_NoLockAnalysisBody_ContractStillBindsCallers() => Verify(KernelSpace + @"
class C
{
    [PageTableWalker(""kernel""), NoLockAnalysis(""test: body unchecked"")]
    static void dump() { W.free_empty_tables(); W.set_pte_kernel(); }
    static void caller() { {|MM2001:dump()|}; }
}", Diag("MM2001").WithMessage("Calling 'dump' walks 'kernel' page tables without excluding the 'hot-remove' freeing: hold 'G.mem_hotplug_lock'"));

        [Fact]
        public Task MM2001_LocalFunctionStartsWithNoContext() => Verify(KernelSpace + @"
class C
{
    static void ptdump_show()
    {
        L.get_online_mems();
        W.ptdump_walk_pgd(G.init_mm);
        walk();
        L.put_online_mems();
        void walk() { {|MM2001:W.ptdump_walk_pgd(G.init_mm)|}; }
    }
}", Diag("MM2001").WithMessage(HotRemoveMsg));

        [Fact]
        public Task MM2003_SharedHolds_SatisfiedByExclusive() => Verify(KernelSpace + @"
class C { static void M() { L.mmap_write_lock(G.init_mm); W.pmd_free_pte_page(); L.mmap_write_unlock(G.init_mm); } }", HugeVmap);

        [Fact]
        public Task MM3001_OneDiagnosticPerAtomicContext() => Verify(@"
using MmLock; using K;
class C
{
    static void M(spinlock_t l)
    {
        {|#0:L.spin_lock(l)|};
        {|#1:L.rcu_read_lock()|};
        {|#2:L.synchronize_rcu()|};
        L.rcu_read_unlock();
        L.spin_unlock(l);
    }
}",
            Diag("MM3001").WithLocation(2).WithMessage("Calling 'synchronize_rcu' might sleep while 'l' is held (acquired at line 7)").WithAdditionalLocation(0),
            Diag("MM3001").WithLocation(2).WithMessage("Calling 'synchronize_rcu' might sleep while 'G.RCU' is held (acquired at line 8)").WithAdditionalLocation(1));

        [Fact]
        public Task MM2007_OnlineCheckStoredInLocal() => Verify(@"
using MmLock; using K;" + Extra + @"
class C
{
    static int valid_zones(ulong pfn)
    {
        var page = S.pfn_to_online_page(pfn);
        if (page is not null) return S.page_zone_idx(pfn);
        return {|MM2007:S.page_zone_idx(pfn)|};
    }
}", Diag("MM2007").WithMessage("Calling 'page_zone_idx' reads the memmap of memory that may be offline: hold 'G.mem_hotplug_lock' or pass an [OnlineCheck] first"));

        private const string ConditionalRole = KernelSpace + @"
static class D { [PageTableWalker(""kernel"", When = ""CONFIG_PTDUMP_DEBUGFS"")] public static void ptdump_debugfs_show() { } }
class C { static void M() { {|#0:D.ptdump_debugfs_show()|}; } }";

        [Fact]
        public Task MM2001_RoleWhenFalse_DoesNotExist() => Verify(ConditionalRole);

        [Fact]
        public Task MM2001_RoleWhenTrue_Applies() => Verify(ConditionalRole, new[] { "CONFIG_PTDUMP_DEBUGFS" },
            Diag("MM2001").WithLocation(0).WithMessage("Calling 'ptdump_debugfs_show' walks 'kernel' page tables without excluding the 'hot-remove' freeing: hold 'G.mem_hotplug_lock'"));

        [Fact]
        public Task MM2001_AssertsHeldCountsForTheWalk() => Verify(KernelSpace + @"
class C
{
    [AssertsHeld(""mm.mmap_lock""), NoLockAnalysis(""lockdep"")] static void mmap_assert_write_locked(mm_struct mm) { }
    static void walk_kernel_page_table_range()
    {
        mmap_assert_write_locked(G.init_mm);
        {|MM2001:W.ptdump_walk_pgd(G.init_mm)|};
    }
}", HugeVmap, Diag("MM2001").WithMessage(HotRemoveMsg));

        [Fact]
        public Task MM2001_ExcludedByNamesWalkerParameter_Bug7() => Verify(@"
using MmLock; using K;
[assembly: PageTableSpace(""user"")]
[assembly: TableFreeing(""user"", ""munmap"", Holds = new[] { ""mm.mmap_lock"" }, ExcludedBy = new[] { ""exclusive mm.mmap_lock"" })]
static class W { [PageTableWalker(""user"")] public static void walk_page_range_novma(mm_struct mm, ulong start) { } }
class C
{
    static void M(mm_struct mm)
    {
        L.mmap_read_lock(mm);
        {|MM2001:W.walk_page_range_novma(mm, 0)|};
        L.mmap_read_unlock(mm);
        L.mmap_write_lock(mm);
        W.walk_page_range_novma(mm, 0);
        L.mmap_write_unlock(mm);
    }
}", Diag("MM2001").WithMessage("Calling 'walk_page_range_novma' walks 'user' page tables without excluding the 'munmap' freeing: hold 'mm.mmap_lock' exclusively"));

        [Fact]
        public Task MM2003_SeveralHolds_NamesOnlyTheMissing() => Verify(@"
using MmLock; using K;
[assembly: PageTableSpace(""kernel"")]
[assembly: TableFreeing(""kernel"", ""hot-remove"", Holds = new[] { ""K.G.mem_hotplug_lock"", ""shared K.G.init_mm.mmap_lock"" }, ExcludedBy = new[] { ""K.G.mem_hotplug_lock"" })]
static class W { [TableFreer(""kernel"", ""hot-remove"")] public static void free_empty_tables() { } }
class C
{
    static void M()
    {
        {|#0:W.free_empty_tables()|};
        L.mem_hotplug_begin();
        {|#1:W.free_empty_tables()|};
        L.mmap_read_lock(G.init_mm);
        W.free_empty_tables();
        L.mmap_read_unlock(G.init_mm);
        L.mem_hotplug_done();
    }
}",
            Diag("MM2003").WithLocation(0).WithMessage("Calling 'free_empty_tables' frees 'kernel' tables ('hot-remove') without holding 'G.mem_hotplug_lock' exclusively and 'G.init_mm.mmap_lock'"),
            Diag("MM2003").WithLocation(1).WithMessage("Calling 'free_empty_tables' frees 'kernel' tables ('hot-remove') without holding 'G.init_mm.mmap_lock'"));

        [Fact]
        public Task MM2001_ScopedGuard_CoversTheUsingOnly() => Verify(KernelSpace + @"
[ScopedGuard] public sealed class online_mems_guard : System.IDisposable { public void Dispose() { } }
class C
{
    [AcquiresShared(""K.G.mem_hotplug_lock""), NoLockAnalysis(""primitive"")] static online_mems_guard guard_online_mems() => new online_mems_guard();
    static void ptdump_show()
    {
        using (var g = guard_online_mems()) { W.ptdump_walk_pgd(G.init_mm); }
        {|MM2001:W.ptdump_walk_pgd(G.init_mm)|};
    }
}", Diag("MM2001").WithMessage(HotRemoveMsg));

        // ---- MM2003 / MM2004 ----------------------------------------------------------------------------

        [Fact]
        public Task MM2003_FreerWithoutHolds() => Verify(KernelSpace + @"
class C
{
    static void try_remove_memory()
    {
        {|MM2003:W.free_empty_tables()|};
        L.get_online_mems();
        {|MM2003:W.free_empty_tables()|};
        L.put_online_mems();
        L.mem_hotplug_begin();
        W.free_empty_tables();
        L.mem_hotplug_done();
    }
}",
            Diag("MM2003").WithMessage("Calling 'free_empty_tables' frees 'kernel' tables ('hot-remove') without holding 'G.mem_hotplug_lock' exclusively"),
            Diag("MM2003").WithMessage("Calling 'free_empty_tables' frees 'kernel' tables ('hot-remove') without holding 'G.mem_hotplug_lock' exclusively"));

        private const string HugeVmapFreer = KernelSpace + @"
class C
{
    static void collapse()
    {
        {|#0:W.pmd_free_pte_page()|};
        if (L.down_read_trylock(G.init_mm.mmap_lock))
        {
            W.pmd_free_pte_page();
            L.up_read(G.init_mm.mmap_lock);
        }
    }
}";

        [Fact]
        public Task MM2003_SharedHolds_HugeVmap() => Verify(HugeVmapFreer, HugeVmap,
            Diag("MM2003").WithLocation(0).WithMessage("Calling 'pmd_free_pte_page' frees 'kernel' tables ('huge-vmap') without holding 'G.init_mm.mmap_lock'"));

        [Fact]
        public Task MM2003_InactiveFreeing_NoRequirement() => Verify(HugeVmapFreer);

        [Fact]
        public Task MM2004_LeafModifierWithoutLeafLock_OwnsRangeExempt() => Verify(KernelSpace + @"
class C
{
    static void M()
    {
        {|MM2004:W.set_pte_kernel()|};
        L.spin_lock(G.init_mm.page_table_lock);
        W.set_pte_kernel();
        L.spin_unlock(G.init_mm.page_table_lock);
        W.set_pte_owned();
    }
}", Diag("MM2004").WithMessage("Calling 'set_pte_kernel' modifies 'kernel' leaf entries without a leaf lock: hold 'G.init_mm.page_table_lock'"));

        // ---- MM2006 / MM2007 ----------------------------------------------------------------------------

        private const string Extra = @"
namespace K
{
    [Context(Atomic = true)] public sealed class stop_machine_t { }
    public sealed class page { }
    public static class S
    {
        public static readonly stop_machine_t STOP_MACHINE = new stop_machine_t();
        [Acquires(""K.S.STOP_MACHINE""), NoLockAnalysis(""primitive"")] public static void stop_machine_enter() { }
        [Releases(""K.S.STOP_MACHINE""), NoLockAnalysis(""primitive"")] public static void stop_machine_exit() { }
        [ReplacesLiveRoot(""K.S.STOP_MACHINE"")] public static void cpu_replace_ttbr1(ulong pgd) { }
        [OnlineCheck] public static page? pfn_to_online_page(ulong pfn) => null;
        [ReadsMemmap(""K.G.mem_hotplug_lock"")] public static int page_zone_idx(ulong pfn) => 0;
    }
}
";

        [Fact]
        public Task MM2006_ReplacesLiveRootWithoutStopMachine() => Verify(@"
using MmLock; using K;" + Extra + @"
class C
{
    static void hotadd(ulong pgd)
    {
        {|MM2006:S.cpu_replace_ttbr1(pgd)|};
        S.stop_machine_enter();
        S.cpu_replace_ttbr1(pgd);
        S.stop_machine_exit();
    }
}", Diag("MM2006").WithMessage("Calling 'cpu_replace_ttbr1' replaces a live page-table root without holding 'S.STOP_MACHINE'"));

        [Fact]
        public Task MM2007_ReadsMemmap() => Verify(@"
using MmLock; using K;" + Extra + @"
class C
{
    static int valid_zones(ulong pfn)
    {
        int z = {|MM2007:S.page_zone_idx(pfn)|};
        if (S.pfn_to_online_page(pfn) != null) z += S.page_zone_idx(pfn);
        if (S.pfn_to_online_page(pfn) == null) z += {|MM2007:S.page_zone_idx(pfn)|};
        L.get_online_mems();
        z += S.page_zone_idx(pfn);
        L.put_online_mems();
        return z;
    }
    static int early_return(ulong pfn)
    {
        var p = S.pfn_to_online_page(pfn);
        if (p == null) return -1;
        return S.page_zone_idx(pfn);
    }
}",
            Diag("MM2007").WithMessage("Calling 'page_zone_idx' reads the memmap of memory that may be offline: hold 'G.mem_hotplug_lock' or pass an [OnlineCheck] first").WithSeverity(Microsoft.CodeAnalysis.DiagnosticSeverity.Warning),
            Diag("MM2007").WithMessage("Calling 'page_zone_idx' reads the memmap of memory that may be offline: hold 'G.mem_hotplug_lock' or pass an [OnlineCheck] first").WithSeverity(Microsoft.CodeAnalysis.DiagnosticSeverity.Warning));

        // ---- MM3001 ---------------------------------------------------------------------------------

        [Fact]
        public Task MM3001_SleepUnderAtomic() => Verify(@"
using MmLock; using K;
class C
{
    static void M(spinlock_t l, rw_semaphore s, mutex m)
    {
        {|#0:L.rcu_read_lock()|};
        {|#1:L.synchronize_rcu()|};
        L.rcu_read_unlock();
        L.synchronize_rcu();
        {|#2:L.local_irq_disable()|};
        {|#3:L.down_read(s)|};
        L.up_read(s);
        L.local_irq_enable();
        L.down_read(s);
        L.up_read(s);
        {|#4:L.spin_lock(l)|};
        {|#5:L.mutex_lock(m)|};
        L.mutex_unlock(m);
        if (L.down_read_trylock(s)) L.up_read(s);
        L.spin_unlock(l);
        L.mutex_lock(m);
        L.mutex_unlock(m);
    }
}",
            Diag("MM3001").WithLocation(1).WithMessage("Calling 'synchronize_rcu' might sleep while 'G.RCU' is held (acquired at line 7)").WithAdditionalLocation(0),
            Diag("MM3001").WithLocation(3).WithMessage("Acquiring 's' might sleep while 'G.IRQS_OFF' is held (acquired at line 11)").WithAdditionalLocation(2),
            Diag("MM3001").WithLocation(5).WithMessage("Acquiring 'm' might sleep while 'l' is held (acquired at line 17)").WithAdditionalLocation(4));
    }
}
