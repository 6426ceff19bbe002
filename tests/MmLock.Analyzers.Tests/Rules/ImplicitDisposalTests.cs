using System.Threading.Tasks;
using Xunit;
using static MmLock.Analyzers.Tests.Verification.Verify;
using static MmLock.Analyzers.Tests.Rules.Kernel;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>
    /// Contract §3.1: the implicit Dispose() of a using is a call of the resource type's Dispose, checked where it runs: a using
    /// block's closing brace, the end of a using declaration's block.
    /// </summary>
    public class ImplicitDisposalTests
    {
        private const string Resources = @"
class Sleepy : System.IDisposable { [MightSleep, NoLockAnalysis(""test"")] public void Dispose() { } }
struct SleepyValue : System.IDisposable { [MightSleep, NoLockAnalysis(""test"")] public void Dispose() { } }
class Owned : System.IDisposable { public spinlock_t l = new spinlock_t(); [Requires(""this.l""), NoLockAnalysis(""test"")] public void Dispose() { } }
class SleepyAsync : System.IAsyncDisposable {
    [MightSleep, NoLockAnalysis(""test"")] public System.Threading.Tasks.ValueTask DisposeAsync() => default;
}";

        [Fact]
        public Task TheDisposalIsCheckedAtTheClosingBraceOfTheUsingBlock() => Verify(@"
using MmLock; using K;
class C {
    static void A(spinlock_t a) {
        {|#1:L.spin_lock(a)|};
        using (var s = new Sleepy()) {
        {|#0:}|}
        L.spin_unlock(a);
    }
    static void B(spinlock_t a) {
        {|#3:L.spin_lock(a)|};
        using (var s = new SleepyValue()) System.Console.WriteLine(s){|#2:;|}
        L.spin_unlock(a);
    }
}" + Resources,
            Diag("MM3001").WithLocation(0).WithAdditionalLocation(1).WithMessage("Calling 'Dispose' might sleep while 'a' is held (acquired at line 5)"),
            Diag("MM3001").WithLocation(2).WithAdditionalLocation(3).WithMessage("Calling 'Dispose' might sleep while 'a' is held (acquired at line 11)"));

        [Fact]
        public Task AUsingDeclarationIsDisposedAtTheEndOfItsBlock() => Verify(@"
using MmLock; using K;
class C {
    static void AfterTheUnlock(spinlock_t a) {
        L.spin_lock(a);
        using var s = new Sleepy();
        L.spin_unlock(a);
    }
    static void InsideTheSection(spinlock_t a) {
        {|#1:L.spin_lock(a)|};
        {
            using var s = new Sleepy();
        {|#0:}|}
        L.spin_unlock(a);
    }
}" + Resources,
            Diag("MM3001").WithLocation(0).WithAdditionalLocation(1).WithMessage("Calling 'Dispose' might sleep while 'a' is held (acquired at line 10)"));

        [Fact]
        public Task TheResourceIsTheReceiverOfTheDisposalsContract() => Verify(@"
using MmLock; using K;
class C {
    static void Released(Owned r) {
        L.spin_lock(r.l);
        using (r) {
            {|#1:L.spin_unlock(r.l)|};
        {|#0:}|}
    }
    static void Held(Owned r) {
        L.spin_lock(r.l);
        using (r) { }
        L.spin_unlock(r.l);
    }
}" + Resources,
            Diag("MM1001").WithLocation(0).WithAdditionalLocation(1).WithMessage("Calling 'Dispose' requires holding 'r.l' exclusively; 'r.l' was released at line 7"));

        [Fact]
        public Task AnAwaitUsingsDisposeAsyncIsACallAndItsAwaitIsThereToo() => Verify(@"
using MmLock; using K;
class C {
    static async System.Threading.Tasks.Task A(spinlock_t a) {
        {|#1:L.spin_lock(a)|};
        await using (var s = new SleepyAsync()) {
        {|#0:}|}
        L.spin_unlock(a);
    }
}" + Resources,
            Diag("MM3001").WithLocation(0).WithAdditionalLocation(1).WithMessage("Calling 'DisposeAsync' might sleep while 'a' is held (acquired at line 5)"),
            Diag("MM1010").WithLocation(0).WithAdditionalLocation(1).WithMessage("'a' is held across await (acquired at line 5)"));
    }
}
