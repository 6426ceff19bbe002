using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace MmLock.Bench
{
    /// <summary>
    /// A generated code base shaped like the reference port (`shape` measures both; bench/RESULTS.md has the shares):
    /// a prelude of annotated locking primitives and page-table operations, then files of 40 bodies each, drawn by
    /// weight from the kinds of body the port is made of — [NoLockAnalysis] primitives, helpers with their own
    /// contract (requirements, walkers, lookups), bodies that take and drop locks (loops, try/finally, try-acquire,
    /// a scoped guard) and plain code — calling each other's exported helpers, two calls in three across files.
    /// A few locking bodies carry a bug, so the rules report. Plain: the same code with every attribute left out,
    /// as in a project that installed the package but annotated nothing. Inferred: annotated, but the helpers that need the
    /// page-table lock are private, unannotated and called by a locking caller of their file, so their contracts are inferred.
    /// </summary>
    public static class Corpus
    {
        public const int BodiesPerFile = 40;

        /// <summary>About <paramref name="lines"/> lines: the prelude and as many files of <see cref="BodiesPerFile"/> bodies as that takes.</summary>
        public static List<(string Name, string Text)> Generate(int lines, bool annotated, int seed = 42, bool inferred = false)
        {
            var prelude = Prelude(annotated);
            // Calls go to any file, so the number of files is fixed first, from the size of a few sample files.
            var sample = new Random(seed + 1);
            double perFile = Enumerable.Range(0, 8).Average(i => LineCount(File(i, 8, annotated, sample, inferred: inferred)));
            int files = Math.Max(1, (int)Math.Round((lines - LineCount(prelude)) / perFile));
            var random = new Random(seed);
            var result = new List<(string, string)> { ("Prelude.cs", prelude) };
            for (int f = 0; f < files; f++) result.Add(("File" + f + ".cs", File(f, files, annotated, random, inferred: inferred)));
            return result;
        }

        private static int LineCount(string text) => text.Count(c => c == '\n') + 1;

        private enum Kind { Primitive, RequiresHelper, Walker, Lookup, AcquiresOwn, LockLoop, TryFinally, HugetlbLocked, WalkCallback, Rcu, TryAcquire, Free, Guard, Plain }

        // Per 100 bodies; tuned until `shape` on the corpus gives the port's shares (bench/RESULTS.md).
        private static readonly (Kind Kind, double Weight)[] Weights =
        {
            (Kind.Primitive, 10), (Kind.RequiresHelper, 28), (Kind.Walker, 2), (Kind.Lookup, 1), (Kind.AcquiresOwn, 1),
            (Kind.LockLoop, 5), (Kind.TryFinally, 2.7), (Kind.HugetlbLocked, 1.5), (Kind.WalkCallback, 1.5), (Kind.Rcu, 1.5),
            (Kind.TryAcquire, 0.9), (Kind.Free, 1), (Kind.Guard, 0.3), (Kind.Plain, 38),
        };

        private const double BuggyShare = 0.1;

        private static Kind Draw(Random random)
        {
            double x = random.NextDouble() * Weights.Sum(w => w.Weight);
            foreach (var (kind, weight) in Weights)
                if ((x -= weight) < 0) return kind;
            return Kind.Plain;
        }

        /// <summary>One more file of about <paramref name="lines"/> lines, calling into files 0 to <paramref name="files"/> - 1.</summary>
        public static string Document(int lines, int files, bool annotated, int seed = 43, bool inferred = false)
        {
            int bodies = BodiesPerFile;
            for (int attempt = 0; attempt < 4; attempt++)
            {
                var text = File(files, files, annotated, new Random(seed), bodies, inferred);
                bodies = Math.Max(3, (int)Math.Round(bodies * (double)lines / LineCount(text)));
            }
            return File(files, files, annotated, new Random(seed), bodies, inferred);
        }

        private static string File(int index, int files, bool annotated, Random random, int bodies = BodiesPerFile, bool inferred = false)
        {
            var text = new StringBuilder();
            text.Append(annotated ? "using MmLock;\n" : "").Append("using Bench.Kernel;\nusing static Bench.Kernel.L;\n\nnamespace Bench.Port").Append(index).Append("\n{\n");
            text.Append("    public static class File").Append(index).Append("\n    {\n");
            var context = new BodyWriter(index, files, annotated, random, annotated && inferred);
            text.Append(context.ExportedPlain()).Append(context.ExportedLocked());
            for (int m = 2; m < bodies; m++) text.Append(context.Body(Draw(random), "m" + m));
            text.Append("    }\n}\n");
            return text.ToString();
        }

        /// <summary>Writes the bodies of one file; every file exports x_plain (no contract) and x_locked (requires the page-table lock).</summary>
        private sealed class BodyWriter
        {
            private readonly int _file, _files;
            private readonly bool _annotated, _inferred;
            private readonly Random _random;

            public BodyWriter(int file, int files, bool annotated, Random random, bool inferred)
            {
                _file = file;
                _files = files;
                _annotated = annotated;
                _random = random;
                _inferred = inferred;
            }

            private string A(string attribute) => _annotated ? "[" + attribute + "] " : "";

            /// <summary>A helper of this file one time in three, of another file otherwise.</summary>
            private string Other(string helper)
            {
                int target = _random.Next(3) == 0 || _files == 1 ? _file : _random.Next(_files);
                return target == _file ? helper : $"Bench.Port{target}.File{target}.{helper}";
            }

            private bool Buggy() => _random.NextDouble() < BuggyShare;

            public string ExportedPlain() => $@"
        public static long x_plain(int[] data, int n)
        {{
            long total = n;
            if (data.Length > n) total += data[n];
            else if (n > 0) total -= data.Length;
            return total;
        }}
";

            public string ExportedLocked() => $@"
        {A(@"Requires(""mm.page_table_lock"")")}public static int x_locked(mm_struct mm, ulong addr)
        {{
            set_pte_locked(mm.page_table_lock, addr, addr | 1);
            G.nr_ptes++;
            return (int)(addr & 7);
        }}
";

            public string Body(Kind kind, string name) =>
                $"\n        /// <summary>\n        /// {kind} body {name} of file {_file}: documented like the port's members,\n        /// which say what they need held and why.\n        /// </summary>" + Code(kind, name);

            private string Code(Kind kind, string name)
            {
                bool buggy = Buggy();
                switch (kind)
                {
                    case Kind.Primitive: // like the port's primitives: a real body the analysis must not look at
                        return _random.Next(2) == 0 ? $@"
        {A(@"Acquires(""l""), NoLockAnalysis(""primitive"")")}public static void {name}_lock(spinlock_t l, int[] spins)
        {{
            int tries = 0;
            while (tries < spins.Length && spins[tries] != 0) tries++;
            {Other("x_plain")}(spins, tries);
        }}
" : $@"
        {A(@"Releases(""l""), NoLockAnalysis(""primitive"")")}public static void {name}_unlock(spinlock_t l, int[] state)
        {{
            if (state.Length > 0) state[0] = 0;
            {Other("x_plain")}(state, 0);
        }}
";
                    case Kind.RequiresHelper: // a helper whose caller holds the lock
                        return _random.Next(5) == 0 ? $@"
        {A(@"Requires(""mm.page_table_lock"")")}public static int {name}_set_range(mm_struct mm, ulong start, ulong end, int[] data)
        {{
            int done = 0;
            for (ulong addr = start; addr < end; addr += 4096)
            {{
                set_pte_locked(mm.page_table_lock, addr, addr | 1);
                done++;
            }}
            done += {Other("x_locked")}(mm, start);
            return done + (int){Other("x_plain")}(data, done);
        }}
" : _inferred ? $@"
        private static int {name}_set(mm_struct mm, ulong addr, int[] data)
        {{
            if (addr == 0) return -1;
            set_pte_locked(mm.page_table_lock, addr, addr | 1);
            G.nr_ptes++;
            int shift = {Other("x_locked")}(mm, addr);
            return shift + (int){Other("x_plain")}(data, shift);
        }}

        public static int {name}_set_locked(mm_struct mm, ulong addr, int[] data)
        {{
            spin_lock(mm.page_table_lock);
            int result = {name}_set(mm, addr, data);
            spin_unlock(mm.page_table_lock);
            return result;
        }}
" : $@"
        {A(@"Requires(""mm.page_table_lock"")")}public static int {name}_set(mm_struct mm, ulong addr, int[] data)
        {{
            if (addr == 0) return -1;
            set_pte_locked(mm.page_table_lock, addr, addr | 1);
            G.nr_ptes++;
            int shift = {Other("x_locked")}(mm, addr);
            return shift + (int){Other("x_plain")}(data, shift);
        }}
";
                    case Kind.Walker: // a walker whose caller excludes both freeings of the kernel space
                        return $@"
        {A(@"RequiresShared(""Bench.Kernel.G.mem_hotplug_lock""), Requires(""Bench.Kernel.G.init_mm.mmap_lock"")")}public static int {name}_walk(ulong start, ulong end, int[] data)
        {{
            int present = 0;
            if (start < end)
                present = walk_kernel_page_table_range(start, end, (addr, pte) => (int)(pte & 1));
            return present + (int){Other("x_plain")}(data, present);
        }}
";
                    case Kind.Lookup: // a hugetlb lookup whose caller holds the vma lock
                        return $@"
        {A(@"RequiresShared(""vma.vm_private_data"")")}public static ulong {name}_lookup(vm_area_struct vma, ulong addr)
        {{
            var ptep = huge_pte_offset(vma.vm_mm, addr);
            if (ptep.Length == 0) return 0;
            return ptep[0];
        }}
";
                    case Kind.AcquiresOwn: // returns holding what it took
                        return $@"
        {A(@"Acquires(""mm.page_table_lock"")")}public static void {name}_lock_table(mm_struct mm, ulong addr)
        {{
            spin_lock(mm.page_table_lock);
            {Other("x_locked")}(mm, addr);
        }}
";
                    case Kind.LockLoop: // a loop taking and dropping the page-table lock around each entry
                        return $@"
        public static int {name}_set_range_locked(mm_struct mm, ulong start, ulong end)
        {{
            int done = 0;
            for (ulong addr = start; addr < end; addr += 4096)
            {{
                spin_lock(mm.page_table_lock);
                if (addr % 8192 == 0)
                {{
                    {(buggy ? "break;" : "spin_unlock(mm.page_table_lock);\n                    continue;")}
                }}
                done += {Other("x_locked")}(mm, addr);
                spin_unlock(mm.page_table_lock);
            }}
            return done;
        }}
";
                    case Kind.TryFinally: // try/finally under a rw_semaphore, with an early return
                        return $@"
        public static ulong {name}_read_mapping(address_space mapping, ulong[] values, int index, int[] data)
        {{
            down_read(mapping.i_mmap_rwsem);
            try
            {{
                if (index < 0) return 0;
                ulong sum = 0;
                for (int i = 0; i <= index && i < values.Length; i++) sum += values[i];
                return sum + (ulong){Other("x_plain")}(data, index);
            }}
            finally
            {{
                {(buggy ? "" : "up_read(mapping.i_mmap_rwsem);")}
            }}
        }}
";
                    case Kind.HugetlbLocked: // hugetlb lookup under the vma lock; the buggy form reads the entry after unlock
                        return $@"
        public static ulong {name}_huge_pte(vm_area_struct vma, ulong addr)
        {{
            hugetlb_vma_lock_read(vma);
            var ptep = huge_pte_offset(vma.vm_mm, addr);
            {(buggy ? "hugetlb_vma_unlock_read(vma);\n            var pte = ptep[0];" : "var pte = ptep[0];\n            hugetlb_vma_unlock_read(vma);")}
            return pte;
        }}
";
                    case Kind.WalkCallback: // a walk with a callback, both freeings excluded in lock order
                        return $@"
        public static int {name}_count_present(ulong start, ulong end, int[] data)
        {{
            int present = 0;
            get_online_mems();
            {(buggy ? "" : "mmap_write_lock(G.init_mm);")}
            walk_kernel_page_table_range(start, end, (addr, pte) =>
            {{
                if ((pte & 1) != 0) present++;
                return 0;
            }});
            {(buggy ? "" : "mmap_write_unlock(G.init_mm);")}
            put_online_mems();
            return present + (int){Other("x_plain")}(data, present);
        }}
";
                    case Kind.Rcu: // RCU section; the buggy form sleeps inside it
                        return $@"
        public static ulong {name}_rcu(ulong[] table)
        {{
            rcu_read_lock();
            ulong x = 0;
            foreach (var e in table) x ^= e;
            {(buggy ? "synchronize_rcu();" : "")}
            rcu_read_unlock();
            {(buggy ? "" : "synchronize_rcu();")}
            return x;
        }}
";
                    case Kind.TryAcquire: // try-acquire tested, then a switch
                        return $@"
        public static int {name}_try(mm_struct mm, int kind)
        {{
            if (!spin_trylock(mm.page_table_lock)) return -1;
            switch (kind)
            {{
                case 0: G.nr_ptes++; break;
                case 1: G.nr_ptes--; {(buggy ? "return 1;" : "break;")}
                default: {Other("x_locked")}(mm, (ulong)kind); break;
            }}
            spin_unlock(mm.page_table_lock);
            return 0;
        }}
";
                    case Kind.Free: // freeing tables needs the hotplug write lock
                        return $@"
        public static void {name}_free(ulong start, ulong end)
        {{
            {(buggy ? "get_online_mems();" : "mem_hotplug_begin();")}
            if (start < end) free_empty_tables(start, end);
            {(buggy ? "put_online_mems();" : "mem_hotplug_done();")}
        }}
";
                    case Kind.Guard: // a scoped guard
                        return $@"
        public static int {name}_guarded(mm_struct mm, ulong addr)
        {{
            using (var guard = new pte_guard(mm.page_table_lock))
            {{
                {Other("x_locked")}(mm, addr);
            }}
            return {(buggy ? Other("x_locked") + "(mm, addr)" : "0")};
        }}
";
                    default: // plain code with no locking, like most of a code base
                        return _random.Next(10) == 0 ? $@"
        public static long {name}_plain_loop(int[] data, int n)
        {{
            long total = 0;
            for (int i = 0; i < data.Length && i < n; i++)
            {{
                if (data[i] % 3 == 0) total += data[i] * 2L;
                else total ^= data[i];
            }}
            total += {Other("x_plain")}(data, n);
            return total > 3 ? total : -total;
        }}
" : $@"
        public static long {name}_plain(int[] data, int n)
        {{
            long total = {Other("x_plain")}(data, n);
            if (total % 3 == 0) total += {Other("x_plain")}(data, n + 1);
            else if (total % 5 == 0) total -= n;
            var text = total.ToString();
            return text.Length > 3 ? total + {Other("x_plain")}(data, 0) : -total;
        }}
";
                }
            }
        }

        public static string Prelude(bool annotated)
        {
            string a(string attribute) => annotated ? attribute : "";
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
    {a("[ScopedGuard]")} public struct pte_guard : IDisposable
    {{
        private readonly spinlock_t _l;
        {a(@"[Acquires(""l"")]")} public pte_guard(spinlock_t l) {{ _l = l; L.spin_lock(l); }}
        {a(@"[NoLockAnalysis(""guard"")]")} public void Dispose() => L.spin_unlock(_l);
    }}
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
        {a(@"[Acquires(""Bench.Kernel.G.mem_hotplug_lock""), NoLockAnalysis(""primitive"")]")} public static void mem_hotplug_begin() {{ }}
        {a(@"[Releases(""Bench.Kernel.G.mem_hotplug_lock""), NoLockAnalysis(""primitive"")]")} public static void mem_hotplug_done() {{ }}
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
    }
}
