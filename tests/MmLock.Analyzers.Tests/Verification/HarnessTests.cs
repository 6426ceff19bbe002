using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;
using Xunit;
using static MmLock.Analyzers.Tests.Verification.Verify;

namespace MmLock.Analyzers.Tests.Verification
{
    /// <summary>Self-tests of the verifier harness, with the test-only TST001 analyzer and fixes (TestOnlyAnalyzers.cs).</summary>
    public class HarnessTests
    {
        private const string Message = "Call to 'Flagged' is flagged";

        /// <summary>Class C; the body goes at line 9; <c>{|#0:..|}</c> is the declaration of Flagged() (line 3, columns 17-24).</summary>
        private static string Code(string body) => $$"""
            public class C
            {
                public void {|#0:Flagged|}() { }
                public void Flagged(int x) { }
                public void Fixed() { }
                public void Fixed2() { }
                public void M()
                {
            {{body}}
                }
            }
            """;

        private static string Other(string call) => $$"""
            class D
            {
                void N(C c)
                {
                    {{call}};
                    {{call}};
                }
            }
            """;

        private static async Task<string> Fails(Func<Task> run) => (await Assert.ThrowsAsync<VerificationException>(run)).Message;

        // ---------- markup ----------

        [Fact]
        public void Markup_NestedAdjacentAndNumbered()
        {
            var (text, spans) = Markup.Parse("a{|MM1001:b[|c|]{|#0:d|}|}e[|f|][|g|]");
            Assert.Equal("abcdefg", text);
            Assert.Equal(new[] { ("MM1001", 1, 4), (null, 2, 3), ("#0", 3, 4), (null, 5, 6), (null, 6, 7) },
                spans.Select(s => (s.Kind, s.Span.Start, s.Span.End)).ToArray());
            Assert.Equal(0, spans[2].LocationNumber);
            Assert.Equal("x => { return a || b; }", Markup.Parse("x => { return a || b; }").Text);
            Assert.Throws<FormatException>(() => Markup.Parse("[|a"));
            Assert.Throws<FormatException>(() => Markup.Parse("{|X:a|]"));
        }

        // ---------- exact matching ----------

        [Fact]
        public Task Exact_NumberedLocation_Message_AdditionalLocation() => new AnalyzerTest<FlaggedAnalyzer>
        {
            Sources = { Code("        {|#1:Flagged()|};") },
            ExpectedDiagnostics = { Diag("TST001").WithLocation(1).WithMessage(Message).WithAdditionalLocation(0) },
        }.RunAsync();

        [Fact]
        public Task Exact_LocationlessExpectationsAttachToMarkupInOrder() => new AnalyzerTest<FlaggedAnalyzer>
        {
            Sources = { Code("        [|Flagged()|];\n        {|TST001:Flagged(1)|};") },
            ExpectedDiagnostics =
            {
                Diag("TST001").WithMessage(Message).WithAdditionalLocation(0),
                Diag("TST001").WithArguments("Flagged").WithAdditionalSpan("/0/Test0.cs", 4, 17, 4, 24),
            },
        }.RunAsync();

        [Fact]
        public Task Exact_ExplicitSpan() => new AnalyzerTest<FlaggedAnalyzer>
        {
            Sources = { Code("        Flagged();") },
            ExpectedDiagnostics = { Diag("TST001").WithSpan(9, 9, 9, 18).WithMessage(Message).WithSeverity(DiagnosticSeverity.Warning) },
        }.RunAsync();

        [Fact]
        public async Task WrongSpan_Fails_WithCopyPasteableActual()
        {
            var message = await Fails(() => new AnalyzerTest<FlaggedAnalyzer>
            {
                Sources = { Code("        Flagged();") },
                ExpectedDiagnostics = { Diag("TST001").WithSpan(9, 9, 9, 16) },
            }.RunAsync());
            Assert.Contains("Missing (expected, not reported) (1):\n    Diag(\"TST001\").WithSpan(\"/0/Test0.cs\", 9, 9, 9, 16),", message);
            Assert.Contains("// /0/Test0.cs(9,9,9,18): warning TST001: Call to 'Flagged' is flagged", message);
            Assert.Contains("Diag(\"TST001\").WithSpan(\"/0/Test0.cs\", 9, 9, 9, 18).WithMessage(\"Call to 'Flagged' is flagged\").WithAdditionalSpan(\"/0/Test0.cs\", 3, 17, 3, 24),", message);
        }

