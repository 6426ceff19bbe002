using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using MmLock.Analyzers.Contexts;
using MmLock.Analyzers.Contracts;
using MmLock.Analyzers.Flow;

namespace MmLock.CodeFixes
{
    /// <summary>
    /// MM1012: writes a helper's inferred contract as attributes — <c>[Requires]</c>/<c>[RequiresShared]</c>/<c>[RequiresAny]</c> for
    /// its requirements, the role attribute where it needs every active freeing of a space excluded, <c>[Excludes]</c> for what callers must not hold, <c>[MightSleep]</c> — so the
    /// contract is declared and reviewed. Offered only when the declared contract then states what inference found.
    /// </summary>
    [ExportCodeFixProvider(Microsoft.CodeAnalysis.LanguageNames.CSharp, Name = nameof(InferredContractCodeFix)), Shared]
    public sealed class InferredContractCodeFix : CodeFixProvider
    {
        public const string EquivalenceKey = "MM1012.AddInferredContract";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("MM1012");

        /// <summary>Fix All edits each helper once and analyzes its document again after the edit.</summary>
        public override FixAllProvider GetFixAllProvider() => FixAll;

        private static readonly TargetFixAll FixAll = new TargetFixAll(async (diagnostic, document, cancellation) =>
        {
            var root = await document.GetSyntaxRootAsync(cancellation).ConfigureAwait(false);
            var model = await document.GetSemanticModelAsync(cancellation).ConfigureAwait(false);
            if (root == null || model == null || !root.FullSpan.Contains(diagnostic.Location.SourceSpan)) return null;
            var declaration = root.FindNode(diagnostic.Location.SourceSpan).AncestorsAndSelf().FirstOrDefault(IsHelper);
            return declaration == null ? null : Key(model.GetDeclaredSymbol(declaration, cancellation));
        });

        // A local function has no documentation ID: it is named by its member's and its own name.
        private static string? Key(ISymbol? helper) =>
            helper is IMethodSymbol { MethodKind: MethodKind.LocalFunction } local ? Key(local.ContainingSymbol) is { } outer ? outer + "/" + local.Name : null
            : helper?.GetDocumentationCommentId();

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var diagnostic = context.Diagnostics.FirstOrDefault(d => d.Id == "MM1012");
            if (diagnostic == null || !diagnostic.Location.IsInSource) return;
            var fix = await FixDocument.LoadAsync(context.Document, context.CancellationToken).ConfigureAwait(false);
            if (fix == null) return;
            var declaration = fix.Root.FindNode(diagnostic.Location.SourceSpan).AncestorsAndSelf().FirstOrDefault(IsHelper);
            if (declaration == null || fix.Model.GetDeclaredSymbol(declaration, context.CancellationToken) is not IMethodSymbol method) return;
            var contract = fix.ContractOf(method);
            if (!contract.Inferred) return;
            var attributes = AttributesFor(fix, method, contract, declaration.SpanStart);
            if (attributes == null || attributes.Count == 0) return;

            // The annotation finds the helper again in the edited document (a local function has no documentation ID to look up).
            var helper = new SyntaxAnnotation();
            SyntaxNode edited = declaration.WithAdditionalAnnotations(helper);
            foreach (var attribute in attributes)
                edited = MoveRequirementToCaller.Edit(edited, edited, attribute) ?? edited;
            var document = context.Document.WithSyntaxRoot(fix.Root.ReplaceNode(declaration, edited));
            if (!await DeclaresTheSameAsync(document, helper, contract, context.CancellationToken).ConfigureAwait(false)) return;
            var title = "Add the inferred contract " + string.Join(", ", attributes.Select(a => "[" + a + "]"));
            context.RegisterCodeFix(CodeAction.Create(title, _ => Task.FromResult(document), EquivalenceKey), diagnostic);
        }

        private static bool IsHelper(SyntaxNode node) => node is MethodDeclarationSyntax or LocalFunctionStatementSyntax;

