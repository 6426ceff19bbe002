using System;
using System.Collections.Generic;
using System.Text;

namespace MmLock.Bench
{
    /// <summary>
    /// A generated code base shaped like a kernel port: a prelude of locking primitives and page-table
    /// operations, then files of methods drawn from the patterns the rules follow (guarded and unguarded
    /// walks, lock loops, try/finally, hugetlb lookups used after unlock, callbacks, sleeping under RCU)
    /// and plain methods with no locking at all. Annotated: the prelude carries MmLock contracts.
    /// Plain: the same code with every attribute left out, as in a project that installed the package
    /// but annotated nothing (the analyzers must cost next to nothing there).
    /// </summary>
    public static class Corpus
    {
        public static List<(string Name, string Text)> Generate(int files, int methodsPerFile, bool annotated, int seed = 42)
        {
            var random = new Random(seed);
            var result = new List<(string, string)> { ("Prelude.cs", Prelude(annotated)) };
            for (int f = 0; f < files; f++)
            {
                var text = new StringBuilder();
                text.Append("using Bench.Kernel;\nusing static Bench.Kernel.L;\n\nnamespace Bench.Port").Append(f).Append("\n{\n");
                text.Append("    public static class File").Append(f).Append("\n    {\n");
                for (int m = 0; m < methodsPerFile; m++)
                    text.Append(Method(random.Next(Patterns), "m" + m, random.Next(4) == 0));
                text.Append("    }\n}\n");
                result.Add(("File" + f + ".cs", text.ToString()));
            }
            return result;
        }

        private const int Patterns = 10;

        private static string A(bool annotated, string attribute) => annotated ? attribute : "";

