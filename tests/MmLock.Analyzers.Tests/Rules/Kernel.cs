using System.Threading.Tasks;
using MmLock.Analyzers.Tests.Verification;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>The small kernel vocabulary the rule tests are written in, and a one-call way to verify a case.</summary>
    internal static class Kernel
    {
        /// <summary>Declarations shared by the tests, in a document of their own (/0/Kernel.cs).</summary>
        public const string Prelude = @"
using MmLock;
namespace K
{
    [Context(Atomic = true)] public sealed class spinlock_t { }
    [Context] public class rw_semaphore { }
    [Context] public sealed class i_mmap_rwsem_t : rw_semaphore { }
    [Context] public sealed class mutex { }
    [Context(Atomic = true, Reentrant = true)] public sealed class rcu_t { }
    [Context(Atomic = true, Idempotent = true)] public sealed class irqs_off_t { }
    [Context] public sealed class percpu_rw_semaphore { }
    public sealed class mm_struct { public readonly rw_semaphore mmap_lock = new rw_semaphore(); public readonly spinlock_t page_table_lock = new spinlock_t(); }
    public sealed class address_space { public readonly i_mmap_rwsem_t i_mmap_rwsem = new i_mmap_rwsem_t(); }
    public sealed class file_t { public address_space f_mapping = new address_space(); }
    public sealed class vm_area_struct { public mm_struct vm_mm = new mm_struct(); public file_t vm_file = new file_t(); }
    public static class G
    {
        public static readonly rcu_t RCU = new rcu_t();
        public static readonly irqs_off_t IRQS_OFF = new irqs_off_t();
        public static readonly percpu_rw_semaphore mem_hotplug_lock = new percpu_rw_semaphore();
        public static readonly mm_struct init_mm = new mm_struct();
    }
    public static class L
    {
        [Acquires(""l""), NoLockAnalysis(""primitive"")] public static void spin_lock(spinlock_t l) { }
        [Releases(""l""), NoLockAnalysis(""primitive"")] public static void spin_unlock(spinlock_t l) { }
        [TryAcquires(true, ""l""), NoLockAnalysis(""primitive"")] public static bool spin_trylock(spinlock_t l) => true;
        [AcquiresShared(""s""), NoLockAnalysis(""primitive"")] public static void down_read(rw_semaphore s) { }
        [ReleasesShared(""s""), NoLockAnalysis(""primitive"")] public static void up_read(rw_semaphore s) { }
        [Acquires(""s""), NoLockAnalysis(""primitive"")] public static void down_write(rw_semaphore s) { }
        [Releases(""s""), NoLockAnalysis(""primitive"")] public static void up_write(rw_semaphore s) { }
        [Downgrades(""s""), NoLockAnalysis(""primitive"")] public static void downgrade_write(rw_semaphore s) { }
        [TryAcquiresShared(true, ""s""), NoLockAnalysis(""primitive"")] public static bool down_read_trylock(rw_semaphore s) => true;
        [TryAcquires(0, ""s""), NoLockAnalysis(""primitive"")] public static int down_write_killable(rw_semaphore s) => 0;
        [AcquiresShared(""K.G.RCU""), NoLockAnalysis(""primitive"")] public static void rcu_read_lock() { }
        [ReleasesShared(""K.G.RCU""), NoLockAnalysis(""primitive"")] public static void rcu_read_unlock() { }
        [Acquires(""K.G.IRQS_OFF""), NoLockAnalysis(""primitive"")] public static void local_irq_disable() { }
        [Releases(""K.G.IRQS_OFF""), NoLockAnalysis(""primitive"")] public static void local_irq_enable() { }
        [AcquiresShared(""K.G.mem_hotplug_lock""), NoLockAnalysis(""primitive"")] public static void get_online_mems() { }
        [ReleasesShared(""K.G.mem_hotplug_lock""), NoLockAnalysis(""primitive"")] public static void put_online_mems() { }
        [Acquires(""K.G.mem_hotplug_lock""), Excludes(""K.G.mem_hotplug_lock""), NoLockAnalysis(""primitive"")] public static void mem_hotplug_begin() { }
        [Releases(""K.G.mem_hotplug_lock""), NoLockAnalysis(""primitive"")] public static void mem_hotplug_done() { }
        [AcquiresShared(""mm.mmap_lock""), NoLockAnalysis(""primitive"")] public static void mmap_read_lock(mm_struct mm) { }
        [ReleasesShared(""mm.mmap_lock""), NoLockAnalysis(""primitive"")] public static void mmap_read_unlock(mm_struct mm) { }
        [Acquires(""mm.mmap_lock""), NoLockAnalysis(""primitive"")] public static void mmap_write_lock(mm_struct mm) { }
        [Releases(""mm.mmap_lock""), NoLockAnalysis(""primitive"")] public static void mmap_write_unlock(mm_struct mm) { }
        [AssertsHeld(""l""), NoLockAnalysis(""primitive"")] public static void lockdep_assert_held(spinlock_t l) { }
        [MightSleep, NoLockAnalysis(""primitive"")] public static void synchronize_rcu() { }
        [Acquires(""m""), NoLockAnalysis(""primitive"")] public static void mutex_lock(mutex m) { }
        [Releases(""m""), NoLockAnalysis(""primitive"")] public static void mutex_unlock(mutex m) { }
    }
}
";

        public static Task Verify(string markup, params DiagnosticResult[] expected) => Verify(markup, new string[0], expected);

        public static Task Verify(string markup, string[] symbols, params DiagnosticResult[] expected)
        {
            var test = new AnalyzerTest<MmLockAnalyzer>();
            test.Sources.Add(("/0/Kernel.cs", Prelude));
            test.Sources.Add(("/0/Test0.cs", markup));
            test.PreprocessorSymbols.AddRange(symbols);
            test.ExpectedDiagnostics.AddRange(expected);
            return test.RunAsync();
        }
    }
}
