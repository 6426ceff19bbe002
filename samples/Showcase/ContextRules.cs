using System.Collections.Generic;
using System.Threading.Tasks;
using MmLock;
using static Showcase.Kernel;

namespace Showcase
{
    /// <summary>One mistake per generic rule, MM1001–MM1011, and what inference decided for a helper (MM1012).</summary>
    public sealed class ContextRules
    {
        [GuardedBy("page_table_lock_of_counters")] private int _tables;
        private readonly spinlock_t page_table_lock_of_counters = new spinlock_t();

        [Requires("mm.mmap_lock")]
        private static void walk_vmas(mm_struct mm) { }

        public static void MM1001_requires_not_held(mm_struct mm)
        {
            walk_vmas(mm);
        }

        public static void MM1002_release_not_held(mm_struct mm)
        {
            mmap_read_unlock(mm);
        }

        public static void MM1003_double_acquire(mm_struct mm)
        {
            spin_lock(mm.page_table_lock);
            spin_lock(mm.page_table_lock);
            spin_unlock(mm.page_table_lock);
        }

        public static void MM1004_held_at_exit(mm_struct mm)
        {
            mmap_write_lock(mm);
        }

        public static void MM1005_held_on_some_paths(mm_struct mm, bool dump)
        {
            if (dump) mmap_read_lock(mm);
            System.Console.WriteLine("maybe locked");
        }

        public static void MM1006_excluded_context_held()
        {
            get_online_mems();
            offline_and_remove_memory(0, 1);
            put_online_mems();
        }

        public void MM1007_guarded_write()
        {
            _tables++;
        }

        [Acquires("mm.mmap_lock")]
        public static void MM1008_contract_not_kept(mm_struct mm, bool fast)
        {
            if (!fast) mmap_write_lock(mm);
        }

        public static void MM1009_lock_order()
        {
            mmap_write_lock(init_mm);
            get_online_mems();
            put_online_mems();
            mmap_write_unlock(init_mm);
        }

        public static async Task MM1010_held_across_await(mm_struct mm)
        {
            mmap_read_lock(mm);
            await Task.Yield();
            mmap_read_unlock(mm);
        }

        public delegate void vma_visitor(mm_struct mm);

        public static void MM1011_contract_lost_in_delegate(mm_struct mm)
        {
            vma_visitor visit = walk_vmas;
            mmap_read_lock(mm);
            visit(mm);
            mmap_read_unlock(mm);
        }

        // States nothing: its requirement is inferred from walk_vmas and checked at its callers.
        private static int count_vmas(mm_struct mm)
        {
            walk_vmas(mm);
            return 1;
        }

        public static int MM1012_inferred_contract(mm_struct mm)
        {
            mmap_write_lock(mm);
            var n = count_vmas(mm);
            mmap_write_unlock(mm);
            return n;
        }
    }
}