        /// <summary>The attribute texts that state the contract, or null when one of its clauses cannot be written down.</summary>
        private static List<string>? AttributesFor(FixDocument fix, IMethodSymbol method, MemberContract contract, int position)
        {
            var attributes = new List<string>();
            // A role is written once per space, where the helper needs every active freeing of that space excluded.
            var roles = new HashSet<(ClauseKind, string?, string?)>();
            foreach (var clause in contract.Clauses)
            {
                string? role = clause.Kind switch
                {
                    ClauseKind.Walker or ClauseKind.Lookup when fix.Contracts.Spaces.TryGetValue(clause.Space ?? "", out var space)
                        && space.Freeings.Where(f => f.Active).All(f => contract.Clauses.Any(c => c.Kind == clause.Kind && c.Space == clause.Space && c.Freeing == f.Name))
                        => "PageTableWalker(" + MoveRequirementToCaller.Literal(clause.Space!) + ")",
                    ClauseKind.Freer => "TableFreer(" + MoveRequirementToCaller.Literal(clause.Space!) + ", " + MoveRequirementToCaller.Literal(clause.Freeing!) + ")",
                    ClauseKind.LeafModifier => "LeafModifier(" + MoveRequirementToCaller.Literal(clause.Space!) + ")",
                    _ => null,
                };
                if (role != null)
                {
                    // A freer's clauses (one per Holds) and a walker's (one per freeing) are one attribute.
                    var key = (clause.Kind == ClauseKind.Lookup ? ClauseKind.Walker : clause.Kind, clause.Space, clause.Kind == ClauseKind.Freer ? clause.Freeing : null);
                    if (roles.Add(key)) attributes.Add(fix.AttributeName(role.Substring(0, role.IndexOf('(')), position) + role.Substring(role.IndexOf('(')));
                    continue;
                }
                var texts = new List<string>();
                foreach (var template in clause.Alternatives)
                {
                    var text = MoveRequirementToCaller.CallerExpression(fix, BodyAnalysis.EntryInstance(template, method), method);
                    if (text == null) return null;
                    texts.Add(template.Mode == Mode.Shared && clause.Alternatives.Length > 1 ? "shared " + text : template.Mode == Mode.Exclusive && clause.Alternatives.Length > 1 ? "exclusive " + text : text);
                }
                string name = clause.Kind == ClauseKind.LiveRoot ? "ReplacesLiveRoot"
                    : texts.Count > 1 ? "RequiresAny"
                    : clause.Alternatives[0].Mode == Mode.Shared ? "RequiresShared" : "Requires";
                attributes.Add(fix.AttributeName(name, position) + "(" + string.Join(", ", texts.Select(MoveRequirementToCaller.Literal)) + ")");
            }
            // What callers must not hold, because the helper calls an [Excludes] member or takes the context itself, is an [Excludes].
            foreach (var exclusion in contract.Exclusions)
            {
                var text = MoveRequirementToCaller.CallerExpression(fix, BodyAnalysis.EntryInstance(exclusion.Template, method), method);
                if (text == null) return null;
                attributes.Add(fix.AttributeName("Excludes", position) + "(" + MoveRequirementToCaller.Literal(text) + ")");
            }
            if (contract.MightSleep) attributes.Add(fix.AttributeName("MightSleep", position));
            return attributes.Distinct().ToList();
        }

        /// <summary>Whether the edited member declares what was inferred (same requirements, roles and sleeping), so callers see no change.</summary>
        private static async Task<bool> DeclaresTheSameAsync(Document document, SyntaxAnnotation helper, MemberContract inferred, CancellationToken cancellation)
        {
            var edited = await FixDocument.LoadAsync(document, cancellation).ConfigureAwait(false);
            if (edited == null || edited.Root.GetAnnotatedNodes(helper).FirstOrDefault() is not { } declaration
                || edited.Model.GetDeclaredSymbol(declaration, cancellation) is not IMethodSymbol after) return false;
            var declared = edited.Contracts.DeclaredContractOf(after);
            return !declared.Inferred && declared.Signature() == inferred.Signature();
        }
    }
}
