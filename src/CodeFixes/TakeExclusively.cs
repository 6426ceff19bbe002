using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using MmLock.Analyzers.Contexts;
using MmLock.Analyzers.Contracts;
using MmLock.Analyzers.Flow;

namespace MmLock.CodeFixes
{
    /// <summary>
    /// MM1001 "held shared" where the call needs the context exclusively: the member's own shared acquire becomes the
    /// exclusive one, and the shared releases of that hold become the exclusive release. (A wrap would acquire what is held.)
    /// </summary>
    internal static class TakeExclusively
    {
        /// <summary>The edit and its title, or null when the hold is not one plain shared acquire of this member.</summary>
        public static (System.Func<SyntaxNode, SyntaxNode?> Edit, string Title)? For(FixDocument fix, ReportedCall call, CancellationToken cancellation)
        {
            if (call.Reported.Length != 1 || call.Reported[0].Alternatives.Length != 1) return null;
            var (wanted, mode) = call.Reported[0].Alternatives[0];
            if (mode != Mode.Exclusive || call.State.Find(wanted.Key) is not { Definite: true, Mode: Mode.Shared, Count: 1, Assumed: false, Guard: null } held) return null;
            if (held.AcquiredAt is not { } at || at.SourceTree != fix.Root.SyntaxTree || !call.Probe.Member.Span.Contains(at.SourceSpan)) return null;
            if (fix.InvocationAt(at.SourceSpan, cancellation) is not { } acquire || call.Probe.CallAt(acquire.Syntax) is not var (acquireCall, _, body)) return null;
            if (acquireCall.Contract.Acquires.Length != 1 || acquireCall.Acquires.Length != 1 || acquireCall.Acquires[0].Context.Key != wanted.Key) return null;
            var position = acquire.Syntax.SpanStart;
            var expression = fix.ExpressionAt(acquireCall.Contract.Acquires[0], acquireCall.Site, position);
            var staticKey = wanted.Key.StartsWith("static:", System.StringComparison.Ordinal) ? wanted.Key : null;
            if (expression == null && staticKey == null) return null;
            var guard = Guards.Fit(fix, body, expression, staticKey, Mode.Exclusive, wanted.Type, position, new HashSet<string>(), scoped: false);
            if (guard == null || guard.Context.Key != wanted.Key) return null;

            // The releases of this hold: calls that release the context shared while the state before them has this acquire's hold.
            var releases = call.Probe.Member.DescendantNodes().OfType<InvocationExpressionSyntax>()
                .Where(i => call.Probe.CallAt(i) is var (c, s, _) && c.Releases.Any(r => r.Context.Key == wanted.Key)
                            && s.Find(wanted.Key) is { } h && h.AcquiredAt != null && h.AcquiredAt.SourceSpan == at.SourceSpan)
                .ToList();
            if (releases.Count == 0) return null;
            var acquireSyntax = acquire.Syntax;
            var title = $"Take '{wanted.Display}' exclusively: '{guard.Acquire}' … '{guard.Release}'";
            return (member => member.ReplaceNodes(releases.Cast<SyntaxNode>().Append(acquireSyntax), (original, _) =>
                SyntaxFactory.ParseExpression(original == acquireSyntax ? guard.Acquire : guard.Release).WithTriviaFrom(original)), title);
        }
    }
}
