using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FindSymbols;

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

            var remaining = Unmatched(old.Diagnostics, probe.Diagnostics, out int added);
            if (added > 0) return null;
            // Some occurrence of the fixed diagnostic's shape is gone.
            return remaining.TryGetValue(Shape(fixedDiagnostic), out int left) && left > 0 ? after : null;
        }

        /// <summary>
        /// What adding a requirement to <paramref name="caller"/> (the edit of <paramref name="member"/> that gave
        /// <paramref name="after"/>) does at the references to it in the solution: how many there are, and how many diagnostics
        /// the other members holding them get that they did not have (the references that do not hold what it now requires).
        /// </summary>
        public static async Task<(int References, int NewDiagnostics)> AtCallersAsync(FixDocument before, SyntaxNode member, Document after, IMethodSymbol caller,
            CancellationToken cancellation)
        {
            var solution = before.Document.Project.Solution;
            var members = new Dictionary<(DocumentId, int), (Document Document, SyntaxNode Member)>();
            int references = 0;
            foreach (var symbol in await SymbolFinder.FindReferencesAsync(caller, solution, cancellation).ConfigureAwait(false))
                foreach (var location in symbol.Locations)
                {
                    if (!location.Location.IsInSource || location.Location.SourceTree is not { } tree) continue;
                    references++;
                    // A reference in the edited member itself (a local function's callers) is the member's own check.
                    if (location.Document.Id == before.Document.Id && member.FullSpan.Contains(location.Location.SourceSpan)) continue;
                    var root = await tree.GetRootAsync(cancellation).ConfigureAwait(false);
                    if (FlowProbe.MemberOf(root.FindToken(location.Location.SourceSpan.Start).Parent!) is { } calling)
                        members[(location.Document.Id, calling.SpanStart)] = (location.Document, calling);
                }
            // The edit changed the edited document's text from the end of the member on.
            var delta = (await after.GetTextAsync(cancellation).ConfigureAwait(false)).Length - before.Root.FullSpan.Length;
            int created = 0;
            foreach (var (document, calling) in members.Values)
            {
                var beforeFix = document.Id == before.Document.Id ? before : await FixDocument.LoadAsync(document, cancellation).ConfigureAwait(false);
                var afterDocument = after.Project.Solution.GetDocument(document.Id);
                var afterFix = afterDocument == null ? null : await FixDocument.LoadAsync(afterDocument, cancellation).ConfigureAwait(false);
                if (beforeFix == null || afterFix == null) continue;
                int start = document.Id == before.Document.Id && calling.SpanStart >= member.FullSpan.End ? calling.SpanStart + delta : calling.SpanStart;
                if (FlowProbe.MemberOf(afterFix.Root.FindToken(start).Parent!) is not { } callingAfter) continue;
                // A body the analysis stops in reports MM9999 either way: nothing to count there.
                if (FlowProbe.Run(beforeFix, calling, cancellation) is not { } old || FlowProbe.Run(afterFix, callingAfter, cancellation) is not { } probe) continue;
                Unmatched(old.Diagnostics, probe.Diagnostics, out int added);
                created += added;
            }
            return (references, created);
        }

        /// <summary>
        /// The diagnostics of <paramref name="before"/> that <paramref name="after"/> no longer has, counted by shape, and in
        /// <paramref name="added"/> how many of <paramref name="after"/> have no match before.
        /// </summary>
        private static Dictionary<string, int> Unmatched(IEnumerable<Diagnostic> before, IEnumerable<Diagnostic> after, out int added)
        {
            var remaining = before.Select(Shape).GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
            added = 0;
            foreach (var shape in after.Select(Shape))
            {
                if (remaining.TryGetValue(shape, out int count) && count > 0) remaining[shape] = count - 1;
                else added++;
            }
            return remaining;
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
