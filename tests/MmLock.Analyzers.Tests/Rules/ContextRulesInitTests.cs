using System.Threading.Tasks;
using Xunit;
using static MmLock.Analyzers.Tests.Verification.Verify;
using static MmLock.Analyzers.Tests.Rules.Kernel;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>[GuardedBy]: initializers of the same instance are exempt like its constructors; other instances are not.</summary>
    public class ContextRulesInitTests
    {
        [Fact]
        public Task GuardedBy_InitializersAreExempt() => Verify(@"
using MmLock; using K;
class C {
    public static readonly spinlock_t glock = new spinlock_t();
    public readonly spinlock_t lk = new spinlock_t();
    [GuardedBy(""lk"")] int count = 5;
    [GuardedBy(""lk"")] int P { get; set; } = 3;
    [GuardedBy(""C.glock"")] static int total = 7;
    int copy;
    C() { copy = count + P; }
    static C Make() => new C { count = 1, P = 2 };
    static void Other(C o) { {|#0:o.count|} = 1; }
}", Diag("MM1007").WithLocation(0).WithNoAdditionalLocations().WithMessage("Writing 'count' requires holding 'o.lk' exclusively"));
    }
}
