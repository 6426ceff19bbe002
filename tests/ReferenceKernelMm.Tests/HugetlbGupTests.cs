using System.Threading;
using ReferenceKernelMm.arch;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;
using ReferenceKernelMm.Runtime;
using Xunit;
using static ReferenceKernelMm.include.linux.pgtable;

namespace ReferenceKernelMm.Tests
{
    public class HugetlbGupTests
    {
        private const ulong A = 1 * PUD_SIZE, B = 3 * PUD_SIZE;

        private static (vm_area_struct a, vm_area_struct b) TwoSharers(string name)
        {
            var f = new @file(name);
            vm_area_struct a = hugetlb.hugetlb_mmap(mm_struct.mm_alloc(name + "-a"), A, A + PUD_SIZE, shared: true, f, 0);
            vm_area_struct b = hugetlb.hugetlb_mmap(mm_struct.mm_alloc(name + "-b"), B, B + PUD_SIZE, shared: true, f, 0);
            Fault(a, A);
            Fault(b, B);
            return (a, b);
        }

        private static void Fault(vm_area_struct vma, ulong addr)
        {
            mmap_lock.mmap_read_lock(vma.vm_mm);
            hugetlb.hugetlb_fault(vma.vm_mm, vma, addr);
            mmap_lock.mmap_read_unlock(vma.vm_mm);
        }

        private static ulong Pud(mm_struct mm, ulong addr) => pxd_offset(pgd_offset(mm, addr), addr).read();

        [Fact]
        public void Shared_mappings_share_one_PMD_table_when_the_architecture_wants_it()
        {
            using var cpu = Smp.cpu_up();
            var (a, b) = TwoSharers("share");
            Assert.Equal(ArchProfile.Current.HugetlbPmdPageTableSharing, Pud(a.vm_mm, A) == Pud(b.vm_mm, B));
            var pa = gup.gup_fast(a.vm_mm, A, 2);
            var pb = gup.gup_fast(b.vm_mm, B, 2);
            Assert.Equal(2, pa.Count);
            Assert.Equal(pa[0] + 1, pa[1]);
            Assert.Equal(ArchProfile.Current.HugetlbPmdPageTableSharing, pa[0] == pb[0]);
        }

        [Fact]
        public void Hugetlb_walk_asserts_the_vma_lock_or_i_mmap_rwsem()
        {
            using var cpu = Smp.cpu_up();
            var (a, _) = TwoSharers("walk");
            if (ArchProfile.Current.HugetlbPmdPageTableSharing)
                Assert.Equal(ViolationKind.NotHeld, Assert.Throws<KernelBugException>(() => hugetlb.hugetlb_walk(a, A, hugetlb.HPAGE_SIZE)).Violation.Kind);
            hugetlb.hugetlb_vma_lock_read(a);
            Assert.NotNull(hugetlb.hugetlb_walk(a, A, hugetlb.HPAGE_SIZE));
            hugetlb.hugetlb_vma_unlock_read(a);
            fs.i_mmap_lock_read(a.vm_file!.f_mapping);
            Assert.NotNull(hugetlb.hugetlb_walk(a, A, hugetlb.HPAGE_SIZE));
            fs.i_mmap_unlock_read(a.vm_file.f_mapping);
        }

        [Fact]
        public void Unsharing_waits_for_a_lockless_walker_with_IRQs_off()
        {
            using var cpu = Smp.cpu_up();
            var (a, b) = TwoSharers("unshare");
            using var inWalk = new ManualResetEventSlim();
            using var release = new ManualResetEventSlim();
            // A GUP-fast walker of mm b, stopped inside its IRQs-off section.
            var walker = TestCpu.Run("gup_fast", () =>
            {
                ulong flags = Smp.local_irq_save();
                inWalk.Set();
                release.WaitTakingIpis();
                Smp.local_irq_restore(flags);
            });
            inWalk.Wait("walker in its IRQs-off section");
            int unshared = -1;
            var unsharer = TestCpu.Run("unshare", () => unshared = hugetlb.hugetlb_unshare_all_pmds(b));
            if (ArchProfile.Current.HugetlbPmdPageTableSharing || ArchProfile.Current.TlbFlushByIpi)
                TestCpu.StillBlocked(unsharer, "unshare must synchronise with IRQs-off walkers");
            release.Set();
            unsharer.Wait("unshare");
            walker.Wait("walker");
            Assert.Equal(ArchProfile.Current.HugetlbPmdPageTableSharing ? 1 : 0, unshared);
            Assert.Equal(ArchProfile.Current.HugetlbPmdPageTableSharing, pxd_none(Pud(b.vm_mm, B)));
            Assert.Single(gup.gup_fast(a.vm_mm, A, 1)); // the other sharer keeps its mapping
        }

        [Fact]
        public void Gathered_tables_are_freed_only_after_IRQs_off_walkers_finish()
        {
            using var cpu = Smp.cpu_up();
            mm_struct mm = mm_struct.mm_alloc("gather");
            pgtable_t table = table_alloc(pt_level.pte, "test");
            using var inWalk = new ManualResetEventSlim();
            using var release = new ManualResetEventSlim();
            var walker = TestCpu.Run("gup_fast", () =>
            {
                ulong flags = Smp.local_irq_save();
                inWalk.Set();
                release.WaitTakingIpis();
                Assert.True(table.page.valid, "table freed under an IRQs-off walker");
                Smp.local_irq_restore(flags);
            });
            inWalk.Wait("walker in its IRQs-off section");
            var freer = TestCpu.Run("munmap", () =>
            {
                mmu_gather tlb = mmu_gather_ops.tlb_gather_mmu(mm);
                mmu_gather_ops.tlb_remove_table(tlb, table);
                mmu_gather_ops.tlb_finish_mmu(tlb);
            });
            // x86 and riscv flush TLBs with an IPI, which waits for the walker; the others invalidate by broadcast
            // and (all having RCU table freeing) defer the free to after a grace period instead.
            if (ArchProfile.Current.TlbFlushByIpi)
                TestCpu.StillBlocked(freer, "the TLB-flush IPI waits for the walker");
            else
                freer.Wait("the free is deferred to RCU, not waited for");
            Assert.True(table.page.valid);
            release.Set();
            walker.Wait("walker");
            freer.Wait("freer");
            Rcu.rcu_barrier();
            Assert.False(table.page.valid);
        }
    }
}
