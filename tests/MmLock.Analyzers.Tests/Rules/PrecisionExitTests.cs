using System.Threading.Tasks;
using Xunit;
using static MmLock.Analyzers.Tests.Verification.Verify;
using static MmLock.Analyzers.Tests.Rules.Kernel;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>Issue 9, items 1, 4, 5, 14: which throws are exits, where an exit is reported, which catch clauses a throw reaches.</summary>
    public class PrecisionExitTests
    {
        [Fact]
        public Task CompilerGeneratedThrows_AreNoExits() => Verify(@"
using MmLock; using K;
class C {
    [Requires(""l"")] static void need(spinlock_t l) { }
    static int M(spinlock_t a, int n, object o) {
        L.spin_lock(a);
        int r = n switch { 0 => 1, 1 => 2, _ => 3 };
        int s = n switch { 0 => 1, 1 => 2 };
        int t = checked(n + 1);
        foreach (var x in new System.Collections.Generic.List<int>()) { r += x; }
        using (var d = new System.IO.MemoryStream()) { need(a); }
        if (o is string { Length: > 2 } str) r += str.Length;
        var (p, q) = (r, s);
        need(a);
        L.spin_unlock(a);
        return r + s + t + p + q;
    }
}");

        [Fact]
        public Task ExplicitThrowExpression_InSwitchArm_IsAnExit() => Verify(@"
using MmLock; using K;
class C {
    static int M(spinlock_t a, int n) {
        {|#0:L.spin_lock(a)|};
        int r = n switch { 0 => 1, _ => {|#1:throw new System.ArgumentException()|} };
        L.spin_unlock(a);
        return r;
    }
}", Diag("MM1004").WithLocation(1).WithAdditionalLocation(0).WithMessage("'a' is still held at this exit of 'M' (acquired at line 5)"));

        [Fact]
        public Task Exits_RethrowYieldBreakAndEveryReturn() => Verify(@"
using MmLock; using K;
class C {
    static void A(spinlock_t l, int n) {
        {|#0:L.spin_lock(l)|};
        try { if (n == 0) throw new System.Exception(); }
        catch (System.Exception) { if (n > 1) {|#1:throw;|} }
        L.spin_unlock(l);
    }
    static System.Collections.Generic.IEnumerable<int> B(spinlock_t l, int n) {
        {|#2:L.spin_lock(l)|};
        if (n == 0) {|#3:yield break;|}
        L.spin_unlock(l);
    }
    static int D(spinlock_t l, int n) {
        {|#4:L.spin_lock(l)|};
        if (n == 0) {|#5:return 1;|}
        if (n == 1) {|#6:return 2;|}
        L.spin_unlock(l);
        return 0;
    }
    static void E(spinlock_t l, int n) {
        {|#7:L.spin_lock(l)|};
        if (n == 0) {|#8:return;|}
        L.spin_unlock(l);
    }
    static void F(spinlock_t l, int n) {
        {|#9:L.spin_lock(l)|};
        if (n == 0) L.spin_unlock(l);
    {|#10:}|}
}", Diag("MM1004").WithLocation(1).WithAdditionalLocation(0).WithMessage("'l' is still held at this exit of 'A' (acquired at line 5)"),
    Diag("MM1004").WithLocation(3).WithAdditionalLocation(2).WithMessage("'l' is still held at this exit of 'B' (acquired at line 11)"),
    Diag("MM1004").WithLocation(5).WithAdditionalLocation(4).WithMessage("'l' is still held at this exit of 'D' (acquired at line 16)"),
    Diag("MM1004").WithLocation(6).WithAdditionalLocation(4).WithMessage("'l' is still held at this exit of 'D' (acquired at line 16)"),
    Diag("MM1004").WithLocation(8).WithAdditionalLocation(7).WithMessage("'l' is still held at this exit of 'E' (acquired at line 23)"),
    Diag("MM1004").WithLocation(10).WithAdditionalLocation(9).WithMessage("'l' is still held at this exit of 'F' (acquired at line 28)"));

        [Fact]
        public Task Rethrow_InSecondCatchClause_IsReportedThere() => Verify(@"
using MmLock; using K;
class C {
    static void A(spinlock_t l, int n) {
        {|#0:L.spin_lock(l)|};
        try { try { if (n == 0) throw new System.InvalidOperationException(); } catch (System.ArgumentException) { throw; } }
        catch (System.ArgumentException) { }
        catch (System.InvalidOperationException) { {|#1:throw;|} }
        L.spin_unlock(l);
    }
}", Diag("MM1004").WithLocation(1).WithAdditionalLocation(0).WithMessage("'l' is still held at this exit of 'A' (acquired at line 5)"));

        [Fact]
        public Task Catch_WithoutExplicitThrowInTry_IsUnreachable() => Verify(@"
using MmLock; using K;
class C {
    static void A(spinlock_t l, int n) {
        L.spin_lock(l);
        try { n++; } catch (System.Exception) { L.spin_unlock(l); L.spin_unlock(l); }
        L.spin_unlock(l);
    }
}");

        [Fact]
        public Task Catch_WithThrowInTry_IsAnalyzedFromTheThrow() => Verify(@"
using MmLock; using K;
class C {
    static void A(spinlock_t l, int n) {
        L.spin_lock(l);
        try { if (n == 0) throw new System.Exception(); } catch (System.Exception) { L.spin_unlock(l); {|#0:L.spin_unlock(l)|}; return; }
        L.spin_unlock(l);
    }
}", Diag("MM1002").WithLocation(0).WithNoAdditionalLocations().WithMessage("Releasing 'l', which is not held"));

        [Fact]
        public Task FilteredCatch_TheThrowAlsoLeavesTheMethod() => Verify(@"
using MmLock; using K;
class C {
    static void A(spinlock_t l, int n) {
        {|#0:L.spin_lock(l)|};
        try { if (n == 0) {|#1:throw new System.Exception();|} } catch (System.Exception) when (n > 1) { }
        L.spin_unlock(l);
    }
    static void B(spinlock_t l, int n) {
        L.spin_lock(l);
        try { if (n == 0) throw new System.Exception(); } catch (System.Exception) when (n > 1) { } catch { }
        L.spin_unlock(l);
    }
}", Diag("MM1004").WithLocation(1).WithAdditionalLocation(0).WithMessage("'l' is still held at this exit of 'A' (acquired at line 5)"));

        [Fact]
        public Task Handlers_MatchTheThrownType() => Verify(@"
using MmLock; using K;
class C {
    static void A(spinlock_t l, int n) {
        {|#0:L.spin_lock(l)|};
        try { if (n == 0) {|#1:throw new System.Exception();|} } catch (System.InvalidOperationException) { L.spin_unlock(l); return; }
        L.spin_unlock(l);
    }
    static void B(spinlock_t l, int n) {
        L.spin_lock(l);
        try { if (n == 0) throw new System.ObjectDisposedException(""x""); } catch (System.InvalidOperationException) { L.spin_unlock(l); return; }
        L.spin_unlock(l);
    }
    static void D(spinlock_t l, int n, System.Exception e) {
        {|#2:L.spin_lock(l)|};
        try { if (n == 0) {|#3:throw e;|} } catch (System.InvalidOperationException) { L.spin_unlock(l); return; }
        L.spin_unlock(l);
    }
    static void E(spinlock_t l, int n) {
        L.spin_lock(l);
        try { if (n == 0) throw new System.ArgumentException(); } catch (System.InvalidOperationException) { {|#4:L.spin_unlock(l)|}; return; } catch { }
        L.spin_unlock(l);
    }
}", Diag("MM1004").WithLocation(1).WithAdditionalLocation(0).WithMessage("'l' is still held at this exit of 'A' (acquired at line 5)"),
    Diag("MM1004").WithLocation(3).WithAdditionalLocation(2).WithMessage("'l' is still held at this exit of 'D' (acquired at line 15)"));
    }
}
