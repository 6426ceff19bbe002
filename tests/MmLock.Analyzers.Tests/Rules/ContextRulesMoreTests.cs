using System.Threading.Tasks;
using Xunit;
using static MmLock.Analyzers.Tests.Verification.Verify;
using static MmLock.Analyzers.Tests.Rules.Kernel;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>Further clang-style cases: modes, maybe-held, aliases, several RequiresAny, order declared on types, nested bodies.</summary>
    public class ContextRulesMoreTests
    {
        [Fact]
        public Task RequiresShared_AcceptsEitherMode() => Verify(@"
using MmLock; using K;
class C {
    [RequiresShared(""s"")] static void needR(rw_semaphore s) { }
    static void M(rw_semaphore s) {
        L.down_read(s); needR(s); L.up_read(s);
        L.down_write(s); needR(s); {|#1:L.up_write(s)|};
        {|#0:needR(s)|};
    }
}", Diag("MM1001").WithLocation(0).WithMessage("Calling 'needR' requires holding 's'; 's' was released at line 7")
            .WithAdditionalLocation(1));

        [Fact]
        public Task MaybeHeld_ReacquireAndReleaseReportNothingFurther() => Verify(@"
using MmLock; using K;
class C {
    static void M(spinlock_t a, int n) {
        while (n > 0) {
            {|#0:L.spin_unlock(a)|};
            n--;
        }
    }
    static void N(spinlock_t a, bool c) {
        if (c) {|#1:L.spin_lock(a)|};
        {|#2:L.spin_lock(a);|}
        L.spin_unlock(a);
    }
}", Diag("MM1002").WithLocation(0).WithNoAdditionalLocations().WithMessage("Releasing 'a', which is not held"),
    Diag("MM1005").WithLocation(1).WithAdditionalLocation(2).WithMessage("'a' is held on some paths only where they join at line 12"));

        [Fact]
        public Task Switch_JoinMismatch() => Verify(@"
using MmLock; using K;
class C {
    static void M(spinlock_t a, int n) {
        switch (n) {
            case 0: {|#0:L.spin_lock(a)|}; break;
            case 1: L.spin_lock(a); L.spin_unlock(a); L.spin_lock(a); break;
            default: break;
        }
        {|#1:L.spin_unlock(a);|}
    }
    static void Ok(spinlock_t a, int n) {
        switch (n) {
            case 0: L.spin_lock(a); break;
            default: L.spin_lock(a); break;
        }
        L.spin_unlock(a);
    }
}", Diag("MM1005").WithLocation(0).WithAdditionalLocation(1).WithMessage("'a' is held on some paths only where they join at line 10"));

        [Fact]
        public Task LocalAssignedTwice_IsNotAnAlias() => Verify(@"
using MmLock; using K;
class C {
    [Requires(""mm.mmap_lock"")] static void f(mm_struct mm) { }
    static void M(vm_area_struct vma, mm_struct other) {
        var mm = vma.vm_mm;
        mm = other;
        L.mmap_write_lock(mm);
        {|#0:f(vma.vm_mm)|};
        L.mmap_write_unlock(mm);
    }
}", Diag("MM1001").WithLocation(0).WithNoAdditionalLocations().WithMessage("Calling 'f' requires holding 'vma.vm_mm.mmap_lock' exclusively"));

        [Fact]
        public Task SeveralRequiresAny_AllApply() => Verify(@"
using MmLock; using K;
class C {
    [RequiresAny(""a"", ""b""), RequiresAny(""K.G.RCU"", ""c"")] static void both(spinlock_t a, spinlock_t b, spinlock_t c) { }
    static void M(spinlock_t x, spinlock_t y, spinlock_t z) {
        L.spin_lock(x);
        {|#0:both(x, y, z)|};
        L.rcu_read_lock();
        both(x, y, z);
        L.rcu_read_unlock();
        L.spin_unlock(x);
    }
}", Diag("MM1001").WithLocation(0).WithNoAdditionalLocations().WithMessage("Calling 'both' requires holding one of 'G.RCU', 'z'"));

        [Fact]
        public Task Existential_InExcludesAndRequiresAny() => Verify(@"
using MmLock; using K;
class C {
    [Excludes(""any K.spinlock_t"")] static void sleeps() { }
    [RequiresAny(""any K.rw_semaphore"", ""K.G.RCU"")] static void either() { }
    static void M(spinlock_t a, rw_semaphore s) {
        sleeps();
        {|#0:L.spin_lock(a)|};
        {|#1:sleeps()|};
        L.spin_unlock(a);
        {|#2:either()|};
        L.down_read(s); either(); L.up_read(s);
    }
}", Diag("MM1006").WithLocation(1).WithAdditionalLocation(0).WithMessage("Calling 'sleeps' while holding 'a', which it excludes (acquired at line 8)"),
    Diag("MM1001").WithLocation(2).WithNoAdditionalLocations().WithMessage("Calling 'either' requires holding one of 'any rw_semaphore', 'G.RCU'"));

        [Fact]
        public Task AttributeWhenFalse_DoesNotExist() => Verify(@"
using MmLock; using K;
class C {
    [Acquires(""l"", When = ""CONFIG_SMP""), NoLockAnalysis(""primitive"")] static void smp_lock(spinlock_t l) { }
    [Releases(""l"", When = ""CONFIG_SMP""), NoLockAnalysis(""primitive"")] static void smp_unlock(spinlock_t l) { }
    [Requires(""l"")] static void need(spinlock_t l) { }
    static void M(spinlock_t a) {
        smp_lock(a);
        {|#0:need(a)|};
        smp_unlock(a);
    }
}", Diag("MM1001").WithLocation(0).WithNoAdditionalLocations().WithMessage("Calling 'need' requires holding 'a' exclusively"));

        [Fact]
        public Task AttributeWhenTrue_Exists() => Verify(@"
using MmLock; using K;
class C {
    [Acquires(""l"", When = ""CONFIG_SMP""), NoLockAnalysis(""primitive"")] static void smp_lock(spinlock_t l) { }
    [Releases(""l"", When = ""CONFIG_SMP""), NoLockAnalysis(""primitive"")] static void smp_unlock(spinlock_t l) { }
    [Requires(""l"")] static void need(spinlock_t l) { }
    static void M(spinlock_t a) {
        smp_lock(a);
        need(a);
        smp_unlock(a);
    }
}", new[] { "CONFIG_SMP" });

        [Fact]
        public Task AssertsNotHeld_ForgetsTheContext() => Verify(@"
using MmLock; using K;
class C {
    [AssertsNotHeld(""l""), NoLockAnalysis(""primitive"")] static void lockdep_assert_not_held(spinlock_t l) { }
    [Requires(""l"")] static void need(spinlock_t l) { }
    static void M(spinlock_t a) {
        lockdep_assert_not_held(a);
        L.spin_lock(a);
        need(a);
        {|#1:L.spin_unlock(a)|};
        lockdep_assert_not_held(a);
        {|#0:need(a)|};
    }
}", Diag("MM1001").WithLocation(0).WithAdditionalLocation(1).WithMessage("Calling 'need' requires holding 'a' exclusively; 'a' was released at line 10"));

        [Fact]
        public Task MM1009_OrderDeclaredOnContextTypesAndAfter() => Verify(@"
using MmLock; using K;
namespace T {
    [Context, AcquiredBefore(""T.inner_lock"")] public sealed class outer_lock { }
    [Context] public sealed class inner_lock { }
    public static class Locks {
        public static readonly mutex x = new mutex();
        [AcquiredAfter(""T.Locks.x"")] public static readonly mutex y = new mutex();
    }
    class C {
        [Acquires(""l""), NoLockAnalysis(""primitive"")] static void lock_o(outer_lock l) { }
        [Acquires(""l""), NoLockAnalysis(""primitive"")] static void lock_i(inner_lock l) { }
        [Releases(""l""), NoLockAnalysis(""primitive"")] static void unlock_o(outer_lock l) { }
        [Releases(""l""), NoLockAnalysis(""primitive"")] static void unlock_i(inner_lock l) { }
        static void Good(outer_lock o, inner_lock i) { lock_o(o); lock_i(i); unlock_i(i); unlock_o(o); L.mutex_lock(Locks.x); L.mutex_lock(Locks.y); L.mutex_unlock(Locks.y); L.mutex_unlock(Locks.x); }
        static void Bad(outer_lock o, inner_lock i) {
            {|#0:lock_i(i)|};
            {|#1:lock_o(o)|};
            unlock_o(o); unlock_i(i);
            {|#2:L.mutex_lock(Locks.y)|};
            {|#3:L.mutex_lock(Locks.x)|};
            L.mutex_unlock(Locks.x); L.mutex_unlock(Locks.y);
        }
    }
}", Diag("MM1009").WithLocation(1).WithAdditionalLocation(0).WithMessage("Acquiring 'o' while holding 'i' violates the declared lock order ('o' comes before 'i')"),
    Diag("MM1009").WithLocation(3).WithAdditionalLocation(2).WithMessage("Acquiring 'Locks.x' while holding 'Locks.y' violates the declared lock order ('Locks.x' comes before 'Locks.y')"));

        [Fact]
        public Task Lambda_AcquiresWithoutRelease_ReportsAtItsOwnEnd() => Verify(@"
using MmLock; using K;
class C {
    static void M(spinlock_t a) {
        System.Action f = () => {
            {|#0:L.spin_lock(a)|};
        {|#1:}|};
        f();
    }
}", Diag("MM1004").WithLocation(1).WithAdditionalLocation(0).WithMessage("'a' is still held at this exit of 'lambda' (acquired at line 6)"));

        [Fact]
        public Task MM3001_MightSleepUnderRcu_TryAcquireDoesNotSleep() => Verify(@"
using MmLock; using K;
class C {
    static void M(rw_semaphore s) {
        {|#0:L.rcu_read_lock()|};
        {|#1:L.synchronize_rcu()|};
        if (L.down_read_trylock(s)) L.up_read(s);
        L.rcu_read_unlock();
        L.synchronize_rcu();
    }
}", Diag("MM3001").WithLocation(1).WithAdditionalLocation(0).WithMessage("Calling 'synchronize_rcu' might sleep while 'G.RCU' is held (acquired at line 5)"));

        [Fact]
        public Task MM1007_GuardedStaticAndProperty() => Verify(@"
using MmLock; using K;
class C {
    public static readonly spinlock_t glock = new spinlock_t();
    [GuardedBy(""C.glock"")] static int total;
    [GuardedBy(""C.glock"")] static int Prop { get; set; }
    static C() { total = 0; }
    static void Ok() { L.spin_lock(glock); total = Prop; Prop = 2; L.spin_unlock(glock); }
    static void Bad() { {|#0:Prop|} = 3; }
}", Diag("MM1007").WithLocation(0).WithNoAdditionalLocations().WithMessage("Writing 'Prop' requires holding 'C.glock' exclusively"));

        [Fact]
        public Task ReleasesMember_EntryHeld_ExitWithoutIt_IsClean() => Verify(@"
using MmLock; using K;
class C {
    [Requires(""l"")] static void need(spinlock_t l) { }
    [Releases(""l"")] static void finish(spinlock_t l) { need(l); L.spin_unlock(l); }
    [Requires(""l"")] static void relock(spinlock_t l) { L.spin_unlock(l); L.spin_lock(l); need(l); }
    static void M(spinlock_t a) { L.spin_lock(a); relock(a); finish(a); }
}");
    }
}
