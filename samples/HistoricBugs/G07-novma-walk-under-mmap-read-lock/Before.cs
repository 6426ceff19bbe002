// G7: a dump of a user mm's page tables (x86's debugfs dump of the current process, through ptdump) walked
// without VMAs under the mmap lock for read. munmap detaches the VMAs, downgrades the lock to read and only then
// frees the tables, so the walk could run into freed tables. Fix: walk_page_range_novma() requires the mmap lock
// for write (ptdump now walks other mms with walk_page_range_debug, which keeps that rule).
// exists in: x86_64 x86_64-legacy arm64 riscv64 powerpc64 s390x
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;

namespace HistoricBugs.G07.Before;

public static class debug_pagetables_g07
{
    public static int ptdump_curusr_show(mm_struct mm, ulong start, ulong end)
    {
        int leaves = 0;
        mmap_lock.mmap_read_lock(mm);
        // expect MM1001 in all:
        //   Calling 'walk_page_range_debug' requires holding 'mm.mmap_lock' exclusively, but it is held shared
        pagewalk.walk_page_range_debug(mm, start, end, (entry, addr, next, priv) => leaves++, null);
        mmap_lock.mmap_read_unlock(mm);
        return leaves;
    }
}
