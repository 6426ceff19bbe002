using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using MmLock.Analyzers.Rules;
using MmLock.Analyzers.Tests.Verification;
using Xunit;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>MM9999 (contract §3.1): an analysis that stops is reported at the member, and nothing else of it.</summary>
    public class AnalysisStoppedTests
    {
        private static readonly Location Member = Location.Create("/0/Test0.cs", new TextSpan(10, 4), new LinePositionSpan(new LinePosition(0, 10), new LinePosition(0, 14)));

        private static Diagnostic Some(string id) => Diagnostic.Create(new DiagnosticDescriptor(id, "t", "m", "c", DiagnosticSeverity.Error, true), Location.None);

        [Fact]
        public void CompletedAnalysis_ForwardsWhatItReported()
        {
            var reported = new List<Diagnostic>();
            AnalysisFailure.Run("M", Member, reported.Add, report => { report(Some("MM1001")); report(Some("MM1004")); });
            Assert.Equal(new[] { "MM1001", "MM1004" }, reported.Select(d => d.Id));
        }

        [Fact]
        public void Exception_ReplacesEverythingOfTheMemberWithOneMM9999()
        {
            var reported = new List<Diagnostic>();
            AnalysisFailure.Run("C.M()", Member, reported.Add, report =>
            {
                report(Some("MM1001"));
                Thrower.Throw();
            });
            var stopped = Assert.Single(reported);
            Assert.Equal("MM9999", stopped.Id);
            Assert.Equal(DiagnosticSeverity.Warning, stopped.Severity);
            Assert.Equal(Member, stopped.Location);
            Assert.Equal("The analysis of 'C.M()' stopped: InvalidOperationException (no state for block 3) at " +
                "MmLock.Analyzers.Tests.Rules.AnalysisStoppedTests+Thrower.Throw; please report", stopped.GetMessage(CultureInfo.InvariantCulture));
        }

        [Fact]
        public void LimitReached_IsReportedTheSameWay()
        {
            var reported = new List<Diagnostic>();
            AnalysisFailure.Run("C.M()", Member, reported.Add, _ => throw new AnalysisStoppedException("the visit cap was reached"));
            Assert.StartsWith("The analysis of 'C.M()' stopped: AnalysisStoppedException (the visit cap was reached) at ",
                Assert.Single(reported).GetMessage(CultureInfo.InvariantCulture));
        }

        [Fact]
        public void Cancellation_IsNotAFailure() =>
            Assert.Throws<OperationCanceledException>(() => AnalysisFailure.Run("M", Member, _ => { }, _ => throw new OperationCanceledException()));

        /// <summary>End to end: a contracts file that cannot be read stops the contract model, reported once at compilation end.</summary>
        [Fact]
        public async Task UnreadableContractsFile_IsMM9999AtCompilationEnd_NotAD0001()
        {
            var tree = CSharpSyntaxTree.ParseText("class C { void M() { } }", path: "/0/Test0.cs");
            var compilation = CSharpCompilation.Create("Stopped", new[] { tree }, Basic.Reference.Assemblies.Net80.References.All,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
            var exceptions = new List<Exception>();
            var options = new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray.Create<AdditionalText>(new UnreadableText())),
                (e, _, _) => exceptions.Add(e), concurrentAnalysis: false, logAnalyzerExecutionTime: false);
            var diagnostics = await compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new MmLockAnalyzer()), options)
                .GetAnalyzerDiagnosticsAsync();
            Assert.Empty(exceptions);
            var stopped = Assert.Single(diagnostics);
            Assert.Equal("MM9999", stopped.Id);
            Assert.Equal(Location.None, stopped.Location);
            Assert.StartsWith("The analysis of 'Stopped' stopped: InvalidOperationException (unreadable) at ", stopped.GetMessage(CultureInfo.InvariantCulture));
        }

        /// <summary>The harness fails every test on MM9999, as on AD0001.</summary>
        [Fact]
        public async Task Harness_FailsOnMM9999()
        {
            var test = new AnalyzerTest<StoppingAnalyzer> { Sources = { "class C { void M() { } }" } };
            var failure = await Assert.ThrowsAsync<VerificationException>(test.RunAsync);
            Assert.Contains("stopped (MM9999)", failure.Message);
            Assert.Contains("MM9999: The analysis of 'C.M()' stopped: InvalidOperationException (no state for block 3)", failure.Message);
        }

        private static class Thrower
        {
            [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
            public static void Throw() => throw new InvalidOperationException("no state for block 3");
        }

        private sealed class UnreadableText : AdditionalText
        {
            public override string Path => "/0/mmlock.contracts.txt";
            public override SourceText GetText(CancellationToken cancellationToken = default) => throw new InvalidOperationException("unreadable");
        }

        /// <summary>Reports what MmLockAnalyzer reports when a member's analysis throws.</summary>
        [DiagnosticAnalyzer(LanguageNames.CSharp)]
        private sealed class StoppingAnalyzer : DiagnosticAnalyzer
        {
            public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptors.MM9999);

            public override void Initialize(AnalysisContext context)
            {
                context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
                context.EnableConcurrentExecution();
                context.RegisterSymbolAction(c => AnalysisFailure.Run(c.Symbol.ToDisplayString(), c.Symbol.Locations[0], c.ReportDiagnostic, _ => Thrower.Throw()),
                    SymbolKind.Method);
            }
        }
    }
}
