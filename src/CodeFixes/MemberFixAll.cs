using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;

namespace MmLock.CodeFixes
{
    /// <summary>
    /// Fix All that converges: instead of merging edits computed on the unchanged document (Roslyn's batch fixer keeps one of
    /// two edits that overlap — five moves to one attribute list, two leaks at one '}'), it fixes one member at a time: the
    /// member's diagnostics come from the flow over that member, the first one whose action (same equivalence key) changes the
    /// code is applied, the member is analyzed again, and so on until none is left that the action fixes; an edit that does not
    /// lower the member's count of the fixed IDs is undone, and one after which the member is not found again is kept only if it
    /// lowers the document's count (that member is then left). The members are
    /// those the host reports a diagnostic of the fixed IDs in, per document of the scope.
    /// </summary>
    internal sealed class MemberFixAll : FixAllProvider
    {
        public static readonly MemberFixAll Instance = new MemberFixAll();

        public override IEnumerable<FixAllScope> GetSupportedFixAllScopes() =>
            new[] { FixAllScope.Document, FixAllScope.Project, FixAllScope.Solution };

        public override Task<CodeAction?> GetFixAsync(FixAllContext context)
        {
            var title = context.CodeActionEquivalenceKey == null ? "Fix all" : "Fix all: " + context.CodeActionEquivalenceKey;
            return Task.FromResult<CodeAction?>(CodeAction.Create(title, ct => FixAllAsync(context, ct), context.CodeActionEquivalenceKey));
        }

        private static async Task<Solution> FixAllAsync(FixAllContext context, CancellationToken cancellation)
        {
            var documents = context.Scope switch
            {
                FixAllScope.Document => context.Document == null ? new List<Document>() : new List<Document> { context.Document },
                FixAllScope.Project => context.Project.Documents.ToList(),
                _ => context.Solution.Projects.SelectMany(p => p.Documents).ToList(),
            };
            var ids = new HashSet<string>(context.DiagnosticIds);
            var solution = context.Solution;
            foreach (var original in documents)
            {
                var spans = (await context.GetDocumentDiagnosticsAsync(original).ConfigureAwait(false))
                    .Where(d => ids.Contains(d.Id) && d.Location.IsInSource).Select(d => d.Location.SourceSpan).ToList();
                if (spans.Count == 0) continue;
                solution = await FixDocumentAsync(context, solution.GetDocument(original.Id)!, spans, ids, cancellation).ConfigureAwait(false);
            }
            return solution;
        }

        private static async Task<Solution> FixDocumentAsync(FixAllContext context, Document document, List<TextSpan> spans, ISet<string> ids,
            CancellationToken cancellation)
        {
            // Mark each member with a diagnostic, so that it is found again after edits (of it or of others) moved it.
            var root = await document.GetSyntaxRootAsync(cancellation).ConfigureAwait(false);
            if (root == null) return document.Project.Solution;
            var members = spans.Select(s => FlowProbe.MemberOf(root.FindNode(s, getInnermostNodeForTie: true))).Where(m => m != null).Select(m => m!).Distinct().ToList();
            if (members.Count == 0) return document.Project.Solution;
            var marks = members.ToDictionary(m => m, _ => new SyntaxAnnotation());
            document = document.WithSyntaxRoot(root.ReplaceNodes(members, (old, updated) => updated.WithAdditionalAnnotations(marks[old])));

            foreach (var mark in marks.Values)
            {
                // An edit is kept only if the member is left with fewer diagnostics of the fixed IDs than before it: the count
                // strictly decreases, so the loop ends by construction; an edit that does not lower it is undone and ends the member.
                var previous = document;
                var remaining = int.MaxValue;
                while (true)
                {
                    if (await FixOneAsync(context, document, mark, ids, cancellation).ConfigureAwait(false) is not var (next, count))
                    {
                        // The member is lost (the edit dropped its mark) or no longer analysed, so its count after the last edit
                        // cannot be taken: that edit is kept only if the document's count drops.
                        if (document != previous
                            && (await FixDocument.DiagnosticsAsync(document, ids, cancellation).ConfigureAwait(false)).Count
                               >= (await FixDocument.DiagnosticsAsync(previous, ids, cancellation).ConfigureAwait(false)).Count)
                            document = previous;
                        break;
                    }
                    if (count >= remaining) { document = previous; break; }
                    if (next == null) break;
                    remaining = count;
                    previous = document;
                    document = next;
                }
            }
            return document.Project.Solution;
        }

        /// <summary>
        /// The count of the marked member's diagnostics of the fixed IDs, with the document after the first action that changes it for
        /// one of them (null when none does); null when the member is not found or not analysed.
        /// </summary>
        private static async Task<(Document? Next, int Count)?> FixOneAsync(FixAllContext context, Document document, SyntaxAnnotation mark, ISet<string> ids, CancellationToken cancellation)
        {
            var fix = await FixDocument.LoadAsync(document, cancellation).ConfigureAwait(false);
            var member = fix?.Root.GetAnnotatedNodes(mark).FirstOrDefault();
            if (fix == null || member == null || FlowProbe.Run(fix, member, cancellation) is not { } probe) return null;
            var before = fix.Root.ToFullString();
            var fixable = probe.Diagnostics.Where(d => ids.Contains(d.Id)).OrderBy(d => d.Location.SourceSpan.Start).ToList();
            foreach (var diagnostic in fixable)
            {
                var actions = new List<CodeAction>();
                await context.CodeFixProvider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (a, _) => actions.Add(a), cancellation)).ConfigureAwait(false);
                var action = actions.SelectMany(Flatten).FirstOrDefault(a => a.EquivalenceKey == context.CodeActionEquivalenceKey);
                if (action == null) continue;
                foreach (var operation in await action.GetOperationsAsync(cancellation).ConfigureAwait(false))
                {
                    if (operation is not ApplyChangesOperation apply || apply.ChangedSolution.GetDocument(document.Id) is not { } changed) continue;
                    var text = await changed.GetTextAsync(cancellation).ConfigureAwait(false);
                    if (text.ToString() != before) return (changed, fixable.Count);
                }
            }
            return (null, fixable.Count);
        }

#if ROSLYN_4_11_OR_GREATER
        private static IEnumerable<CodeAction> Flatten(CodeAction action) =>
            action.NestedActions.IsDefaultOrEmpty ? new[] { action } : action.NestedActions.SelectMany(Flatten);
#else
        // NestedActions is internal before Roslyn 4.10; our providers register no nested actions, so there is nothing to open.
        private static IEnumerable<CodeAction> Flatten(CodeAction action) => new[] { action };
#endif
    }
}
