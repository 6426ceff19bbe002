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
        bool ok = {|#3:L.spin_trylock(a)|};
        {|#4:ok = c|};
        if (ok) { {|#2:T.need(a)|}; }
    }
}", Diag("MM1001").WithLocation(0).WithNoAdditionalLocations().WithMessage("Calling 'needW' requires holding 's' exclusively"),
    Diag("MM1001").WithLocation(1).WithNoAdditionalLocations().WithMessage("Calling 'need' requires holding 'a' exclusively"),
    // The overwritten result drops the try-acquire's fact: success and failure join there, 'a' is held on some paths from then on.
    Diag("MM1005").WithLocation(3).WithAdditionalLocation(4).WithMessage("'a' is held on some paths only where they join at line 16"),
    Diag("MM1001").WithLocation(2).WithNoAdditionalLocations().WithMessage("Calling 'need' requires holding 'a' exclusively, which is not held on every path"));

        /// <summary>
        /// A result discarded or overwritten before it is tested: success and failure join where it is lost, so the context is
        /// held on some paths (MM1005 at the try-acquire) and releasing it after is no MM1002; a copy kept elsewhere (negated
        /// too) is not lost.
        /// </summary>
        [Fact]
        public Task ALostResult_IsMM1005AtTheTryAcquire() => Verify(Head + @"
    static void A(spinlock_t a, bool c) { bool ok = {|#0:L.spin_trylock(a)|}; {|#1:ok = c|}; }
    static void B(spinlock_t a) { {|#2:L.spin_trylock(a)|}; }
    static void D(spinlock_t a) { {|#3:L.spin_trylock(a)|}; L.spin_unlock(a); }
    static void E(spinlock_t a) { _ = {|#4:L.spin_trylock(a)|}; L.spin_unlock(a); }
    static void F(spinlock_t a) { bool ok = {|#5:L.spin_trylock(a)|}; {|#6:ok = L.spin_trylock(a)|}; if (ok) L.spin_unlock(a); }
    static void G(spinlock_t a, bool c) { bool ok = L.spin_trylock(a); bool failed = !ok; ok = c; if (failed) return; T.need(a); L.spin_unlock(a); }
    static void H(spinlock_t a) { {|#7:T.trylock_page_ptr(a)|}; }
}", Diag("MM1005").WithLocation(0).WithAdditionalLocation(1).WithMessage("'a' is held on some paths only where they join at line 12"),
    Diag("MM1005").WithLocation(2).WithAdditionalLocation(2).WithMessage("'a' is held on some paths only where they join at line 13"),
    Diag("MM1005").WithLocation(3).WithAdditionalLocation(3).WithMessage("'a' is held on some paths only where they join at line 14"),
    Diag("MM1005").WithLocation(4).WithAdditionalLocation(4).WithMessage("'a' is held on some paths only where they join at line 15"),
    Diag("MM1005").WithLocation(5).WithAdditionalLocation(6).WithMessage("'a' is held on some paths only where they join at line 16"),
    Diag("MM1005").WithLocation(7).WithAdditionalLocation(7).WithMessage("'a' is held on some paths only where they join at line 18"));

        /// <summary>
        /// A stored result no branch tested on some path to an exit is lost there: MM1005 at the try-acquire, the exit the join.
        /// A test on every path (also in a loop, or before the result is overwritten), a release of what it may hold, or a
        /// try-acquire member returning it are not.
        /// </summary>
        [Fact]
        public Task AResultUntestedAtAnExit_IsMM1005AtTheTryAcquire() => Verify(Head + @"
    static void A(spinlock_t a) { bool ok = {|#0:L.spin_trylock(a)|}; {|#1:}|}
    static bool B(spinlock_t a) { bool ok = {|#2:L.spin_trylock(a)|}; {|#3:return ok;|} }
    static void D(spinlock_t a, bool c) { bool ok = {|#4:L.spin_trylock(a)|}; if (c) { if (ok) L.spin_unlock(a); } {|#5:}|}
    static int E(spinlock_t a) { int err = {|#6:L.spin_trylock(a)|} ? 0 : -16; {|#7:return err;|} }
    static void F(spinlock_t a) { bool ok = L.spin_trylock(a); while (!ok) { ok = L.spin_trylock(a); } T.need(a); L.spin_unlock(a); }
    static void G(spinlock_t a) { bool ok = L.spin_trylock(a); if (!ok) { ok = L.spin_trylock(a); if (!ok) return; } T.need(a); L.spin_unlock(a); }
    static void H(spinlock_t a, bool c) { bool ok = L.spin_trylock(a); if (ok) { T.need(a); L.spin_unlock(a); } ok = c; }
    [TryAcquires(true, ""a"")] static bool J(spinlock_t a) { bool ok = L.spin_trylock(a); return ok; }
    [TryAcquires(0, ""a"")] static int K(spinlock_t a) { int err = L.spin_trylock(a) ? 0 : -16; return err; }
    static void M(spinlock_t a) { bool ok = L.spin_trylock(a); {|#8:L.spin_unlock(a)|}; }
}", Diag("MM1005").WithLocation(0).WithAdditionalLocation(1).WithMessage("'a' is held on some paths only where they join at line 12"),
    Diag("MM1005").WithLocation(2).WithAdditionalLocation(3).WithMessage("'a' is held on some paths only where they join at line 13"),
    Diag("MM1005").WithLocation(4).WithAdditionalLocation(5).WithMessage("'a' is held on some paths only where they join at line 14"),
    Diag("MM1005").WithLocation(6).WithAdditionalLocation(7).WithMessage("'a' is held on some paths only where they join at line 15"),
    // Released untested: not held on failure, and nothing left to leak.
    Diag("MM1002").WithLocation(8).WithMessage("Releasing 'a', which is not held"));
    }
}
