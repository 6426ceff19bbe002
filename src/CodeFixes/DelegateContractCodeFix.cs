using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using MmLock.Analyzers.Rules;

namespace MmLock.CodeFixes
{
    /// <summary>
    /// MM1011: the converted member's requirement and role attributes are written on the delegate type (its Invoke's
    /// contract), with the member's parameter names replaced by the delegate's at the same positions. Only when the delegate
    /// type and the member are in source, and only when the delegate then states exactly the member's requirements.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(DelegateContractCodeFix)), Shared]
    public sealed class DelegateContractCodeFix : CodeFixProvider
    {
        public const string EquivalenceKey = "MM1011.StateOnDelegate";

        private static readonly HashSet<string> RequirementAttributes = new HashSet<string>
        {
            "Requires", "RequiresShared", "RequiresAny", "Excludes", "PageTableWalker", "TableFreer", "LeafModifier", "ReplacesLiveRoot",
        };

        private static readonly Regex Root = new Regex(@"(?<=^|\s)([A-Za-z_][A-Za-z0-9_]*)(?=\.|$)", RegexOptions.CultureInvariant);

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("MM1011");

        /// <summary>Fix All edits each delegate type once (its conversions may be in several documents, it in another).</summary>
        public override FixAllProvider GetFixAllProvider() => FixAll;

        private static readonly TargetFixAll FixAll = new TargetFixAll((diagnostic, _, _) =>
            Task.FromResult(diagnostic.Properties.TryGetValue(DiagnosticProperties.Delegate, out var id) ? id : null));

        public override Task RegisterCodeFixesAsync(CodeFixContext context) => RegisterAsync(context);

        private static async Task RegisterAsync(CodeFixContext context)
        {
            var diagnostic = context.Diagnostics.FirstOrDefault(d => d.Id == "MM1011");
            if (diagnostic == null || !diagnostic.Location.IsInSource) return;
            var properties = diagnostic.Properties;
            if (!properties.TryGetValue(DiagnosticProperties.DelegateInSource, out var inSource) || inSource != "true"
                || !properties.TryGetValue(DiagnosticProperties.Delegate, out var delegateId) || delegateId == null
                || !properties.TryGetValue(DiagnosticProperties.Member, out var memberId) || memberId == null) return;
            var fix = await FixDocument.LoadAsync(context.Document, context.CancellationToken).ConfigureAwait(false);
            if (fix == null) return;
            var compilation = fix.Model.Compilation;
            if (DocumentationCommentId.GetFirstSymbolForDeclarationId(delegateId, compilation) is not INamedTypeSymbol { DelegateInvokeMethod: { } invoke } type) return;
            if (MemberOf(fix, memberId, context.CancellationToken) is not var (member, lists) || member.Parameters.Length != invoke.Parameters.Length) return;
            if (type.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(context.CancellationToken) is not DelegateDeclarationSyntax declaration) return;
            var document = context.Document.Project.Solution.GetDocument(declaration.SyntaxTree);
            // The delegate may be declared in a referenced project: its attributes are bound, and the edit checked, in that project.
            var delegateFix = document == null ? null : await FixDocument.LoadAsync(document, context.CancellationToken).ConfigureAwait(false);
            if (document == null || delegateFix == null) return;

            var names = member.Parameters.Select((p, i) => (p.Name, invoke.Parameters[i].Name)).ToDictionary(p => p.Item1, p => p.Item2);
            // The converted method may be declared in another document than the diagnostic's, or in a referenced project, whose
            // syntax trees this compilation does not hold: its attributes are bound by its own document's model.
            var memberModel = fix.Model;
            if (lists.Count > 0 && lists[0].SyntaxTree != fix.Model.SyntaxTree)
            {
                if (context.Document.Project.Solution.GetDocument(lists[0].SyntaxTree) is not { } memberDocument
                    || await memberDocument.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false) is not { } model) return;
                memberModel = model;
            }
            var stated = lists.SelectMany(l => l.Attributes)
                .Select(a => (Syntax: a, Type: memberModel.GetSymbolInfo(a, context.CancellationToken).Symbol?.ContainingType))
                .Where(a => a.Type is { } t && Analyzers.Contracts.AttributeInfo.IsMmLockAttribute(t)
                            && RequirementAttributes.Contains(t.Name.Substring(0, t.Name.Length - "Attribute".Length)))
                .ToList();
            if (stated.Count == 0) return;
            var attributes = stated.Select(a => Renamed(a.Syntax, names)).ToList();

