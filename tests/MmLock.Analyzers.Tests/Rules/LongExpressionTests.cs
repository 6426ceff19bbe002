using System.Linq;
using System.Threading.Tasks;
using Xunit;
using static MmLock.Analyzers.Tests.Verification.Verify;
using static MmLock.Analyzers.Tests.Rules.Kernel;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>
    /// Long expressions analysed to the end with the rules' exact results. Left-nested chains of 20,000 terms (which Roslyn binds
    /// without recursion) overflowed the stack when walked recursively, which ends the test host and the compiler's process; a
    /// fluent chain of 5,000 calls stopped with MM9999 (InsufficientExecutionStackException).
    /// The 2,000 short-circuit edges into one block were re-joined at each new edge (2,000,000 joins). Coalescing and patterns
    /// have 1,000 terms: Roslyn's own binding of them grows faster than linearly.
    /// </summary>
    public class LongExpressionTests
    {
        private const int Terms = 20_000;
        private const int FewerTerms = 1_000;
        /// <summary>A fluent chain's links: Roslyn's binder stops at about 6,000 (CS8078).</summary>
        private const int Links = 5_000;

        private static string Chain(string term, string separator, int terms = Terms) => string.Join(separator, Enumerable.Repeat(term, terms));

        /// <summary>The chain runs inside the RCU section; the call after the release is reported, with that release.</summary>
        private static Task VerifyAfterTheSection(string declaration, string condition = "true") => Verify(@"
using MmLock; using K;
class C {
    [Requires(""K.G.RCU"")] static int under_rcu() => 0;
    static object M(int k, string s) {
        L.rcu_read_lock();
        " + declaration + @"
        if (" + condition + @")
            L.rcu_read_unlock();
        else L.rcu_read_unlock();
        {|#0:under_rcu()|};
        return x;
    }
}",
            Diag("MM1001").WithLocation(0).WithMessage("Calling 'under_rcu' requires holding 'G.RCU'; 'G.RCU' was released at line 9")
                .WithAdditionalSpan("/0/Test0.cs", 9, 13, 9, 32));

        [Fact]
        public Task Sum() => VerifyAfterTheSection("var x = " + Chain("k", " + ") + ";");

        [Fact]
        public Task StringConcatenation() => VerifyAfterTheSection("var x = " + Chain("s", " + ") + ";");

        [Fact]
        public Task ConditionalOr() => VerifyAfterTheSection("var x = " + Chain("k == 0", " || ") + ";");

        [Fact]
        public Task Coalesce() => VerifyAfterTheSection("var x = " + Chain("(int?)k", " ?? ", FewerTerms) + ";");

        [Fact]
        public Task OrPattern_AsAValue() => VerifyAfterTheSection("var x = k is " + string.Join(" or ", Enumerable.Range(0, FewerTerms)) + ";");

        /// <summary>Both edges of a branch on the pattern are constrained by every operand of the chain.</summary>
        [Fact]
        public Task OrPattern_AsABranch() => VerifyAfterTheSection("var x = 0;", "k is " + string.Join(" or ", Enumerable.Range(0, FewerTerms)));

        [Fact]
        public Task AndPattern_AsABranch() => VerifyAfterTheSection("var x = 0;", "k is " + string.Join(" and ", Enumerable.Range(0, FewerTerms).Select(i => "not " + i)));

        /// <summary>Calls on the result of calls, each checked against its contract inside the section.</summary>
        [Fact]
        public Task FluentCalls_AreCheckedUnderTheSection() => VerifyMemberChain(string.Concat(Enumerable.Repeat(".f()", Links)));

        /// <summary>Calls, properties, indexers and fields, one after the other.</summary>
        [Fact]
        public Task MemberChains_AreCheckedUnderTheSection() => VerifyMemberChain(string.Concat(Enumerable.Repeat(".f().Self[0].Field", Links / 5)));

        private static Task VerifyMemberChain(string chain) => Verify(@"
using MmLock; using K;
class B {
    [Requires(""K.G.RCU"")] public B f() => this;
    public B Self => this;
    public B this[int i] => this;
    public B Field;
}
class C {
    static B M(B b) {
        L.rcu_read_lock();
        var x = b" + chain + @";
        L.rcu_read_unlock();
        return {|#0:x.f()|};
    }
}",
            Diag("MM1001").WithLocation(0).WithMessage("Calling 'f' requires holding 'G.RCU'; 'G.RCU' was released at line 13")
                .WithAdditionalSpan("/0/Test0.cs", 13, 9, 13, 28));

        /// <summary>A user-defined operator is a call: each of the 20,000 is checked against its contract, inside the section.</summary>
        [Fact]
        public Task UserDefinedOperators_AreCallsUnderTheSection() => Verify(@"
using MmLock; using K;
struct V {
    [Requires(""K.G.RCU"")] public static V operator +(V a, V b) => a;
}
class C {
    static V M(V v) {
        L.rcu_read_lock();
        var x = " + Chain("v", " + ") + @";
        L.rcu_read_unlock();
        return {|#0:x + v|};
    }
}",
            Diag("MM1001").WithLocation(0).WithMessage("Calling 'operator +' requires holding 'G.RCU'; 'G.RCU' was released at line 10")
                .WithAdditionalSpan("/0/Test0.cs", 10, 9, 10, 28));
    }
}
