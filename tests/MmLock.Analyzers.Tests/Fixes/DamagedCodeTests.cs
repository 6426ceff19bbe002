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

        private static Task Damaged<TFix>(string source, string fixedSource, string? key) where TFix : Microsoft.CodeAnalysis.CodeFixes.CodeFixProvider, new()
        {
            var test = FixVerifier.Create<TFix>(MmKernel.Prelude, source, fixedSource, key, symbols: MmKernel.Symbols);
            test.AllowCompilerErrors = true;
            return test.RunAsync();
        }

        [Fact]
        public Task WidenBesideErrors() => Damaged<GuardedReferenceCodeFix>(@"
using M;
static class C
{
    static ulong f(vm_area_struct vma, ulong addr)
    {
        int x = ""text"";
        Kernel.hugetlb_vma_lock_read(vma);
        var ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
        Kernel.hugetlb_vma_unlock_read(vma);
        var v = Kernel.huge_ptep_get({|MM2005:ptep|}) + undefined;
        return v;
    }
}", @"
using M;
static class C
{
    static ulong f(vm_area_struct vma, ulong addr)
    {
        int x = ""text"";
        Kernel.hugetlb_vma_lock_read(vma);
        var ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
        var v = Kernel.huge_ptep_get(ptep) + undefined;
        Kernel.hugetlb_vma_unlock_read(vma);
        return v;
    }
}", GuardedReferenceCodeFix.WidenKey);

        [Fact]
        public Task SleepingCallBesideErrors() => Damaged<SleepingCallCodeFix>(@"
using M;
static class C
{
    static void f(spinlock_t ptl)
    {
        Kernel.spin_lock(ptl);
        {|MM3001:Kernel.synchronize_rcu()|};
        undefined(ptl);
        Kernel.spin_unlock(ptl);
    }
}", @"
using M;
static class C
{
    static void f(spinlock_t ptl)
    {
        Kernel.synchronize_rcu();
        Kernel.spin_lock(ptl);
        undefined(ptl);
        Kernel.spin_unlock(ptl);
    }
}", SleepingCallCodeFix.BeforeKey);

        [Fact]
        public Task ReleaseFinallyBesideErrors() => Damaged<ContractBodyCodeFix>(@"
using M;
static class C
{
    [MmLock.Releases(""ptl"")]
    static void {|MM1008:f|}(spinlock_t ptl, bool b)
    {
        if (b)
            return;
        int x = ""text"";
        Kernel.spin_unlock(ptl);
    }
}", @"
using M;
static class C
{
    [MmLock.Releases(""ptl"")]
    static void f(spinlock_t ptl, bool b)
    {
        try
        {
            if (b)
                return;
            int x = ""text"";
        }
        finally
        {
            Kernel.spin_unlock(ptl);
        }
    }
}", ContractBodyCodeFix.ReleaseKey);

        /// <summary>A body cut off mid-statement: whatever the analyzer reports there, no provider throws or makes it worse.</summary>
        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(3)]
        public Task TruncatedBodiesAreLeftAlone(int provider)
        {
            const string source = @"
using M;
static class C
{
    [MmLock.Releases(""ptl"")]
    static ulong {|MM1008:f|}(spinlock_t ptl, vm_area_struct vma, ulong addr)
    {
        {|MM3001:Kernel.hugetlb_vma_lock_read(vma)|};
        var ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE
        Kernel.hugetlb_vma_unlock_read(vma);
        {|MM1003:Kernel.spin_lock(ptl)|}
        {|MM3001:Kernel.synchronize_rcu()|};
        return Kernel.huge_ptep_get(ptep) +
";
            return provider switch
            {
                0 => Damaged<GuardedReferenceCodeFix>(source, source, null),
                1 => Damaged<SleepingCallCodeFix>(source, source, null),
                2 => Damaged<ContractBodyCodeFix>(source, source, null),
                _ => Damaged<RequirementCodeFix>(source, source, null),
            };
        }
    }
}
