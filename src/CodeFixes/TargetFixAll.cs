using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace MmLock.CodeFixes
{
    /// <summary>
    /// Fix All for fixes that edit a declaration other than the flagged one, possibly in another document (MM1011 writes on a
    /// delegate type, MM1012 on the helper). The diagnostics are grouped by the member the fix edits; each member is edited
    /// once, by the first of its diagnostics whose action changes the solution; then the documents that edit changed are
    /// analyzed again, so later fixes see the current code. Diagnostics of a member already edited are left (two members
    /// with different requirements converted to one delegate: a second edit would undo the first).
    /// </summary>
    internal sealed class TargetFixAll : FixAllProvider
    {
        private readonly Func<Diagnostic, Document, CancellationToken, Task<string?>> _target;

        /// <param name="target">The key of the member the fix of a diagnostic edits, or null when it has none.</param>
        public TargetFixAll(Func<Diagnostic, Document, CancellationToken, Task<string?>> target) { _target = target; }

        public override IEnumerable<FixAllScope> GetSupportedFixAllScopes() =>
            new[] { FixAllScope.Document, FixAllScope.Project, FixAllScope.Solution };

        public override Task<CodeAction?> GetFixAsync(FixAllContext context)
        {
            var title = context.CodeActionEquivalenceKey == null ? "Fix all" : "Fix all: " + context.CodeActionEquivalenceKey;
            return Task.FromResult<CodeAction?>(CodeAction.Create(title, ct => FixAllAsync(context, ct), context.CodeActionEquivalenceKey));
        }

        private async Task<Solution> FixAllAsync(FixAllContext context, CancellationToken cancellation)
        {
            var scope = context.Scope switch
            {
                FixAllScope.Document => context.Document == null ? new List<Document>() : new List<Document> { context.Document },
                FixAllScope.Project => context.Project.Documents.ToList(),
                _ => context.Solution.Projects.SelectMany(p => p.Documents).ToList(),
            };
            var ids = new HashSet<string>(context.DiagnosticIds);
            // The first diagnostics are the host's (what the user sees); after an edit, the changed documents' are ours.
            var diagnostics = new Dictionary<DocumentId, List<Diagnostic>>();
            foreach (var document in scope)
                diagnostics[document.Id] = (await context.GetDocumentDiagnosticsAsync(document).ConfigureAwait(false))
                    .Where(d => ids.Contains(d.Id) && d.Location.IsInSource).OrderBy(d => d.Location.SourceSpan.Start).ToList();

            var solution = context.Solution;
            var edited = new HashSet<string>(StringComparer.Ordinal);
            // Each step edits a member not edited before, and an edit writes attributes, never a member: at most one step per member.
            while (await FixOneAsync(context, solution, scope.Select(d => d.Id), diagnostics, edited, cancellation).ConfigureAwait(false) is { } next)
            {
                var changed = next.GetChanges(solution).GetProjectChanges().SelectMany(p => p.GetChangedDocuments()).ToList();
                solution = next;
                foreach (var id in changed.Where(diagnostics.ContainsKey))
                    diagnostics[id] = await FixDocument.DiagnosticsAsync(solution.GetDocument(id)!, ids, cancellation).ConfigureAwait(false);
            }
            return solution;
        }

        /// <summary>The solution after the first edit of a member not edited yet, or null when none is left.</summary>
        private async Task<Solution?> FixOneAsync(FixAllContext context, Solution solution, IEnumerable<DocumentId> scope,
            Dictionary<DocumentId, List<Diagnostic>> diagnostics, HashSet<string> edited, CancellationToken cancellation)
        {
            foreach (var id in scope)
            {
                var document = solution.GetDocument(id);
                if (document == null) continue;
                // A diagnostic whose fix changes nothing is dropped, so it is not asked again until its document changes.
                foreach (var diagnostic in diagnostics[id].ToList())
                {
                    var target = await _target(diagnostic, document, cancellation).ConfigureAwait(false);
                    if (target == null || edited.Contains(target)) continue;
                    var actions = new List<CodeAction>();
                    await context.CodeFixProvider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (a, _) => actions.Add(a), cancellation))
                        .ConfigureAwait(false);
                    var action = actions.FirstOrDefault(a => a.EquivalenceKey == context.CodeActionEquivalenceKey);
                    if (action != null)
                        foreach (var operation in await action.GetOperationsAsync(cancellation).ConfigureAwait(false))
                            if (operation is ApplyChangesOperation apply && apply.ChangedSolution.GetChanges(solution).GetProjectChanges().Any(p => p.GetChangedDocuments().Any()))
                            {
                                edited.Add(target);
                                return apply.ChangedSolution;
                            }
                    diagnostics[id].Remove(diagnostic);
                }
            }
            return null;
        }
    }
}
