using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeFixes;
using MmLock.Analyzers.Tests.Rules;
using MmLock.Analyzers.Tests.Verification;
using MmLock.CodeFixes;
using Xunit;

namespace MmLock.Analyzers.Tests.Fixes
{
    /// <summary>
    /// Fix All of MM1011 and MM1012 (<see cref="TargetFixAll"/>): each edited member once, at document, project and solution
    /// scope, ending with none of the ID left where it had a fix; MM1011's edits land in the delegates' document, which no
    /// conversion is in.
    /// </summary>
    public class TargetFixAllTests
    {
        private static int Iterations(FixAllScope scope, int documents, int projects) =>
            scope switch { FixAllScope.Document => documents, FixAllScope.Project => projects, _ => 1 };

        private const string Delegates = @"
using MmLock; using K;
public delegate void setter_a(spinlock_t ptl, int v);
public delegate void setter_b(spinlock_t ptl, int v);
public delegate void setter_c(spinlock_t ptl, int v);
public delegate void setter_d(spinlock_t ptl, int v);
";

        private const string FixedDelegates = @"
using MmLock; using K;
[Requires(""ptl"")]
public delegate void setter_a(spinlock_t ptl, int v);
[Requires(""ptl"")]
public delegate void setter_b(spinlock_t ptl, int v);
[Requires(""ptl"")]
public delegate void setter_c(spinlock_t ptl, int v);
[Requires(""ptl"")]
public delegate void setter_d(spinlock_t ptl, int v);
";

        /// <summary>Two conversions of each setter to its delegate (one edit for both).</summary>
        private static string Conversions(string @class, bool markup, params string[] names)
        {
            var body = "";
            foreach (var n in names)
                body += $@"
    [Requires(""l"")] static void set_{n}(spinlock_t l, int v) {{ }}
    static void f_{n}()
    {{
        setter_{n} s = {(markup ? "{|MM1011:" : "")}set_{n}{(markup ? "|}" : "")};
        setter_{n} t = {(markup ? "{|MM1011:" : "")}set_{n}{(markup ? "|}" : "")};
    }}";
            return "\nusing MmLock; using K;\nclass " + @class + "\n{" + body + "\n}\n";
        }

        [Theory]
        [InlineData(FixAllScope.Document)]
        [InlineData(FixAllScope.Project)]
        [InlineData(FixAllScope.Solution)]
        public Task DelegateContractsInEveryScope(FixAllScope scope)
        {
            var test = new CodeFixTest<MmLockAnalyzer, DelegateContractCodeFix>
            {
                CodeActionEquivalenceKey = DelegateContractCodeFix.EquivalenceKey,
                FixAllScope = scope,
                // The conversions in project 1 are fixed in project 0, where their delegate is.
                ExpectedBatchIterations = Iterations(scope, documents: 3, projects: 2),
                MaxIterations = 20,
            };
            test.Sources.Add(("/0/Kernel.cs", Kernel.Prelude));
            test.Sources.Add(("/0/Delegates.cs", Delegates));
            test.Sources.Add(("/0/Test0.cs", Conversions("C0", true, "a", "b")));
            test.Sources.Add(("/0/Test1.cs", Conversions("C1", true, "c")));
            test.Sources.Add(("/1/Test0.cs", Conversions("C2", true, "d")));
            test.FixedSources.Add(("/0/Kernel.cs", Kernel.Prelude));
            test.FixedSources.Add(("/0/Delegates.cs", FixedDelegates));
            test.FixedSources.Add(("/0/Test0.cs", Conversions("C0", false, "a", "b")));
            test.FixedSources.Add(("/0/Test1.cs", Conversions("C1", false, "c")));
            test.FixedSources.Add(("/1/Test0.cs", Conversions("C2", false, "d")));
            return test.RunAsync();
        }

        /// <summary>Two helpers per class, called under the lock; each gets its inferred requirement written down.</summary>
        private static string Helpers(string @class, bool markup) => $@"
using MmLock; using K;
class {@class}
{{
    [Requires(""l"")] static void need(spinlock_t l) {{ }}
    public static void caller(spinlock_t l) {{ L.spin_lock(l); one(l); two(l); L.spin_unlock(l); }}
{(markup ? @"    static void {|MM1012:one|}(spinlock_t l) { need(l); }
    static void {|MM1012:two|}(spinlock_t l) { need(l); }" : @"    [Requires(""l"")]
    static void one(spinlock_t l) { need(l); }
    [Requires(""l"")]
    static void two(spinlock_t l) { need(l); }")}
}}
";

        [Theory]
        [InlineData(FixAllScope.Document)]
        [InlineData(FixAllScope.Project)]
        [InlineData(FixAllScope.Solution)]
        public Task InferredContractsInEveryScope(FixAllScope scope)
        {
            var test = new CodeFixTest<MmLockAnalyzer, InferredContractCodeFix>
            {
                CodeActionEquivalenceKey = InferredContractCodeFix.EquivalenceKey,
                FixAllScope = scope,
                // MM1012 is enabled in project 0 only (its .editorconfig).
                ExpectedBatchIterations = Iterations(scope, documents: 2, projects: 1),
                MaxIterations = 20,
            };
            test.AnalyzerConfigFiles.Add(("/0/.editorconfig", "root = true\n[*.cs]\ndotnet_diagnostic.MM1012.severity = suggestion\n"));
            test.Sources.Add(("/0/Kernel.cs", Kernel.Prelude));
            test.Sources.Add(("/0/Test0.cs", Helpers("C0", true)));
            test.Sources.Add(("/0/Test1.cs", Helpers("C1", true)));
            test.FixedSources.Add(("/0/Kernel.cs", Kernel.Prelude));
            test.FixedSources.Add(("/0/Test0.cs", Helpers("C0", false)));
            test.FixedSources.Add(("/0/Test1.cs", Helpers("C1", false)));
            return test.RunAsync();
        }
    }
}
