using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using MmLock.Analyzers.Contexts;
using MmLock.Analyzers.Contracts;
using MmLock.Analyzers.Flow;

namespace MmLock.CodeFixes
{
    /// <summary>
    /// MM1001, MM2001–MM2004, MM2006: makes the requirement the caller's by adding to the containing member the
    /// attribute that states it — <c>[Requires]</c>/<c>[RequiresShared]</c>/<c>[RequiresAny]</c> naming the context as the
    /// caller names it, or the callee's role attribute.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MoveRequirementToCallerCodeFix)), Shared]
    public sealed class MoveRequirementToCallerCodeFix : CodeFixProvider
    {
        public const string KeySuffix = ".MoveToCaller";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("MM1001", "MM2001", "MM2002", "MM2003", "MM2004", "MM2006");

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override Task RegisterCodeFixesAsync(CodeFixContext context) => FixDocument.Guarded(() => RegisterAsync(context));

        private async Task RegisterAsync(CodeFixContext context)
        {
            FixDocument? fix = null;
            foreach (var diagnostic in context.Diagnostics)
            {
                if (!FixableDiagnosticIds.Contains(diagnostic.Id) || !diagnostic.Location.IsInSource) continue;
                fix ??= await FixDocument.LoadAsync(context.Document, context.CancellationToken).ConfigureAwait(false);
                if (fix == null) return;
                if (fix.ReportedCallAt(diagnostic, context.CancellationToken) is not { } call) continue;
                var declaration = DeclarationOf(call.Invocation.Syntax);
                if (declaration == null || fix.Model.GetDeclaredSymbol(declaration, context.CancellationToken) is not IMethodSymbol caller) continue;
                var attribute = AttributeFor(fix, call.Clause, call.Invocation, call.Paths, call.Site, caller, declaration.SpanStart);
                if (attribute == null) continue;

                var title = $"Add [{attribute}] to '{CallSite.DisplayName(caller)}'";
                context.RegisterCodeFix(
                    CodeAction.Create(title, ct => AddAsync(context.Document, declaration, attribute, ct), diagnostic.Id + KeySuffix),
                    diagnostic);
            }
        }

        /// <summary>The member, accessor or local function whose body contains the call; null inside a lambda.</summary>
        private static SyntaxNode? DeclarationOf(SyntaxNode node)
        {
            foreach (var ancestor in node.Ancestors())
            {
                switch (ancestor)
                {
                    case AnonymousFunctionExpressionSyntax:
                        return null;
                    case BaseMethodDeclarationSyntax:
                    case AccessorDeclarationSyntax:
                    case LocalFunctionStatementSyntax:
                        return ancestor;
                    case MemberDeclarationSyntax:
                        return null;
                }
            }
            return null;
        }

        private static string? AttributeFor(FixDocument fix, Clause clause, IInvocationOperation invocation, Paths paths, CallSite site, IMethodSymbol caller, int position)
        {
            switch (clause.Kind)
            {
                case ClauseKind.Requires:
                    if (clause.Alternatives.Length != 1) return null;
                    var template = clause.Alternatives[0];
                    var text = CallerExpression(fix, paths.Instantiate(template, site), caller);
                    if (text == null) return null;
                    var name = template.Mode == Mode.Shared ? "RequiresShared" : "Requires";
                    return fix.AttributeName(name, position) + "(" + Literal(text) + ")";
                case ClauseKind.RequiresAny:
                case ClauseKind.LiveRoot:
                    var alternatives = new List<string>();
                    foreach (var alternative in clause.Alternatives)
                    {
                        var expression = CallerExpression(fix, paths.Instantiate(alternative, site), caller);
                        if (expression == null) continue;
                        var prefix = alternative.Mode == Mode.Shared ? "shared " : alternative.Mode == Mode.Exclusive ? "exclusive " : "";
                        alternatives.Add(Literal(prefix + expression));
                    }
                    if (alternatives.Count == 0) return null;
                    var anyName = clause.Kind == ClauseKind.LiveRoot ? "ReplacesLiveRoot" : "RequiresAny";
                    return fix.AttributeName(anyName, position) + "(" + string.Join(", ", alternatives.Distinct()) + ")";
                default:
                    return RoleAttribute(fix, clause, invocation.TargetMethod, position);
            }
        }

        /// <summary>The callee's role attribute for the clause's space (and freeing), written again for the caller.</summary>
        private static string? RoleAttribute(FixDocument fix, Clause clause, IMethodSymbol callee, int position)
        {
            var role = clause.Kind switch
            {
                ClauseKind.Walker or ClauseKind.Lookup => "PageTableWalker",
                ClauseKind.Freer => "TableFreer",
                ClauseKind.LeafModifier => "LeafModifier",
                _ => null,
            };
            if (role == null || clause.Space == null) return null;
            var info = fix.Contracts.ContractAttributesOf(ContractModel.Normalize(callee)).FirstOrDefault(a =>
                a.Name == role && a.StringArgument(0) == clause.Space && (clause.Kind != ClauseKind.Freer || a.StringArgument(1) == clause.Freeing));
            if (info == null) return null;
            var arguments = new List<string>();
            foreach (var argument in info.Arguments)
            {
                if (argument is string[] array) arguments.AddRange(array.Select(Literal));
                else if (Value(argument) is { } value) arguments.Add(value);
                else return null;
            }
            if (info.When is { } when) arguments.Add("When = " + Literal(when));
            return fix.AttributeName(role, position) + "(" + string.Join(", ", arguments) + ")";
        }