        public static string Prelude(bool annotated)
        {
            string a(string attribute) => A(annotated, attribute);
            return $@"using System;
{(annotated ? "using MmLock;" : "")}
{a(@"[assembly: PageTableSpace(""kernel"", LeafLock = new[] { ""Bench.Kernel.G.init_mm.page_table_lock"" })]
[assembly: TableFreeing(""kernel"", ""hot-remove"", Holds = new[] { ""exclusive Bench.Kernel.G.mem_hotplug_lock"" }, ExcludedBy = new[] { ""Bench.Kernel.G.mem_hotplug_lock"" })]
[assembly: TableFreeing(""kernel"", ""huge-vmap-collapse"", When = ""!BENCH_NO_HUGE_VMAP"", Holds = new[] { ""shared Bench.Kernel.G.init_mm.mmap_lock"" }, ExcludedBy = new[] { ""exclusive Bench.Kernel.G.init_mm.mmap_lock"" })]
[assembly: PageTableSpace(""hugetlb"")]
[assembly: TableFreeing(""hugetlb"", ""pmd-unshare"", Holds = new[] { ""any Bench.Kernel.i_mmap_rwsem_t"" }, ExcludedBy = new[] { ""any Bench.Kernel.hugetlb_vma_lock"", ""any Bench.Kernel.i_mmap_rwsem_t"" })]")}
namespace Bench.Kernel
{{
    {a("[Context(Atomic = true)]")} public sealed class spinlock_t {{ }}
    {a("[Context]")} public class rw_semaphore {{ }}
    {a("[Context]")} public sealed class i_mmap_rwsem_t : rw_semaphore {{ }}
    {a("[Context]")} public sealed class hugetlb_vma_lock {{ }}
    {a("[Context]")} public sealed class percpu_rw_semaphore {{ }}
    {a("[Context(Atomic = true, Reentrant = true)]")} public sealed class rcu_t {{ }}
    public sealed class mm_struct {{ public readonly rw_semaphore mmap_lock = new rw_semaphore(); public readonly spinlock_t page_table_lock = new spinlock_t(); }}
    public sealed class address_space {{ public readonly i_mmap_rwsem_t i_mmap_rwsem = new i_mmap_rwsem_t(); }}
    public sealed class vm_area_struct {{ public mm_struct vm_mm = new mm_struct(); public hugetlb_vma_lock vm_private_data = new hugetlb_vma_lock(); public address_space mapping = new address_space(); public ulong vm_start, vm_end; }}
    public delegate int pte_entry_fn(ulong addr, ulong pte);
    public static class G
    {{
        {a(@"[AcquiredBefore(""init_mm.mmap_lock"")]")}
        public static readonly percpu_rw_semaphore mem_hotplug_lock = new percpu_rw_semaphore();
        public static readonly mm_struct init_mm = new mm_struct();
        public static readonly rcu_t RCU = new rcu_t();
        {a(@"[GuardedBy(""init_mm.page_table_lock"")]")} public static long nr_ptes;
    }}
    public static class L
    {{
        {a(@"[Acquires(""l""), NoLockAnalysis(""primitive"")]")} public static void spin_lock(spinlock_t l) {{ }}
        {a(@"[Releases(""l""), NoLockAnalysis(""primitive"")]")} public static void spin_unlock(spinlock_t l) {{ }}
        {a(@"[TryAcquires(true, ""l""), NoLockAnalysis(""primitive"")]")} public static bool spin_trylock(spinlock_t l) => true;
        {a(@"[AcquiresShared(""s""), NoLockAnalysis(""primitive"")]")} public static void down_read(rw_semaphore s) {{ }}
        {a(@"[ReleasesShared(""s""), NoLockAnalysis(""primitive"")]")} public static void up_read(rw_semaphore s) {{ }}
        {a(@"[AcquiresShared(""Bench.Kernel.G.RCU""), NoLockAnalysis(""primitive"")]")} public static void rcu_read_lock() {{ }}
        {a(@"[ReleasesShared(""Bench.Kernel.G.RCU""), NoLockAnalysis(""primitive"")]")} public static void rcu_read_unlock() {{ }}
        {a(@"[AcquiresShared(""Bench.Kernel.G.mem_hotplug_lock""), NoLockAnalysis(""primitive"")]")} public static void get_online_mems() {{ }}
        {a(@"[ReleasesShared(""Bench.Kernel.G.mem_hotplug_lock""), NoLockAnalysis(""primitive"")]")} public static void put_online_mems() {{ }}
        {a(@"[Acquires(""mm.mmap_lock""), NoLockAnalysis(""primitive"")]")} public static void mmap_write_lock(mm_struct mm) {{ }}
        {a(@"[Releases(""mm.mmap_lock""), NoLockAnalysis(""primitive"")]")} public static void mmap_write_unlock(mm_struct mm) {{ }}
        {a(@"[AcquiresShared(""vma.vm_private_data""), NoLockAnalysis(""primitive"")]")} public static void hugetlb_vma_lock_read(vm_area_struct vma) {{ }}
        {a(@"[ReleasesShared(""vma.vm_private_data""), NoLockAnalysis(""primitive"")]")} public static void hugetlb_vma_unlock_read(vm_area_struct vma) {{ }}
        {a(@"[MightSleep, NoLockAnalysis(""primitive"")]")} public static void synchronize_rcu() {{ }}
        {a(@"[Requires(""ptl"")]")} public static void set_pte_locked(spinlock_t ptl, ulong addr, ulong pte) {{ }}
        {a(@"[PageTableWalker(""kernel""), NoLockAnalysis(""simulated walk"")]")} public static void ptdump_walk_pgd(mm_struct mm) {{ }}
        {a(@"[PageTableWalker(""kernel""), NoLockAnalysis(""simulated walk"")]")} public static int walk_kernel_page_table_range(ulong start, ulong end, pte_entry_fn fn) => fn(start, 0);
        {a(@"[PageTableWalker(""hugetlb""), ReturnsGuarded, NoLockAnalysis(""simulated lookup"")]")} public static ulong[] huge_pte_offset(mm_struct mm, ulong addr) => new ulong[1];
        {a(@"[TableFreer(""kernel"", ""hot-remove""), NoLockAnalysis(""simulated free"")]")} public static void free_empty_tables(ulong start, ulong end) {{ }}
    }}
}}
";
        }

        private static string Method(int pattern, string name, bool buggy)
        {
            switch (pattern)
            {
                case 0: // ptdump: both freeings of the kernel space excluded, in lock order
                    return $@"
        public static void {name}_ptdump()
        {{
            get_online_mems();
            {(buggy ? "" : "mmap_write_lock(G.init_mm);")}
            ptdump_walk_pgd(G.init_mm);
            {(buggy ? "" : "mmap_write_unlock(G.init_mm);")}
            put_online_mems();
        }}
";
                case 1: // a loop taking and dropping the page-table lock around each entry
                    return $@"
        public static int {name}_set_range(mm_struct mm, ulong start, ulong end)
        {{
            int done = 0;
            for (ulong addr = start; addr < end; addr += 4096)
            {{
                spin_lock(mm.page_table_lock);
                if (addr % 8192 == 0)
                {{
                    {(buggy ? "break;" : "spin_unlock(mm.page_table_lock);\n                    continue;")}
                }}
                set_pte_locked(mm.page_table_lock, addr, addr | 1);
                done++;
                spin_unlock(mm.page_table_lock);
            }}
            return done;
        }}
";
                case 2: // try/finally under a rw_semaphore, with an early return
                    return $@"
        public static ulong {name}_read_mapping(address_space mapping, ulong[] values, int index)
        {{
            down_read(mapping.i_mmap_rwsem);
            try
            {{
                if (index < 0) return 0;
                ulong sum = 0;
                for (int i = 0; i <= index && i < values.Length; i++) sum += values[i];
                return sum;
            }}
            finally
            {{
                {(buggy ? "" : "up_read(mapping.i_mmap_rwsem);")}
            }}
        }}
";
                case 3: // hugetlb lookup under the vma lock; the buggy form reads the entry after unlock
                    return $@"
        public static ulong {name}_huge_pte(vm_area_struct vma, ulong addr)
        {{
            hugetlb_vma_lock_read(vma);
            var ptep = huge_pte_offset(vma.vm_mm, addr);
            {(buggy ? "hugetlb_vma_unlock_read(vma);\n            var pte = ptep[0];" : "var pte = ptep[0];\n            hugetlb_vma_unlock_read(vma);")}
            return pte;
        }}
";
                case 4: // a walk with a callback
                    return $@"
        public static int {name}_count_present(ulong start, ulong end)
        {{
            int present = 0;
            {(buggy ? "" : "get_online_mems();\n            mmap_write_lock(G.init_mm);")}
            walk_kernel_page_table_range(start, end, (addr, pte) =>
            {{
                if ((pte & 1) != 0) present++;
                return 0;
            }});
            {(buggy ? "" : "mmap_write_unlock(G.init_mm);\n            put_online_mems();")}
            return present;
        }}
";
                case 5: // RCU section; the buggy form sleeps inside it
                    return $@"
        public static void {name}_rcu(ulong[] table)
        {{
            rcu_read_lock();
            ulong x = 0;
            foreach (var e in table) x ^= e;
            {(buggy ? "synchronize_rcu();" : "")}
            rcu_read_unlock();
            {(buggy ? "" : "synchronize_rcu();")}
        }}
";
                case 6: // try-acquire with a switch
                    return $@"
        public static int {name}_try(mm_struct mm, int kind)
        {{
            if (!spin_trylock(mm.page_table_lock)) return -1;
            switch (kind)
            {{
                case 0: G.nr_ptes++; break;
                case 1: G.nr_ptes--; {(buggy ? "return 1;" : "break;")}
                default: break;
            }}
            spin_unlock(mm.page_table_lock);
            return 0;
        }}
";
                case 7: // freeing tables needs the hotplug write lock
                    return $@"
        public static void {name}_free(ulong start, ulong end)
        {{
            {(buggy ? "get_online_mems();" : "")}
            if (start < end) free_empty_tables(start, end);
            {(buggy ? "put_online_mems();" : "")}
        }}
";
                default: // plain code with no locking, like most of a code base
                    return $@"
        public static long {name}_plain(int[] data, int n)
        {{
            long total = 0;
            for (int i = 0; i < data.Length && i < n; i++)
            {{
                if (data[i] % 3 == 0) total += data[i] * 2L;
                else if (data[i] % 5 == 0) total -= data[i];
                else total ^= data[i];
            }}
            var text = total.ToString();
            return text.Length > 3 ? total : -total;
        }}
";
            }
        }
    }
}
