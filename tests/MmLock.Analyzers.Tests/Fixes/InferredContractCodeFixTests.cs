using System.Threading.Tasks;
using MmLock.CodeFixes;
using Xunit;

namespace MmLock.Analyzers.Tests.Fixes
{
    /// <summary>MM1012's fix: the inferred contract written down as attributes, which then state exactly what was inferred.</summary>
    public class InferredContractCodeFixTests
    {
        private const string EditorConfig = "root = true\n[*.cs]\ndotnet_diagnostic.MM1012.severity = suggestion\n";

        private static Task Verify(string source, string fixedSource, string? batch = null, string editorConfig = EditorConfig)
        {
            var test = FixVerifier.Create<InferredContractCodeFix>(Rules.Kernel.Prelude, source, fixedSource, InferredContractCodeFix.EquivalenceKey, batch);
            test.AnalyzerConfigFiles.Add(("/0/.editorconfig", editorConfig));
            return test.RunAsync();
        }

        [Fact]
        public Task RequirementsAndSleeping_AreWrittenAsAttributes() => Verify(@"
using MmLock; using K;
public class P {
    readonly spinlock_t lock_ = new spinlock_t();
    public void caller(mm_struct mm) { L.down_read(mm.mmap_lock); L.spin_lock(lock_); helper(mm); L.spin_unlock(lock_); L.up_read(mm.mmap_lock); sleeper(); }
    void {|MM1012:helper|}(mm_struct mm) { need(mm); need_this(); }
    static void {|MM1012:sleeper|}() { L.synchronize_rcu(); }
    [RequiresShared(""mm.mmap_lock"")] static void need(mm_struct mm) { }
    [Requires(""lock_"")] void need_this() { }
}", @"
using MmLock; using K;
public class P {
    readonly spinlock_t lock_ = new spinlock_t();
    public void caller(mm_struct mm) { L.down_read(mm.mmap_lock); L.spin_lock(lock_); helper(mm); L.spin_unlock(lock_); L.up_read(mm.mmap_lock); sleeper(); }
    [RequiresShared(""mm.mmap_lock"")]
    [Requires(""lock_"")]
    void helper(mm_struct mm) { need(mm); need_this(); }
    [MightSleep]
    static void sleeper() { L.synchronize_rcu(); }
    [RequiresShared(""mm.mmap_lock"")] static void need(mm_struct mm) { }
    [Requires(""lock_"")] void need_this() { }
}");

        [Fact]
        public Task AWalkerHelper_GetsTheRole() => Verify(@"
using MmLock; using K;
[assembly: PageTableSpace(""kernel"")]
[assembly: TableFreeing(""kernel"", ""hot-remove"", Holds = new[] { ""K.G.mem_hotplug_lock"" }, ExcludedBy = new[] { ""K.G.mem_hotplug_lock"" })]
public class P {
    public static void caller() { L.get_online_mems(); walk_pgd(0); L.put_online_mems(); }
    static void {|MM1012:walk_pgd|}(ulong a) { walk_pud(a); }
    [PageTableWalker(""kernel"")] static void walk_pud(ulong a) { }
}", @"
using MmLock; using K;
[assembly: PageTableSpace(""kernel"")]
[assembly: TableFreeing(""kernel"", ""hot-remove"", Holds = new[] { ""K.G.mem_hotplug_lock"" }, ExcludedBy = new[] { ""K.G.mem_hotplug_lock"" })]
public class P {
    public static void caller() { L.get_online_mems(); walk_pgd(0); L.put_online_mems(); }
    [PageTableWalker(""kernel"")]
    static void walk_pgd(ulong a) { walk_pud(a); }
    [PageTableWalker(""kernel"")] static void walk_pud(ulong a) { }
}");

        /// <summary>What callers must not hold, because the helper calls an [Excludes] member or takes the lock itself, becomes [Excludes].</summary>
        [Fact]
        public Task AnExclusion_IsWrittenAsExcludes() => Verify(@"
using MmLock; using K;
public class P {
    public static void caller(spinlock_t l) { add(); locked(l); }
    static void {|MM1012:add|}() { L.mem_hotplug_begin(); L.mem_hotplug_done(); }
    static void {|MM1012:locked|}(spinlock_t l) { L.spin_lock(l); L.spin_unlock(l); }
}", @"
using MmLock; using K;
public class P {
    public static void caller(spinlock_t l) { add(); locked(l); }
    [Excludes(""K.G.mem_hotplug_lock"")]
    [MightSleep]
    static void add() { L.mem_hotplug_begin(); L.mem_hotplug_done(); }
    [Excludes(""l"")]
    static void locked(spinlock_t l) { L.spin_lock(l); L.spin_unlock(l); }
}");

        /// <summary>With local-function inference on, a local function's summary is written on the local function (nested ones too).</summary>
        [Fact]
        public Task ALocalFunction_GetsItsContractWritten() => Verify(@"
using MmLock; using K;
public class P {
    public static void caller(mm_struct mm) { L.spin_lock(mm.page_table_lock); helper(mm); L.spin_unlock(mm.page_table_lock);
        static void {|MM1012:helper|}(mm_struct m) { need(m); } }
    [Requires(""mm.page_table_lock"")] static void need(mm_struct mm) { }
}", @"
using MmLock; using K;
public class P {
    public static void caller(mm_struct mm) { L.spin_lock(mm.page_table_lock); helper(mm); L.spin_unlock(mm.page_table_lock);
        [Requires(""m.page_table_lock"")] static void helper(mm_struct m) { need(m); } }
    [Requires(""mm.page_table_lock"")] static void need(mm_struct mm) { }
}", editorConfig: EditorConfig + "mmlock_inference_local_functions = true\n");

        /// <summary>A requirement over a parameter the local function captures has no attribute that states it (attributes name the member's own parameters): no fix.</summary>
        [Fact]
        public Task ALocalFunctionRequiringACapturedParameter_GetsNoFix() => Verify(@"
using MmLock; using K;
public class P {
    public static void caller(mm_struct mm) { L.spin_lock(mm.page_table_lock); helper(); L.spin_unlock(mm.page_table_lock);
        void {|MM1012:helper|}() { need(mm); } }
    [Requires(""mm.page_table_lock"")] static void need(mm_struct mm) { }
}", @"
using MmLock; using K;
public class P {
    public static void caller(mm_struct mm) { L.spin_lock(mm.page_table_lock); helper(); L.spin_unlock(mm.page_table_lock);
        void {|MM1012:helper|}() { need(mm); } }
    [Requires(""mm.page_table_lock"")] static void need(mm_struct mm) { }
}", editorConfig: EditorConfig + "mmlock_inference_local_functions = true\n");
    }
}