        [Fact]
        public async Task WrongMessage_Fails() => Assert.Contains("Unexpected", await Fails(() => new AnalyzerTest<FlaggedAnalyzer>
        {
            Sources = { Code("        [|Flagged()|];") },
            ExpectedDiagnostics = { Diag("TST001").WithMessage("Call to 'Flagged' is flagged!") },
        }.RunAsync()));

        [Fact]
        public async Task WrongSeverity_Fails() => await Fails(() => new AnalyzerTest<FlaggedAnalyzer>
        {
            Sources = { Code("        [|Flagged()|];") },
            ExpectedDiagnostics = { Diag("TST001").WithSeverity(DiagnosticSeverity.Error) },
        }.RunAsync());

        [Fact]
        public async Task WrongAdditionalLocation_Fails() => await Fails(() => new AnalyzerTest<FlaggedAnalyzer>
        {
            Sources = { Code("        [|Flagged()|];") },
            ExpectedDiagnostics = { Diag("TST001").WithAdditionalSpan("/0/Test0.cs", 4, 17, 4, 24) },
        }.RunAsync());

        [Fact]
        public async Task MissingDiagnostic_Fails() => Assert.Contains("Missing (expected, not reported) (1)", await Fails(() => new AnalyzerTest<FlaggedAnalyzer>
        {
            Sources = { Code("        [|Fixed()|];") },
        }.RunAsync()));

        [Fact]
        public async Task ExtraDiagnostic_Fails() => Assert.Contains("Unexpected (reported, not expected) (1)", await Fails(() => new AnalyzerTest<FlaggedAnalyzer>
        {
            Sources = { Code("        [|Flagged()|];\n        Flagged();") },
        }.RunAsync()));

        [Fact]
        public async Task LocationlessExpectationWithoutMarkup_Fails() => Assert.Contains("no markup span", await Fails(() => new AnalyzerTest<FlaggedAnalyzer>
        {
            Sources = { Code("        [|Flagged()|];") },
            ExpectedDiagnostics = { Diag("TST001"), Diag("TST001") },
        }.RunAsync()));

        // ---------- compilation options ----------

        [Fact]
        public async Task CompilerErrors_FailUnlessAllowed()
        {
            var source = Code("        [|Flagged()|];\n        Undefined();");
            Assert.Contains("CS0103", await Fails(() => new AnalyzerTest<FlaggedAnalyzer> { Sources = { source } }.RunAsync()));
            await new AnalyzerTest<FlaggedAnalyzer> { Sources = { source }, AllowCompilerErrors = true }.RunAsync();
        }

        [Fact]
        public async Task AnalyzerException_AlwaysFails_ShowingTheException()
        {
            var message = await Fails(() => new AnalyzerTest<FlaggedAnalyzer>
            {
                Sources = { "class B { void Boom() { } void M() { Boom(); } }" },
                AdditionalFiles = { ("tst.names.txt", "Boom") },
                AllowCompilerErrors = true,
            }.RunAsync());
            Assert.Contains("AD0001", message);
            Assert.Contains("boom from the test analyzer", message);
        }

        [Fact]
        public Task AdditionalFiles_ReachTheAnalyzer() => new AnalyzerTest<FlaggedAnalyzer>
        {
            Sources = { Code("        {|TST001:Fixed()|};") },
            AdditionalFiles = { ("tst.names.txt", "Fixed\n") },
            ExpectedDiagnostics = { Diag("TST001").WithMessage("Call to 'Fixed' is flagged") },
        }.RunAsync();

        [Fact]
        public async Task PreprocessorSymbols()
        {
            var source = Code("#if CONFIG_X\n        [|Flagged()|];\n#endif");
            await new AnalyzerTest<FlaggedAnalyzer> { Sources = { source }, PreprocessorSymbols = { "CONFIG_X" } }.RunAsync();
            await Fails(() => new AnalyzerTest<FlaggedAnalyzer> { Sources = { source } }.RunAsync());
        }

        [Fact]
        public Task AnalyzerConfig_Severity() => new AnalyzerTest<FlaggedAnalyzer>
        {
            Sources = { Code("        [|Flagged()|];") },
            AnalyzerConfigFiles = { (".editorconfig", "root = true\n[*.cs]\ndotnet_diagnostic.TST001.severity = error\n") },
            ExpectedDiagnostics = { Diag("TST001").WithSeverity(DiagnosticSeverity.Error) },
        }.RunAsync();

