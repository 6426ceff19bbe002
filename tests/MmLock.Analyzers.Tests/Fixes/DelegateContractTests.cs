using System.Threading.Tasks;
using MmLock.CodeFixes;
using MmLock.Analyzers.Tests.Rules;
using Xunit;

namespace MmLock.Analyzers.Tests.Fixes
{
    /// <summary>MM1011: the member's requirements go on the delegate type, named by the delegate's parameters.</summary>
    public class DelegateContractTests
    {
        private const string Key = DelegateContractCodeFix.EquivalenceKey;

        [Fact]
        public Task RequirementMovesOntoTheDelegateWithItsParameterNames() => FixVerifier.Verify<DelegateContractCodeFix>(@"
using MmLock; using K;

delegate void setter(spinlock_t ptl, int v);

class C
{
    [Requires(""l"")] static void set(spinlock_t l, int v) { }

    static void f()
    {
        setter s = {|MM1011:set|};
    }
}", @"
using MmLock; using K;

[Requires(""ptl"")]
delegate void setter(spinlock_t ptl, int v);

class C
{
    [Requires(""l"")] static void set(spinlock_t l, int v) { }

    static void f()
    {
        setter s = set;
    }
}", Key, iterations: 1);

        /// <summary>Two conversions to one delegate type make the same edit: one Fix All states the requirement once, in every scope.</summary>
        [Theory]
        [InlineData(Microsoft.CodeAnalysis.CodeFixes.FixAllScope.Document)]
        [InlineData(Microsoft.CodeAnalysis.CodeFixes.FixAllScope.Project)]
        [InlineData(Microsoft.CodeAnalysis.CodeFixes.FixAllScope.Solution)]
        public Task TwoConversionsToOneDelegateGetOneAttribute(Microsoft.CodeAnalysis.CodeFixes.FixAllScope scope)
        {
            var test = FixVerifier.Create<DelegateContractCodeFix>(Kernel.Prelude, @"
using MmLock; using K;

delegate void setter(spinlock_t ptl, int v);

class C
{
    [Requires(""l"")] static void set(spinlock_t l, int v) { }

    static void f()
    {
        setter s = {|MM1011:set|};
    }

    static void g()
    {
        setter t = {|MM1011:set|};
    }
}", @"
using MmLock; using K;

[Requires(""ptl"")]
delegate void setter(spinlock_t ptl, int v);

class C
{
    [Requires(""l"")] static void set(spinlock_t l, int v) { }

    static void f()
    {
        setter s = set;
    }

    static void g()
    {
        setter t = set;
    }
}", Key, iterations: 1);
            test.FixAllScope = scope;
            test.ExpectedBatchIterations = 1;
            return test.RunAsync();
        }

        /// <summary>The member is declared in another document, and the delegate's file does not import MmLock.</summary>
        [Fact]
        public Task MemberInAnotherDocument_ImportsTheAttributesNamespace()
        {
            const string lookups = @"
using MmLock; using K;

static class Lookups
{
    [RequiresShared(""m.mmap_lock"")] public static int find(mm_struct m, ulong addr) => 0;
}";
            var test = FixVerifier.Create<DelegateContractCodeFix>(Kernel.Prelude, @"
using K;

delegate int lookup(mm_struct mm, ulong addr);

class C
{
    static void f()
    {
        lookup l = {|MM1011:Lookups.find|};
    }
}", @"
using K;
using MmLock;

[RequiresShared(""mm.mmap_lock"")]
delegate int lookup(mm_struct mm, ulong addr);

class C
{
    static void f()
    {
        lookup l = Lookups.find;
    }
}", Key, iterations: 1);
            test.Sources.Add(("/0/Lookups.cs", lookups));
            test.FixedSources.Add(("/0/Lookups.cs", lookups));
            return test.RunAsync();
        }

        [Fact]
        public Task SharedPathRequirementOfALambda() => FixVerifier.Verify<DelegateContractCodeFix>(@"
using MmLock; using K;

delegate int finder(mm_struct mm);

class C
{
    static void f()
    {
        finder find = {|MM1011:[RequiresShared(""m.mmap_lock"")] (mm_struct m) => 0|};
    }
}", @"
using MmLock; using K;

[RequiresShared(""mm.mmap_lock"")]
delegate int finder(mm_struct mm);

class C
{
    static void f()
    {
        finder find = [RequiresShared(""m.mmap_lock"")] (mm_struct m) => 0;
    }
}", Key, iterations: 1);

        /// <summary>A delegate type from metadata cannot be edited: nothing is offered.</summary>
        [Fact]
        public Task NotOfferedForADelegateTypeFromMetadata() => FixVerifier.NotOffered<DelegateContractCodeFix>(@"
using MmLock; using K;

class C
{
    [Requires(""l"")] static void set(spinlock_t l) { }

    static void f()
    {
        System.Action<spinlock_t> s = {|MM1011:set|};
    }
}");

        /// <summary>
        /// Two members of different requirements converted to one delegate: stating either on the delegate would leave the other's
        /// conversion an MM1011, so nothing is offered for either.
        /// </summary>
        [Fact]
        public Task NotOfferedWhenAnotherConversionRequiresSomethingElse() => FixVerifier.NotOffered<DelegateContractCodeFix>(@"
using MmLock; using K;

delegate void setter(spinlock_t ptl, mm_struct mm);

class C
{
    [Requires(""l"")] static void set(spinlock_t l, mm_struct mm) { }
    [RequiresShared(""mm.mmap_lock"")] static void read(spinlock_t l, mm_struct mm) { }

    static void f()
    {
        setter s = {|MM1011:set|};
        setter r = {|MM1011:read|};
    }
}", Key);

        /// <summary>A conversion of a member that requires nothing, or the same, does not stand in the way.</summary>
        [Fact]
        public Task OfferedWhenTheOtherConversionsRequireNothingOrTheSame() => FixVerifier.Verify<DelegateContractCodeFix>(@"
using MmLock; using K;

delegate void setter(spinlock_t ptl, int v);

class C
{
    [Requires(""l"")] static void set(spinlock_t l, int v) { }
    static void plain(spinlock_t l, int v) { }

    static void f()
    {
        setter s = {|MM1011:set|};
        setter p = plain;
        setter again = {|MM1011:new setter(set)|};
    }
}", @"
using MmLock; using K;

[Requires(""ptl"")]
delegate void setter(spinlock_t ptl, int v);

class C
{
    [Requires(""l"")] static void set(spinlock_t l, int v) { }
    static void plain(spinlock_t l, int v) { }

    static void f()
    {
        setter s = set;
        setter p = plain;
        setter again = new setter(set);
    }
}", Key, iterations: 1);

        /// <summary>A conversion in a project that depends on the delegate's project counts too: one there that disagrees stops the fix.</summary>
        [Fact]
        public Task NotOfferedWhenAConversionInADependentProjectDisagrees()
        {
            const string library = @"
using MmLock; using K;

public delegate void setter(spinlock_t ptl, mm_struct mm);

public class C
{
    [Requires(""l"")] public static void set(spinlock_t l, mm_struct mm) { }

    static void f()
    {
        setter s = {|MM1011:set|};
    }
}";
            const string dependent = @"
using MmLock; using K;

class D
{
    [RequiresShared(""mm.mmap_lock"")] static void read(spinlock_t l, mm_struct mm) { }

    static void g()
    {
        setter r = {|MM1011:read|};
    }
}";
            var test = FixVerifier.Create<DelegateContractCodeFix>(Kernel.Prelude, library, library, Key, iterations: 0);
            test.Sources.Add(("/1/Test0.cs", dependent));
            test.FixedSources.Add(("/1/Test0.cs", dependent));
            return test.RunAsync();
        }

        /// <summary>
        /// The converted method is declared in the project the delegate's project references: its attributes are read with that
        /// project's semantic model, not the conversion's compilation (which does not hold that syntax tree).
        /// </summary>
        [Fact]
        public Task TheConvertedMemberInAReferencedProject_IsReadThroughItsOwnProject()
        {
            const string library = @"
using MmLock; using K;

public class L
{
    [Requires(""l"")] public static void set(spinlock_t l, mm_struct mm) { }
}";
            const string dependent = @"
using MmLock; using K;

delegate void setter(spinlock_t ptl, mm_struct mm);

class D
{
    static void g()
    {
        setter s = {|MM1011:L.set|};
    }
}";
            const string fixedDependent = @"
using MmLock; using K;

[Requires(""ptl"")]
delegate void setter(spinlock_t ptl, mm_struct mm);

class D
{
    static void g()
    {
        setter s = L.set;
    }
}";
            var test = FixVerifier.Create<DelegateContractCodeFix>(Kernel.Prelude, library, library, Key, iterations: 1);
            test.Sources.Add(("/1/Test0.cs", dependent));
            test.FixedSources.Add(("/1/Test0.cs", fixedDependent));
            return test.RunAsync();
        }

        /// <summary>The attribute type, bound in the referenced project's compilation, is not in scope at the delegate: its namespace is imported.</summary>
        [Fact]
        public Task TheConvertedMemberInAReferencedProject_ImportsTheAttributesNamespaceWhereItIsMissing()
        {
            const string library = @"
using MmLock; using K;

public class L
{
    [Requires(""l"")] public static void set(spinlock_t l, mm_struct mm) { }
}";
            const string dependent = @"using K;

delegate void setter(spinlock_t ptl, mm_struct mm);

class D
{
    static void g()
    {
        setter s = {|MM1011:L.set|};
    }
}";
            const string fixedDependent = @"using K;
using MmLock;

[Requires(""ptl"")]
delegate void setter(spinlock_t ptl, mm_struct mm);

class D
{
    static void g()
    {
        setter s = L.set;
    }
}";
            var test = FixVerifier.Create<DelegateContractCodeFix>(Kernel.Prelude, library, library, Key, iterations: 1);
            test.Sources.Add(("/1/Test0.cs", dependent));
            test.FixedSources.Add(("/1/Test0.cs", fixedDependent));
            return test.RunAsync();
        }

        private const string ReferencedDelegate = @"
using K;

public delegate void setter(spinlock_t ptl, mm_struct mm);
";

        private const string ConversionOfReferencedDelegate = @"
using MmLock; using K;

class D
{
    [Requires(""l""), RequiresShared(""m.mmap_lock"")] static void set(spinlock_t l, mm_struct m) { }

    static void g()
    {
        setter s = {|MM1011:set|};
    }
}";

        /// <summary>
        /// The delegate is declared in the project the conversion's project references: the attributes are written in that
        /// project's document, which gets the attributes' namespace it does not import.
        /// </summary>
        [Fact]
        public Task TheDelegateInAReferencedProject_IsEditedThere()
        {
            var test = FixVerifier.Create<DelegateContractCodeFix>(Kernel.Prelude, ReferencedDelegate, @"
using K;
using MmLock;

[Requires(""ptl""), RequiresShared(""mm.mmap_lock"")]
public delegate void setter(spinlock_t ptl, mm_struct mm);
", Key, iterations: 1);
            test.Sources.Add(("/1/Test0.cs", ConversionOfReferencedDelegate));
            test.FixedSources.Add(("/1/Test0.cs", ConversionOfReferencedDelegate.Replace("{|MM1011:set|}", "set")));
            return test.RunAsync();
        }

        [Fact]
        public async Task TheDelegateInAReferencedProject_TitleNamesItsAttributes() => Assert.Equal(
            new[] { (@"Add [Requires(""ptl"")], [RequiresShared(""mm.mmap_lock"")] to delegate 'setter'", (string?)Key) },
            await FixVerifier.ActionsAsync<DelegateContractCodeFix>(ReferencedDelegate, "MM1011", more: new[] { ("/1/Test0.cs", ConversionOfReferencedDelegate) }));

        /// <summary>
        /// The delegate's file imports a namespace with a marker of its own named like an MmLock attribute: importing MmLock there
        /// would make that name ambiguous, an error in the delegate's project (the conversion's project compiles either way).
        /// </summary>
        [Fact]
        public Task TheDelegateInAReferencedProject_NotOfferedWhenTheAttributeDoesNotCompileThere()
        {
            const string library = @"
using K; using Port;

public delegate void setter(spinlock_t ptl, mm_struct mm);

public static class Hooks
{
    [MightSleep] public static void wait() { }
}

namespace Port
{
    public sealed class MightSleepAttribute : System.Attribute { }
}
";
            var test = FixVerifier.Create<DelegateContractCodeFix>(Kernel.Prelude, library, library, Key, iterations: 0);
            test.Sources.Add(("/1/Test0.cs", ConversionOfReferencedDelegate));
            test.FixedSources.Add(("/1/Test0.cs", ConversionOfReferencedDelegate));
            return test.RunAsync();
        }
    }
}
