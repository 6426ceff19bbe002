using System.Threading.Tasks;
using Xunit;
using static MmLock.Analyzers.Tests.Verification.Verify;
using static MmLock.Analyzers.Tests.Rules.Kernel;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>Contract §3.1: an 'await using' of a scoped guard releases by the disposal it awaits; that await is no MM1010.</summary>
    public class AwaitUsingTests
    {
        private const string Guard = @"
[ScopedGuard] sealed class mutex_guard : System.IAsyncDisposable {
    readonly mutex _m;
    [Acquires(""m"")] public mutex_guard(mutex m) { _m = m; L.mutex_lock(m); }
    [NoLockAnalysis(""guard"")] public System.Threading.Tasks.ValueTask DisposeAsync() { L.mutex_unlock(_m); return default; }
}";

        [Fact]
        public Task AwaitUsing_ReleasesAtItsAwaitedDisposal() => Verify(@"
using MmLock; using K; using System.Threading.Tasks;
class C {
    [Requires(""m"")] static void need(mutex m) { }
    static async Task statement(mutex m) { await using (var g = new mutex_guard(m)) { need(m); } await Task.Yield(); }
    static async Task declaration(mutex m) { await using var g = new mutex_guard(m); need(m); }
}" + Guard);

        [Fact]
        public Task AwaitInsideTheAwaitUsing_IsStillMM1010() => Verify(@"
using MmLock; using K; using System.Threading.Tasks;
class C {
    [Requires(""m"")] static void need(mutex m) { }
    static async Task f(mutex m) {
        await using (var g = {|#0:new mutex_guard(m)|}) { {|#1:await Task.Yield()|}; need(m); }
        {|#2:need(m)|};
    }
}" + Guard, Diag("MM1010").WithLocation(1).WithAdditionalLocation(0).WithMessage("'m' is held across await (acquired at line 6)"),
    // The awaited disposal releases 'm' at the using block's closing brace.
    Diag("MM1001").WithLocation(2).WithAdditionalSpan("/0/Test0.cs", 6, 81, 6, 82).WithMessage("Calling 'need' requires holding 'm' exclusively; 'm' was released at line 6"));
    }
}
