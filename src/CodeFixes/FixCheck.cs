using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;

namespace MmLock.CodeFixes
{
    /// <summary>
    /// A fix is offered only when its result, analyzed by the same flow and rules, is better and nowhere worse in the member
    /// it edits: no compiler error and no diagnostic that was not there before, and fewer of the fixed one.
    /// </summary>
    internal static class FixCheck
    {
        private static readonly Regex Digits = new Regex("[0-9]+", RegexOptions.CultureInvariant);
        private static readonly Regex ReleasedNote = new Regex("; '[^']*' was released at line [0-9]+", RegexOptions.CultureInvariant);

        /// <summary>
        /// The document with the member <paramref name="old"/> analyzed in <paramref name="before"/> (or <paramref name="scope"/>,
        /// a node that contains it: a property whose expression body becomes an accessor) replaced by <paramref name="edit"/>'s
        /// result, when that passes the check; otherwise null. The fix's own probe is the "before" side, so the member is
        /// analyzed once more per offered edit, not twice.
        /// </summary>
        public static Task<Document?> EditAsync(FixDocument before, FlowProbe old, System.Func<SyntaxNode, SyntaxNode?> edit, Diagnostic fixedDiagnostic,
            CancellationToken cancellation, SyntaxNode? scope = null)
        {
            var replaced = scope ?? old.Member;
            var edited = edit(replaced);
            if (edited == null) return Task.FromResult<Document?>(null);
            var mark = new SyntaxAnnotation();
            var after = before.Document.WithSyntaxRoot(before.Root.ReplaceNode(replaced, edited.WithAdditionalAnnotations(mark)));
            return AcceptAsync(before, old, replaced, after, mark, fixedDiagnostic, cancellation);
        }

        private static async Task<Document?> AcceptAsync(FixDocument before, FlowProbe old, SyntaxNode replaced, Document after, SyntaxAnnotation mark,
            Diagnostic fixedDiagnostic, CancellationToken cancellation)
        {
            var fix = await FixDocument.LoadAsync(after, cancellation).ConfigureAwait(false);
            var edited = fix?.Root.GetAnnotatedNodes(mark).FirstOrDefault();
            if (fix == null || edited == null) return null;
            if (Errors(fix.Model, edited, cancellation) > Errors(before.Model, replaced, cancellation)) return null;
            // The analyzed member of the edited node: itself, or the accessor a property's expression body became.
            var memberAfter = FlowProbe.MemberOf(edited) != null ? edited : edited.DescendantNodes().FirstOrDefault(n => FlowProbe.MemberOf(n) == n);
            if (memberAfter == null) return null;
            var probe = FlowProbe.Run(fix, memberAfter, cancellation);
            if (probe == null) return null;

            var remaining = old.Diagnostics.Select(Shape).GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
            foreach (var diagnostic in probe.Diagnostics)
            {
                var shape = Shape(diagnostic);
                if (!remaining.TryGetValue(shape, out int count) || count == 0) return null;
                remaining[shape] = count - 1;
            }
            // Some occurrence of the fixed diagnostic's shape is gone.
            return remaining.TryGetValue(Shape(fixedDiagnostic), out int left) && left > 0 ? after : null;
        }

        private static int Errors(SemanticModel model, SyntaxNode member, CancellationToken cancellation) =>
            model.GetDiagnostics(member.FullSpan, cancellation).Count(d => d.Severity == DiagnosticSeverity.Error);

        /// <summary>
        /// A diagnostic without its position: rule, properties (clause kind, missing contexts, context) and message with line
        /// numbers blanked (edits move lines) and without MM1001's "'l' was released at line N" note, which a wrap of an earlier
        /// identical call adds to a later one without changing what that one misses.
        /// </summary>
        private static string Shape(Diagnostic diagnostic)
        {
            var message = ReleasedNote.Replace(diagnostic.GetMessage(CultureInfo.InvariantCulture), "");
            var properties = string.Join(";", diagnostic.Properties.OrderBy(p => p.Key, System.StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value));
            return diagnostic.Id + "|" + properties + "|" + Digits.Replace(message, "#");
        }
    }
}
