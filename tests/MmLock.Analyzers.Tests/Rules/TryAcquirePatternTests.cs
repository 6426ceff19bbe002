using System.Threading.Tasks;
using Xunit;
using static MmLock.Analyzers.Tests.Verification.Verify;
using static MmLock.Analyzers.Tests.Rules.Kernel;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>Issue 9 items 2 and 3: patterns and stored results as try-acquire tests, for every success kind.</summary>
    public class TryAcquirePatternTests
    {
        private const string Head = @"
using MmLock; using K;
class page { }
static class T {
    [TryAcquires(""nonnull"", ""l""), NoLockAnalysis(""primitive"")] public static page trylock_page_ptr(spinlock_t l) => null;
    [Requires(""l"")] public static void need(spinlock_t l) { }
    [Requires(""s"")] public static void needW(rw_semaphore s) { }
    [Releases(""l"")] public static int unlock_ret(spinlock_t l) { L.spin_unlock(l); return 1; }
}
class C {
";

        [Fact]
        public Task IntegerAndNonNullPatterns_AreTests() => Verify(Head + @"
    static void A(rw_semaphore s) { if (L.down_write_killable(s) is 0) { T.needW(s); L.up_write(s); } }
    static void B(rw_semaphore s) { if (L.down_write_killable(s) is not 0) return; T.needW(s); L.up_write(s); }
    static void D(spinlock_t a) { if (T.trylock_page_ptr(a) is { } p) { T.need(a); L.spin_unlock(a); } }
    static void E(spinlock_t a) { if (T.trylock_page_ptr(a) is not { }) return; T.need(a); L.spin_unlock(a); }
    static void F(spinlock_t a) { if (T.trylock_page_ptr(a) is object) { T.need(a); L.spin_unlock(a); } }
    static void G(spinlock_t a) { if (T.trylock_page_ptr(a) is page p) { T.need(a); L.spin_unlock(a); } }
    static void H(spinlock_t a) { if (T.trylock_page_ptr(a) is null) return; T.need(a); L.spin_unlock(a); }
}");

        [Fact]
        public Task SwitchOnATryAcquire_CasesAreTests_AndTheImpossibleEdgeCarriesNothing() => Verify(Head + @"
    static int A(spinlock_t a) => L.spin_trylock(a) switch { true => T.unlock_ret(a), false => 0 };
    static void B(spinlock_t a) { switch (L.spin_trylock(a)) { case true: T.need(a); L.spin_unlock(a); break; case false: break; } }
    static void D(rw_semaphore s) { switch (L.down_write_killable(s)) { case 0: T.needW(s); L.up_write(s); break; default: break; } }
    static int E(rw_semaphore s) => L.down_write_killable(s) switch { 0 => Up(s), _ => -4 };
    [Releases(""s"")] static int Up(rw_semaphore s) { L.up_write(s); return 0; }
}");

        [Fact]
        public Task StoredResults_ThroughOrAndAnd() => Verify(Head + @"
    static void A(spinlock_t a, bool c) { bool busy = c || !L.spin_trylock(a); if (busy) return; T.need(a); L.spin_unlock(a); }
    static void B(spinlock_t a, bool c) { bool ok = !c && L.spin_trylock(a); if (!ok) return; T.need(a); L.spin_unlock(a); }
    static void D(spinlock_t a) { bool failed = (!L.spin_trylock(a)); if (failed) return; T.need(a); L.spin_unlock(a); }
}");

        [Fact]
        public Task UsedOnTheFailurePath_OrAfterTheResultIsOverwritten_IsMM1001() => Verify(Head + @"
    static void A(rw_semaphore s) { if (L.down_write_killable(s) is not 0) { {|#0:T.needW(s)|}; return; } L.up_write(s); }
    static void B(spinlock_t a) { if (T.trylock_page_ptr(a) is null) { {|#1:T.need(a)|}; return; } L.spin_unlock(a); }
    static void D(spinlock_t a, bool c) {
        bool ok = L.spin_trylock(a);
        ok = c;
        if (ok) { {|#2:T.need(a)|}; }
    }
}", Diag("MM1001").WithLocation(0).WithNoAdditionalLocations().WithMessage("Calling 'needW' requires holding 's' exclusively"),
    Diag("MM1001").WithLocation(1).WithNoAdditionalLocations().WithMessage("Calling 'need' requires holding 'a' exclusively"),
    // The overwritten result drops the try-acquire's fact: 'a' is held on some paths from then on.
    Diag("MM1001").WithLocation(2).WithNoAdditionalLocations().WithMessage("Calling 'need' requires holding 'a' exclusively, which is not held on every path"));
    }
}
