using System.Threading.Tasks;
using Xunit;
using static MmLock.Analyzers.Tests.Verification.Verify;
using static MmLock.Analyzers.Tests.Rules.Kernel;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>Issue 9 item 8: a try-acquire body keeps its contract at each exit, by the value it returns there.</summary>
    public class TryAcquireBodyTests
    {
        [Fact]
        public Task KeptOnEveryReturn_IsClean() => Verify(@"
using MmLock; using K;
class page { }
class C {
    [TryAcquires(true, ""l"")] static bool try_one(spinlock_t l) { if (!L.spin_trylock(l)) return false; return true; }
    [TryAcquires(false, ""l"")] static bool busy(spinlock_t l) { if (L.spin_trylock(l)) return false; return true; }
    [TryAcquires(0, ""s"")] static int lock_killable(rw_semaphore s) { if (L.down_write_killable(s) != 0) return -4; return 0; }
    [TryAcquires(1, ""l"")] static int try_int(spinlock_t l) { if (L.spin_trylock(l)) return 1; return 0; }
    [TryAcquires(""nonnull"", ""l"")] static page try_page(spinlock_t l) { if (!L.spin_trylock(l)) return null; return new page(); }
    // Not a constant: the exit is not checked (project choice).
    [TryAcquires(true, ""l"")] static bool forward(spinlock_t l) { bool ok = L.spin_trylock(l); return ok; }
}");

        [Fact]
        public Task ReturningFailureWhileHolding_IsMM1004AtThatReturn() => Verify(@"
using MmLock; using K;
class page { }
class C {
    [TryAcquires(true, ""l"")] static bool try_bool(spinlock_t l, bool c) {
        {|#0:L.spin_lock(l)|};
        if (c) {|#1:return false;|}
        return true;
    }
    [TryAcquires(0, ""s"")] static int try_killable(rw_semaphore s, bool c) {
        {|#2:L.down_write(s)|};
        if (c) {|#3:return -4;|}
        return 0;
    }
    [TryAcquires(""nonnull"", ""l"")] static page try_page(spinlock_t l, bool c) {
        {|#4:L.spin_lock(l)|};
        if (c) {|#5:return null;|}
        return new page();
    }
}", Diag("MM1004").WithLocation(1).WithAdditionalLocation(0).WithMessage("'l' is still held at this exit of 'try_bool' (acquired at line 6)"),
    Diag("MM1004").WithLocation(3).WithAdditionalLocation(2).WithMessage("'s' is still held at this exit of 'try_killable' (acquired at line 11)"),
    Diag("MM1004").WithLocation(5).WithAdditionalLocation(4).WithMessage("'l' is still held at this exit of 'try_page' (acquired at line 16)"));

        [Fact]
        public Task ReturningSuccessWithoutHolding_IsMM1008AtTheName() => Verify(@"
using MmLock; using K;
class C {
    [TryAcquires(true, ""l"")] static bool {|#0:try_bool|}(spinlock_t l, bool c) {
        if (c) return true;
        L.spin_lock(l);
        return true;
    }
    [TryAcquires(0, ""s"")] static int {|#1:try_killable|}(rw_semaphore s) => 0;
}", Diag("MM1008").WithLocation(0).WithNoAdditionalLocations().WithMessage("'try_bool' does not acquire 'l' on every path"),
    Diag("MM1008").WithLocation(1).WithNoAdditionalLocations().WithMessage("'try_killable' does not acquire 's' on every path"));
    }
}