        [Fact]
        public Task MultipleDocuments_CrossFileAdditionalLocation() => new AnalyzerTest<FlaggedAnalyzer>
        {
            Sources = { Code("        [|Flagged()|];"), "class D { void N(C c) { {|#1:c.Flagged()|}; c.Flagged(); } }" },
            ExpectedDiagnostics =
            {
                Diag("TST001").WithLocation(1).WithAdditionalLocation(0),
                Diag("TST001").WithSpan("/0/Test1.cs", 1, 38, 1, 49).WithAdditionalSpan("/0/Test0.cs", 3, 17, 3, 24),
            },
        }.RunAsync();

        [Theory]
        [InlineData(AnnotationsReference.Metadata)]
        [InlineData(AnnotationsReference.Source)]
        public Task Annotations_MetadataOrSource(AnnotationsReference mode) => new AnalyzerTest<FlaggedAnalyzer>
        {
            Sources = { "[MmLock.Context(Atomic = true)] struct L { } class Q { [MmLock.MightSleep] void S() { } }" },
            Annotations = mode,
        }.RunAsync();

        [Fact]
        public async Task Annotations_None_DoesNotCompile() => Assert.Contains("error CS0246: The type or namespace name 'MmLock'", await Fails(() => new AnalyzerTest<FlaggedAnalyzer>
        {
            Sources = { "[MmLock.Context] struct L { }" },
            Annotations = AnnotationsReference.None,
        }.RunAsync()));

        // ---------- IDE consistency ----------

        [Fact]
        public Task CompilationEndDiagnosticWithoutLocation_IsExcludedFromPerDocumentCheck() => new AnalyzerTest<FlaggedWithSummaryAnalyzer>
        {
            Sources = { Code("        [|Flagged()|];") },
            DefaultDiagnosticId = "TST001",
            ExpectedDiagnostics = { Diag("TST002").WithNoLocation().WithMessage("1 flagged calls") },
        }.RunAsync();

        [Fact]
        public async Task InSourceDiagnosticsOnlyAtCompilationEnd_FailPerDocumentCheck()
        {
            var source = Code("        [|Flagged()|];");
            Assert.Contains("Per-document analysis (IDE)", await Fails(() => new AnalyzerTest<CompilationEndOnlyAnalyzer> { Sources = { source } }.RunAsync()));
            await new AnalyzerTest<CompilationEndOnlyAnalyzer> { Sources = { source }, CheckIdeConsistency = false }.RunAsync();
        }

        [Fact]
        public async Task DiagnosticsMissingFromSpanAnalysis_FailSpanCheck()
        {
            var source = Code("        [|Flagged()|];");
            Assert.Contains("Span analysis of /0/Test0.cs(7,5,10,6)", await Fails(() => new AnalyzerTest<WholeDocumentOnlyAnalyzer> { Sources = { source } }.RunAsync()));
            await new AnalyzerTest<WholeDocumentOnlyAnalyzer> { Sources = { source }, CheckIdeConsistency = false }.RunAsync();
        }

        // ---------- code fixes ----------

        [Fact]
        public Task Fix_Single() => new CodeFixTest<FlaggedAnalyzer, RenameFlaggedFix>
        {
            Source = Code("        [|Flagged()|];"),
            FixedSource = Code("        Fixed();"),
            ExpectedIterations = 1,
        }.RunAsync();

        [Fact]
        public async Task Fix_ChooseByIndexOrEquivalenceKey()
        {
            await new CodeFixTest<FlaggedAnalyzer, RenameFlaggedFix>
            {
                Source = Code("        [|Flagged()|];"), FixedSource = Code("        Fixed2();"), CodeActionIndex = 1,
            }.RunAsync();
            await new CodeFixTest<FlaggedAnalyzer, RenameFlaggedFix>
            {
                Source = Code("        [|Flagged()|];"), FixedSource = Code("        Fixed2();"), CodeActionEquivalenceKey = "TST.Fixed2",
            }.RunAsync();
        }

        [Fact]
        public async Task Fix_WrongFixedSource_Fails() => Assert.Contains("differs from the expected text, first at line 9", await Fails(() => new CodeFixTest<FlaggedAnalyzer, RenameFlaggedFix>
        {
            Source = Code("        [|Flagged()|];"),
            FixedSource = Code("        Fixed2();"),
        }.RunAsync()));