        private static string? Value(object? value) => value switch
        {
            string s => Literal(s),
            bool b => b ? "true" : "false",
            int i => i.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => null,
        };

        private static string Literal(string text) => SyntaxFactory.Literal(text).ToString();

        /// <summary>The context as the caller's own contract would name it (a parameter path, a member of this, a static path, "any T").</summary>
        private static string? CallerExpression(FixDocument fix, ContextInstance? instance, IMethodSymbol caller)
        {
            if (instance == null) return null;
            var key = instance.Key;
            string text;
            if (instance.Existential)
            {
                if (instance.Type == null) return null;
                text = "any " + instance.Type.ToDisplayString();
            }
            else if (key.StartsWith("param:", System.StringComparison.Ordinal)) text = key.Substring(6);
            else if (key.StartsWith("static:", System.StringComparison.Ordinal)) text = key.Substring(7);
            else if (key == "this") text = "this";
            else if (key.StartsWith("this.", System.StringComparison.Ordinal))
            {
                text = key.Substring(5);
                var first = text.Split('.')[0];
                if (caller.Parameters.Any(p => p.Name == first)) text = "this." + text;
            }
            else return null;

            var template = fix.Contracts.BindOne(text, null, caller, Mode.Exclusive, allowExistential: true, null);
            if (template == null) return null;
            return ContextBinder.DeclarationInstance(template, caller).Key == key ? text : null;
        }

        private static async Task<Document> AddAsync(Document document, SyntaxNode declaration, string attribute, CancellationToken cancellation)
        {
            var root = await document.GetSyntaxRootAsync(cancellation).ConfigureAwait(false);
            var current = root?.FindNode(declaration.Span, getInnermostNodeForTie: true).AncestorsAndSelf().FirstOrDefault(n => n.Span == declaration.Span && n.RawKind == declaration.RawKind);
            if (root == null || current == null) return document;
            var list = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(ParseAttribute(attribute)));
            var updated = WithAttribute(current, list);
            return updated == null ? document : document.WithSyntaxRoot(root.ReplaceNode(current, updated));
        }

        private static AttributeSyntax ParseAttribute(string text)
        {
            int open = text.IndexOf('(');
            return open < 0
                ? SyntaxFactory.Attribute(SyntaxFactory.ParseName(text))
                : SyntaxFactory.Attribute(SyntaxFactory.ParseName(text.Substring(0, open)), SyntaxFactory.ParseAttributeArgumentList(text.Substring(open)));
        }

        /// <summary>Adds the list on a line of its own before the declaration (or after its existing attribute lists).</summary>
        internal static SyntaxNode? WithAttribute(SyntaxNode declaration, AttributeListSyntax list)
        {
            var lists = declaration switch
            {
                MemberDeclarationSyntax member => member.AttributeLists,
                AccessorDeclarationSyntax accessor => accessor.AttributeLists,
                LocalFunctionStatementSyntax function => function.AttributeLists,
                _ => default(SyntaxList<AttributeListSyntax>?),
            };
            if (lists == null) return null;
            SyntaxList<AttributeListSyntax> updated;
            SyntaxNode target = declaration;
            if (lists.Value.Count == 0)
            {
                var leading = declaration.GetLeadingTrivia();
                var indentation = leading.Reverse().TakeWhile(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).Reverse();
                bool ownLine = leading.Any(t => t.IsKind(SyntaxKind.EndOfLineTrivia)) || declaration.GetFirstToken().GetPreviousToken().TrailingTrivia.Any(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
                list = list.WithLeadingTrivia(leading)
                    .WithTrailingTrivia(ownLine ? SyntaxFactory.TriviaList(SyntaxFactory.EndOfLine("\n")).AddRange(indentation) : SyntaxFactory.TriviaList(SyntaxFactory.Space));
                target = declaration.WithoutLeadingTrivia();
                updated = SyntaxFactory.SingletonList(list);
            }
            else
            {
                var last = lists.Value[lists.Value.Count - 1];
                updated = lists.Value.Replace(last, last.WithTrailingTrivia(SyntaxFactory.Space)).Add(list.WithTrailingTrivia(last.GetTrailingTrivia()));
            }
            return target switch
            {
                MemberDeclarationSyntax member => member.WithAttributeLists(updated),
                AccessorDeclarationSyntax accessor => accessor.WithAttributeLists(updated),
                LocalFunctionStatementSyntax function => function.WithAttributeLists(updated),
                _ => null,
            };
        }
    }
}
