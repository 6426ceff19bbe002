using System.Threading.Tasks;
using MmLock.Analyzers.Tests.Rules;
using MmLock.Analyzers.Tests.Verification;
using MmLock.CodeFixes;
using Xunit;

namespace MmLock.Analyzers.Tests.Fixes
{
    /// <summary>The fixes on code with compiler errors: they still apply where the call binds, and never throw.</summary>
    public class DamagedCodeTests
    {
        private const string Source = @"
using MmLock; using K;
class C
{
    [Requires(""l"")] static void need(spinlock_t l) { }

    static void f(spinlock_t a)
    {
        int x = ""text"";
        {|MM1001:need(a)|};
        undefined(a);
    }
}";

        [Fact]
        public Task WrapStillAppliesBesideErrors()
        {
            var test = new CodeFixTest<MmLockAnalyzer, RequirementCodeFix> { AllowCompilerErrors = true, CodeActionEquivalenceKey = "MM1001.WrapTryFinally" };
            test.Sources.Add(("/0/Kernel.cs", Kernel.Prelude));
            test.Sources.Add(("/0/Test0.cs", Source));
            test.FixedSources.Add(("/0/Kernel.cs", Kernel.Prelude));
            test.FixedSources.Add(("/0/Test0.cs", @"
using MmLock; using K;
class C
{
    [Requires(""l"")] static void need(spinlock_t l) { }

    static void f(spinlock_t a)
    {
        int x = ""text"";
        L.spin_lock(a);
        try
        {
            need(a);
        }
        finally
        {
            L.spin_unlock(a);
        }
        undefined(a);
    }
}"));
            return test.RunAsync();
        }

        [Fact]
        public Task MoveToCallerStillAppliesBesideErrors()
        {
            var test = new CodeFixTest<MmLockAnalyzer, RequirementCodeFix> { AllowCompilerErrors = true, CodeActionEquivalenceKey = "MM1001.MoveToCaller" };
            test.Sources.Add(("/0/Kernel.cs", Kernel.Prelude));
            test.Sources.Add(("/0/Test0.cs", Source));
            test.FixedSources.Add(("/0/Kernel.cs", Kernel.Prelude));
            test.FixedSources.Add(("/0/Test0.cs", @"
using MmLock; using K;
class C
{
    [Requires(""l"")] static void need(spinlock_t l) { }

    [Requires(""a"")]
    static void f(spinlock_t a)
    {
        int x = ""text"";
        need(a);
        undefined(a);
    }
}"));
            return test.RunAsync();
        }
    }
}