            var updated = WithAttributes(declaration, attributes, delegateFix.Model, context.CancellationToken);
            var root = delegateFix.Root.ReplaceNode(declaration, updated);
            if (root is CompilationUnitSyntax unit && stated.Any(a => !InScope(delegateFix.Model, declaration.SpanStart, a.Type!)))
                root = WithUsing(unit, stated[0].Type!.ContainingNamespace.ToDisplayString());
            var edited = document.WithSyntaxRoot(root);
            if (!await StatesTheSameAsync(edited, delegateId, member, fix, delegateFix, context.CancellationToken).ConfigureAwait(false)) return;
            if (!await FitsEveryConversionAsync(edited.Project.Solution, document.Project.Id, delegateId, context.CancellationToken).ConfigureAwait(false)) return;

            var text = string.Join(", ", attributes.Select(a => "[" + a + "]"));
            context.RegisterCodeFix(CodeAction.Create($"Add {text} to delegate '{type.Name}'", _ => Task.FromResult(edited.Project.Solution), EquivalenceKey), diagnostic);
        }

        /// <summary>The converted method (by documentation ID) or lambda (by span) and its attribute lists, when in source.</summary>
        private static (IMethodSymbol, SyntaxList<AttributeListSyntax>)? MemberOf(FixDocument fix, string id, CancellationToken cancellation)
        {
            var parts = id.Split(':');
            if (parts.Length == 2 && int.TryParse(parts[0], out int start) && int.TryParse(parts[1], out int length))
            {
                var node = fix.Root.FindNode(new Microsoft.CodeAnalysis.Text.TextSpan(start, length), getInnermostNodeForTie: true);
                var lambda = node.AncestorsAndSelf().OfType<LambdaExpressionSyntax>().FirstOrDefault();
                return lambda != null && fix.Model.GetSymbolInfo(lambda, cancellation).Symbol is IMethodSymbol symbol ? (symbol, lambda.AttributeLists) : null;
            }
            if (DocumentationCommentId.GetFirstSymbolForDeclarationId(id, fix.Model.Compilation) is not IMethodSymbol method) return null;
            return method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellation) is MethodDeclarationSyntax declaration
                ? (method, declaration.AttributeLists)
                : null;
        }

        /// <summary>The attribute with the member's parameter names, at the root of each context string, replaced by the delegate's.</summary>
        private static AttributeSyntax Renamed(AttributeSyntax attribute, Dictionary<string, string> names) =>
            attribute.ReplaceTokens(attribute.DescendantTokens().Where(t => t.IsKind(SyntaxKind.StringLiteralToken)), (token, _) =>
            {
                var value = Root.Replace(token.ValueText, m => names.TryGetValue(m.Value, out var renamed) ? renamed : m.Value);
                return value == token.ValueText ? token : SyntaxFactory.Literal(value).WithTriviaFrom(token);
            }).WithoutTrivia();

        /// <summary>Whether <paramref name="type"/> is named by its simple name at <paramref name="position"/>.
        /// The type may come from another project's compilation, so it is compared by its full name.</summary>
        private static bool InScope(SemanticModel model, int position, INamedTypeSymbol type) =>
            model.LookupNamespacesAndTypes(position, name: type.Name).Any(s => s.ToDisplayString() == type.ToDisplayString());

        /// <summary>The compilation unit with <c>using <paramref name="name"/>;</c> after its last using directive.</summary>
        private static CompilationUnitSyntax WithUsing(CompilationUnitSyntax unit, string name)
        {
            var directive = SyntaxFactory.UsingDirective(SyntaxFactory.ParseName(name).WithLeadingTrivia(SyntaxFactory.Space))
                .WithTrailingTrivia(SyntaxFactory.EndOfLine("\n"));
            return unit.Usings.Count > 0
                ? unit.WithUsings(unit.Usings.Add(directive))
                : unit.WithUsings(SyntaxFactory.SingletonList(directive.WithTrailingTrivia(SyntaxFactory.EndOfLine("\n"), SyntaxFactory.EndOfLine("\n"))));
        }

        /// <summary>The delegate declaration without its own requirement attributes, with <paramref name="attributes"/> on a line before it.</summary>
        private static DelegateDeclarationSyntax WithAttributes(DelegateDeclarationSyntax declaration, List<AttributeSyntax> attributes, SemanticModel model, CancellationToken cancellation)
        {
            var kept = declaration.AttributeLists.Select(l => l.WithAttributes(SyntaxFactory.SeparatedList(l.Attributes.Where(a =>
                    !(model.GetSymbolInfo(a, cancellation).Symbol?.ContainingType is { } t
                      && RequirementAttributes.Contains(t.Name.Substring(0, t.Name.Length - "Attribute".Length)))))))
                .Where(l => l.Attributes.Count > 0).ToList();
            var leading = declaration.GetLeadingTrivia();
            var indentation = leading.Reverse().TakeWhile(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).Reverse();
            var added = SyntaxFactory.AttributeList(SyntaxFactory.SeparatedList(attributes))
                .WithTrailingTrivia(SyntaxFactory.TriviaList(SyntaxFactory.EndOfLine("\n")).AddRange(indentation));
            var all = new List<AttributeListSyntax> { added };
            all.AddRange(kept);
            return declaration.WithoutLeadingTrivia().WithAttributeLists(SyntaxFactory.List(all)).WithLeadingTrivia(leading);
        }

        /// <summary>
        /// Whether, with the edit, every conversion to the delegate — in its project and in the projects that depend on it — converts a
        /// member that requires nothing or what the Invoke now states: otherwise the fix would move the MM1011 to another conversion.
        /// </summary>
        private static async Task<bool> FitsEveryConversionAsync(Solution solution, ProjectId delegateProject, string delegateId, CancellationToken cancellation)
        {
            var projects = new[] { delegateProject }.Concat(solution.GetProjectDependencyGraph().GetProjectsThatTransitivelyDependOnThisProject(delegateProject));
            foreach (var projectId in projects)
            {
                var project = solution.GetProject(projectId);
                if (project == null || project.Language != LanguageNames.CSharp) continue;
                var first = project.Documents.FirstOrDefault();
                var fix = first == null ? null : await FixDocument.LoadAsync(first, cancellation).ConfigureAwait(false);
                if (fix == null) continue;
                var compilation = fix.Model.Compilation;
                if (DocumentationCommentId.GetFirstSymbolForDeclarationId(delegateId, compilation) is not INamedTypeSymbol { DelegateInvokeMethod: { } invoke }) return false;
                var stated = fix.ContractOf(invoke).Signature(requirementsOnly: true);
                foreach (var tree in compilation.SyntaxTrees)
                {
                    var model = compilation.GetSemanticModel(tree);
                    var root = await tree.GetRootAsync(cancellation).ConfigureAwait(false);
                    foreach (var node in root.DescendantNodes().Where(n => n is SimpleNameSyntax or MemberAccessExpressionSyntax or AnonymousFunctionExpressionSyntax or ObjectCreationExpressionSyntax))
                    {
                        cancellation.ThrowIfCancellationRequested();
                        var operation = model.GetOperation(node, cancellation);
                        if ((operation as IDelegateCreationOperation ?? operation?.Parent as IDelegateCreationOperation) is not { } conversion
                            || conversion.Type?.OriginalDefinition.GetDocumentationCommentId() != delegateId
                            || DelegateRules.ConvertedMember(fix.Contracts, conversion) is not { } converted) continue;
                        var required = fix.ContractOf(converted).Signature(requirementsOnly: true);
                        if (required.Length > 0 && required != stated) return false;
                    }
                }
            }
            return true;
        }

        /// <summary>
        /// Whether the edited delegate's Invoke states exactly the member's requirements and roles (the member's contract as the
        /// diagnostic's project, <paramref name="conversion"/>, sees it), with no more compiler errors in the delegate's project
        /// than <paramref name="before"/> had.
        /// </summary>
        private static async Task<bool> StatesTheSameAsync(Document edited, string delegateId, IMethodSymbol member, FixDocument conversion, FixDocument before,
            CancellationToken cancellation)
        {
            var after = await FixDocument.LoadAsync(edited, cancellation).ConfigureAwait(false);
            if (after == null) return false;
            if (DocumentationCommentId.GetFirstSymbolForDeclarationId(delegateId, after.Model.Compilation) is not INamedTypeSymbol { DelegateInvokeMethod: { } invoke }) return false;
            if (after.Model.Compilation.GetDiagnostics(cancellation).Count(d => d.Severity == DiagnosticSeverity.Error)
                > before.Model.Compilation.GetDiagnostics(cancellation).Count(d => d.Severity == DiagnosticSeverity.Error)) return false;
            return after.ContractOf(invoke).Signature(requirementsOnly: true) == conversion.ContractOf(member).Signature(requirementsOnly: true);
        }
    }
}