        [Fact]
        public async Task Fix_RemainingDiagnosticsMustBeExpected()
        {
            var source = Code("        [|Flagged()|];\n        [|Flagged(1)|];");
            await new CodeFixTest<FlaggedAnalyzer, RenameFlaggedFix> { Source = source, FixedSource = Code("        Fixed();\n        [|Flagged(1)|];") }.RunAsync();
            Assert.Contains("Diagnostics of the fixed code do not match", await Fails(() => new CodeFixTest<FlaggedAnalyzer, RenameFlaggedFix>
            {
                Source = source, FixedSource = Code("        Fixed();\n        Flagged(1);"),
            }.RunAsync()));
        }

        [Fact]
        public async Task Fix_ProducingCompilerErrors_Fails() => Assert.Contains("CS1061", await Fails(() => new CodeFixTest<FlaggedAnalyzer, RenameFlaggedFix>
        {
            Source = "class E { void Flagged() { } void Fixed() { } void M() { [|this.Flagged()|]; } }",
            FixedSource = "class E { void Flagged() { } void Fixed() { } void M() { this.Fixed2(); } }",
            CodeActionEquivalenceKey = "TST.Fixed2",
        }.RunAsync()));

        [Fact]
        public async Task Fix_NotIdempotent_Fails() => Assert.Contains("did not converge", await Fails(() => new CodeFixTest<FlaggedAnalyzer, NotIdempotentFix>
        {
            Source = Code("        [|Flagged()|];"),
            FixedSource = Code("        Flagged();"),
            MaxIterations = 3,
        }.RunAsync()));

        [Theory]
        [InlineData(FixAllScope.Document)]
        [InlineData(FixAllScope.Project)]
        [InlineData(FixAllScope.Solution)]
        public Task FixAll_AcrossDocuments(FixAllScope scope) => new CodeFixTest<FlaggedAnalyzer, RenameFlaggedFix>
        {
            Sources = { Code("        [|Flagged()|];\n        [|Flagged()|];"), Other("[|c.Flagged()|]") },
            FixedSources = { Code("        Fixed();\n        Fixed();"), Other("c.Fixed()") },
            BatchFixedSources = { Code("        Fixed();\n        Fixed();"), Other("c.Fixed()") },
            FixAllScope = scope,
            ExpectedIterations = 4,
        }.RunAsync();

        [Theory]
        [InlineData(FixAllScope.Document, 2)]
        [InlineData(FixAllScope.Project, 2)]
        [InlineData(FixAllScope.Solution, 1)]
        public Task FixAll_AcrossProjects(FixAllScope scope, int applications) => new CodeFixTest<FlaggedAnalyzer, RenameFlaggedFix>
        {
            Sources = { Code("        [|Flagged()|];"), ("/1/Test0.cs", Other("[|c.Flagged()|]")) },
            FixedSources = { Code("        Fixed();"), ("/1/Test0.cs", Other("c.Fixed()")) },
            FixAllScope = scope,
            ExpectedIterations = 3,
            ExpectedBatchIterations = applications,
        }.RunAsync();

        [Fact]
        public void ProjectOfAPath()
        {
            Assert.Equal(0, AnalyzerTestBase.ProjectIndex("/0/Test0.cs"));
            Assert.Equal(2, AnalyzerTestBase.ProjectIndex("/2/Test0.cs"));
            Assert.Equal(0, AnalyzerTestBase.ProjectIndex("/Annotations/Attributes.cs"));
        }

        [Fact]
        public async Task FixAll_WrongBatchIterations_Fails() => Assert.Contains("Expected 1 Fix All (Project) applications, applied 2", await Fails(() => new CodeFixTest<FlaggedAnalyzer, RenameFlaggedFix>
        {
            Sources = { Code("        [|Flagged()|];"), ("/1/Test0.cs", Other("[|c.Flagged()|]")) },
            FixedSources = { Code("        Fixed();"), ("/1/Test0.cs", Other("c.Fixed()")) },
            FixAllScope = FixAllScope.Project,
            ExpectedBatchIterations = 1,
        }.RunAsync()));

        [Fact]
        public async Task FixAll_WrongBatchSource_Fails() => Assert.Contains("Fix All (Project) result of /0/Test1.cs differs", await Fails(() => new CodeFixTest<FlaggedAnalyzer, RenameFlaggedFix>
        {
            Sources = { Code("        [|Flagged()|];"), Other("[|c.Flagged()|]") },
            FixedSources = { Code("        Fixed();"), Other("c.Fixed()") },
            BatchFixedSources = { Code("        Fixed();"), Other("c.Flagged()") },
            FixAllScope = FixAllScope.Project,
        }.RunAsync()));
    }
}
