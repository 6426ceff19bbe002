using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace MmLock.Analyzers.Tests.Verification
{
    /// <summary>A location an expectation refers to: a markup location <c>{|#n:..|}</c> or an explicit span in a file.</summary>
    public sealed record ExpectedLocation(int? MarkupNumber, string? Path, LinePositionSpan Span);

    /// <summary>
    /// An expected diagnostic. Build with <see cref="Verify.Diag"/> and the <c>With*</c> methods (each returns a copy).
    /// What is stated is compared exactly; the message, severity and additional locations are compared only when stated.
    /// An expectation without a location (and without <see cref="WithNoLocation"/>) is attached to a markup span of its ID,
    /// see <see cref="AnalyzerTest{TAnalyzer}"/>.
    /// </summary>
    public sealed record DiagnosticResult(string Id)
    {
        public ExpectedLocation? Location { get; init; }
        public bool NoLocation { get; init; }
        public string? Message { get; init; }
        public object?[]? MessageArguments { get; init; }
        public DiagnosticSeverity? Severity { get; init; }
        public ImmutableList<ExpectedLocation>? AdditionalLocations { get; init; }

        /// <summary>The diagnostic is on markup location <c>{|#n:..|}</c>.</summary>
        public DiagnosticResult WithLocation(int markupNumber) => this with { Location = new(markupNumber, null, default) };

        /// <summary>The diagnostic is on this span (1-based lines and columns, end exclusive, as the compiler prints them).</summary>
        public DiagnosticResult WithSpan(string path, int startLine, int startColumn, int endLine, int endColumn) =>
            this with { Location = new(null, path, Span(startLine, startColumn, endLine, endColumn)) };

        /// <summary>The diagnostic is on this span of <c>/0/Test0.cs</c>.</summary>
        public DiagnosticResult WithSpan(int startLine, int startColumn, int endLine, int endColumn) =>
            WithSpan(AnalyzerTestBase.DocumentPath(0), startLine, startColumn, endLine, endColumn);

        /// <summary>The diagnostic has no source location (<c>Location.None</c>, e.g. reported at compilation end).</summary>
        public DiagnosticResult WithNoLocation() => this with { NoLocation = true, Location = null };

        /// <summary>The exact message (<c>Diagnostic.GetMessage(InvariantCulture)</c>).</summary>
        public DiagnosticResult WithMessage(string message) => this with { Message = message };

        /// <summary>The message is the descriptor's message format with these arguments.</summary>
        public DiagnosticResult WithArguments(params object?[] arguments) => this with { MessageArguments = arguments };

        public DiagnosticResult WithSeverity(DiagnosticSeverity severity) => this with { Severity = severity };

        /// <summary>Appends markup location <c>{|#n:..|}</c> to the expected additional locations (then compared exactly, in order).</summary>
        public DiagnosticResult WithAdditionalLocation(int markupNumber) =>
            this with { AdditionalLocations = (AdditionalLocations ?? ImmutableList<ExpectedLocation>.Empty).Add(new(markupNumber, null, default)) };

        public DiagnosticResult WithAdditionalSpan(string path, int startLine, int startColumn, int endLine, int endColumn) =>
            this with { AdditionalLocations = (AdditionalLocations ?? ImmutableList<ExpectedLocation>.Empty).Add(new(null, path, Span(startLine, startColumn, endLine, endColumn))) };

        /// <summary>The diagnostic has no additional locations.</summary>
        public DiagnosticResult WithNoAdditionalLocations() => this with { AdditionalLocations = ImmutableList<ExpectedLocation>.Empty };

        private static LinePositionSpan Span(int sl, int sc, int el, int ec)
        {
            if (sl < 1 || sc < 1 || el < 1 || ec < 1) throw new ArgumentException("Lines and columns are 1-based.");
            return new LinePositionSpan(new LinePosition(sl - 1, sc - 1), new LinePosition(el - 1, ec - 1));
        }
    }

    /// <summary>Entry points: <c>using static MmLock.Analyzers.Tests.Verification.Verify;</c> then <c>Diag("MM1001")</c>.</summary>
    public static class Verify
    {
        public static DiagnosticResult Diag(string id) => new(id);
    }

    /// <summary>Thrown when a verification fails; the message lists expected and actual diagnostics.</summary>
    public sealed class VerificationException(string message) : Exception(message);
}
