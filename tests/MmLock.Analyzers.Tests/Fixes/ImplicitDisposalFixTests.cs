using System.Threading.Tasks;
using MmLock.CodeFixes;
using Xunit;

namespace MmLock.Analyzers.Tests.Fixes
{
    /// <summary>
    /// A diagnostic at a using's implicit disposal (a closing brace) gets no fix: the disposal runs where the using's scope
    /// ends, and moving the scope changes what the resource covers, which no fix can check.
    /// </summary>
    public class ImplicitDisposalFixTests
    {
        private const string Resources = @"
class Sleepy : System.IDisposable { [MightSleep, NoLockAnalysis(""test"")] public void Dispose() { } }
class Owned : System.IDisposable { public spinlock_t l = new spinlock_t(); [Requires(""this.l""), NoLockAnalysis(""test"")] public void Dispose() { } }";

        [Fact]
        public Task NoMoveOfASleepingDisposal() => FixVerifier.NotOffered<SleepingCallCodeFix>(@"
using MmLock; using K;
class C {
    static void A(spinlock_t a) {
        L.spin_lock(a);
        using (var s = new Sleepy()) {
        {|MM3001:}|}
        L.spin_unlock(a);
    }
    static void D(spinlock_t a) {
        L.spin_lock(a);
        {
            using var s = new Sleepy();
        {|MM3001:}|}
        L.spin_unlock(a);
    }
}" + Resources);

        [Fact]
        public Task NoWrapOfADisposalMissingItsRequirement() => FixVerifier.NotOffered<RequirementCodeFix>(@"
using MmLock; using K;
class C {
    static void B(Owned r) {
        L.spin_lock(r.l);
        using (r) {
            L.spin_unlock(r.l);
        {|MM1001:}|}
    }
}" + Resources);
    }
}
