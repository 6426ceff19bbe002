using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace MmLock.Analyzers.Rules
{
    /// <summary>An analysis that gives up on purpose (a limit it cannot prove it stays under); reported as MM9999 like any crash.</summary>
    internal sealed class AnalysisStoppedException : Exception
    {
        public AnalysisStoppedException(string message) : base(message) { }
    }

    /// <summary>
    /// The one path by which an analysis that stops is reported (contract §3.1): the member's diagnostics are held back
    /// until its analysis finishes, and an unexpected exception replaces them all with one MM9999 at the member.
    /// In every build configuration: the build never fails on it, and no crash goes unseen.
    /// </summary>
    internal static class AnalysisFailure
    {
        /// <summary>
        /// Runs <paramref name="analysis"/> with a buffered report; forwards the buffer when it completes, else reports MM9999
        /// naming <paramref name="member"/> at <paramref name="location"/> (null: no location).
        /// </summary>
        public static void Run(string member, Location? location, Action<Diagnostic> report, Action<Action<Diagnostic>> analysis) =>
            Run(() => member, location, report, analysis);

        /// <summary>As above, with the member's name made only when it is reported (display strings cost on every body).</summary>
        public static void Run(Func<string> member, Location? location, Action<Diagnostic> report, Action<Action<Diagnostic>> analysis)
        {
            var buffer = new List<Diagnostic>();
            try
            {
                analysis(buffer.Add);
            }
            catch (Exception exception) when (!(exception is OperationCanceledException))
            {
                report(Stopped(member(), location, exception));
                return;
            }
            foreach (var diagnostic in buffer) report(diagnostic);
        }

        /// <summary>
        /// As above for the analysis of <paramref name="member"/>'s bodies in <paramref name="tree"/>: its name and location are
        /// made only when it fails, and the analysis gets its state without a closure (this runs for every body).
        /// </summary>
        public static void Run<TState>(TState state, ISymbol member, SyntaxTree? tree, Action<Diagnostic> report, Action<TState, Action<Diagnostic>> analysis)
        {
            var buffer = new List<Diagnostic>();
            try
            {
                analysis(state, buffer.Add);
            }
            catch (Exception exception) when (!(exception is OperationCanceledException))
            {
                report(Stopped(MemberName(member), LocationOf(member, tree), exception));
                return;
            }
            foreach (var diagnostic in buffer) report(diagnostic);
        }

        /// <summary>
        /// <paramref name="step"/>'s result, or, when it fails unexpectedly, false with the MM9999 to report for
        /// <paramref name="member"/> in <paramref name="stopped"/>: for the checks that run on every body before it is analyzed.
        /// </summary>
        public static bool Try<TState, TResult>(TState state, Func<TState, TResult> step, ISymbol member, SyntaxTree? tree, out TResult result, out Diagnostic? stopped)
        {
            stopped = null;
            try
            {
                result = step(state);
                return true;
            }
            catch (Exception exception) when (!(exception is OperationCanceledException))
            {
                result = default!;
                stopped = Stopped(MemberName(member), LocationOf(member, tree), exception);
                return false;
            }
        }

        /// <summary>How MM9999 names a member.</summary>
        public static string MemberName(ISymbol member) => member.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat);

        public static Diagnostic Stopped(string member, Location? location, Exception exception) =>
            Diagnostic.Create(Descriptors.MM9999, location ?? Location.None, member, Describe(exception), FirstFrame(exception));

        private static string Describe(Exception exception) =>
            exception.GetType().Name + (string.IsNullOrEmpty(exception.Message) ? "" : " (" + exception.Message.Replace('\r', ' ').Replace('\n', ' ') + ")");

        /// <summary>The innermost method the exception was thrown from, as Type.Method; "an unknown frame" without a trace.</summary>
        private static string FirstFrame(Exception exception)
        {
            var method = new System.Diagnostics.StackTrace(exception, false).GetFrames()?.FirstOrDefault(f => f.GetMethod() != null)?.GetMethod();
            return method == null ? "an unknown frame" : (method.DeclaringType?.FullName ?? "?") + "." + method.Name;
        }

        /// <summary>Where MM9999 goes for a symbol: its first declaration in <paramref name="tree"/>, else its first in source.</summary>
        public static Location? LocationOf(ISymbol symbol, SyntaxTree? tree)
        {
            Location? first = null;
            foreach (var location in symbol.Locations)
            {
                if (!location.IsInSource) continue;
                if (location.SourceTree == tree) return location;
                first ??= location;
            }
            return first;
        }
    }
}
