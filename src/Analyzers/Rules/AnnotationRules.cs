using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using MmLock.Analyzers.Contexts;
using MmLock.Analyzers.Contracts;

namespace MmLock.Analyzers.Rules
{
    /// <summary>MM9001–MM9004: each MmLock attribute checked once, at the attribute, from its own document.</summary>
    internal static class AnnotationRules
    {
        public static void Check(ContractModel model, SyntaxNodeAnalysisContext context, System.Action<Diagnostic> report)
        {
            var attribute = (AttributeSyntax)context.Node;
            if (!model.MayNameMmLockAttribute(attribute)) return;
            var location = attribute.GetLocation();
            var owner = OwnerOf(attribute, context.SemanticModel, context.CancellationToken);

            void Error(AttributeInfo info, DiagnosticDescriptor rule, string subject, string why)
            {
                if (info.Location != null && info.Location.SourceSpan == location.SourceSpan && info.Location.SourceTree == location.SourceTree)
                    report(Diagnostic.Create(rule, location, subject, why));
            }

            if (owner == null)
            {
                if (attribute.Parent is AttributeListSyntax { Target.Identifier.ValueText: "assembly" })
                    CheckAssemblyAttribute(model, attribute, context.SemanticModel.Compilation, report);
                return;
            }

            // The owner's attributes are bound once by the compiler; binding the attribute node again (GetSymbolInfo) was
            // most of this rule's cost. An attribute whose constructor does not resolve is left to the compiler's error.
            if (!Resolved(owner, attribute)) return;
            var info = model.AttributesOf(owner).FirstOrDefault(a => a.Location?.SourceSpan == location.SourceSpan && a.Location.SourceTree == location.SourceTree);
            if (info == null) return;
            var name = info.Name;

            switch (name)
            {
                case "NoLockAnalysis":
                    if (string.IsNullOrWhiteSpace(info.StringArgument(0)))
                        report(Diagnostic.Create(Descriptors.MM9004, location, CallSite_Name(owner)));
                    return;
                case "GuardedBy":
                    CheckWhen(info, location, report);
                    foreach (var text in info.ContextArguments(0)) model.BindOne(text, info, owner, Mode.Exclusive, false, Error);
                    return;
                case "AcquiredBefore":
                case "AcquiredAfter":
                    CheckWhen(info, location, report);
                    foreach (var text in info.ContextArguments(0))
                        if (LockOrder.Resolve(model, text, owner, out var error) == null)
                            report(Diagnostic.Create(Descriptors.MM9001, location, text, error ?? "it does not resolve"));
                    return;
                case "Context":
                case "ScopedGuard":
                case "PageTableSpace":
                case "TableFreeing":
                    return;
            }

            var built = model.Built(owner);
            foreach (var error in built.Errors) Error(error.Attribute, error.Rule, error.Subject, error.Why);
            var contract = built.Own;
            CheckContradictions(model, owner, info, contract, location, report);
            if (model.AttributesOf(owner).FirstOrDefault(a => a.Location != null)?.Location?.SourceSpan == location.SourceSpan)
                CheckInherited(model, owner, contract, location, report);
        }

        private static bool Resolved(ISymbol owner, AttributeSyntax attribute)
        {
            foreach (var data in owner.GetAttributes())
                if (data.ApplicationSyntaxReference is { } reference && reference.Span == attribute.Span && reference.SyntaxTree == attribute.SyntaxTree)
                    return data.AttributeConstructor != null && AttributeInfo.IsMmLockAttribute(data.AttributeClass);
            return false;
        }

        /// <summary>An override or implementation stating a contract other than the one it inherits: MM9003, once, at its first attribute.</summary>
        private static void CheckInherited(ContractModel model, ISymbol owner, MemberContract contract, Location location, System.Action<Diagnostic> report)
        {
            if (contract.StatesNothingButExemption) return;
            foreach (var inherited in ContractModel.InheritedFrom(owner))
            {
                var theirs = model.ContractOf(inherited);
                if (theirs.IsEmpty || theirs.Signature() == contract.Signature()) continue;
                report(Diagnostic.Create(Descriptors.MM9003, location, CallSite_Name(owner),
                    $"its contract differs from the one of '{inherited.ContainingType.Name}.{CallSite_Name(inherited)}', which it {(inherited.ContainingType.TypeKind == TypeKind.Interface ? "implements" : "overrides")}"));
                return;
            }
        }

        private static void CheckWhen(AttributeInfo info, Location location, System.Action<Diagnostic> report)
        {
            if (info.When is { } when && Condition.Parse(when, out var error) == null)
                report(Diagnostic.Create(Descriptors.MM9002, location, when, error ?? "malformed"));
        }

        private static void CheckContradictions(ContractModel model, ISymbol owner, AttributeInfo info, MemberContract contract, Location location, System.Action<Diagnostic> report)
        {
            if (info.Name is "Releases" or "ReleasesShared")
            {
                var acquired = new System.Collections.Generic.HashSet<string>(contract.Acquires.Select(t => ContextBinder.DeclarationInstance(t, owner).Key));
                foreach (var released in contract.Releases)
                {
                    var instance = ContextBinder.DeclarationInstance(released, owner);
                    if (acquired.Contains(instance.Key) && info.ContextArguments(0).Any(t => ParsedExpression.Parse(t).Path == released.Text))
                        report(Diagnostic.Create(Descriptors.MM9003, location, CallSite_Name(owner), $"it both acquires and releases '{instance.Display}'"));
                }
            }
            if (owner is not IMethodSymbol method) return;
            foreach (var text in info.ContextArguments(info.Name.StartsWith("TryAcquires", System.StringComparison.Ordinal) ? 1 : 0))
            {
                var root = ParsedExpression.Parse(text).Path.Split('.')[0].TrimStart('@');
                var parameter = method.Parameters.FirstOrDefault(p => p.Name == root);
                if (parameter != null && parameter.RefKind == RefKind.None && parameter.Type.IsValueType && model.Binder.IsContextType(parameter.Type) &&
                    ParsedExpression.Parse(text).Path.IndexOf('.') < 0)
                    report(Diagnostic.Create(Descriptors.MM9003, location, CallSite_Name(owner),
                        $"'{parameter.Name}' is a [Context] struct passed by value, so the member gets a copy"));
            }
        }

        private static void CheckAssemblyAttribute(ContractModel model, AttributeSyntax attribute, Compilation compilation, System.Action<Diagnostic> report)
        {
            var data = compilation.Assembly.GetAttributes()
                .FirstOrDefault(a => a.ApplicationSyntaxReference?.Span == attribute.Span && a.ApplicationSyntaxReference.SyntaxTree == attribute.SyntaxTree);
            var info = data?.AttributeConstructor == null ? null : AttributeInfo.From(data!);
            if (info == null) return;
            var location = attribute.GetLocation();
            CheckWhen(info, location, report);
            foreach (var text in info.NamedStrings("Holds").Concat(info.NamedStrings("ExcludedBy")).Concat(info.NamedStrings("LeafLock")))
            {
                var parsed = ParsedExpression.Parse(text);
                if (parsed.ConditionText != null && Condition.Parse(parsed.ConditionText, out var conditionError) == null)
                    report(Diagnostic.Create(Descriptors.MM9002, location, parsed.ConditionText, conditionError ?? "malformed"));
                else if (parsed.Existential && model.Binder.Bind(parsed, null, Mode.Either, true, out var error) == null)
                    report(Diagnostic.Create(Descriptors.MM9001, location, parsed.Path, error ?? "it does not resolve"));
            }
            if (info.Name == "TableFreeing" && !model.Spaces.ContainsKey(info.StringArgument(0) ?? "") &&
                !model.AssemblyAttributes().Any(a => a.Name == "PageTableSpace" && a.StringArgument(0) == info.StringArgument(0)))
                report(Diagnostic.Create(Descriptors.MM9001, location, info.StringArgument(0) ?? "", "no [PageTableSpace] of that name is declared"));
        }

        /// <summary>
        /// Compilation end: a <c>mmlock.contracts.txt</c> entry that releases what the member's contract (source and
        /// file together) acquires is MM9003 at the file's line (contract.md §4: conflicts are MM9003). A release written
        /// in source is reported at its attribute by <see cref="Check"/>.
        /// </summary>
        public static void CheckContractsFile(ContractModel model, System.Action<Diagnostic> report)
        {
            if (model.ContractsFile == null) return;
            foreach (var pair in model.ContractsFile.Members)
            {
                var owner = pair.Key;
                var contract = model.ContractOf(owner);
                var acquired = new System.Collections.Generic.HashSet<string>(contract.Acquires.Select(t => ContextBinder.DeclarationInstance(t, owner).Key));
                foreach (var info in pair.Value)
                {
                    if (info.Name is not ("Releases" or "ReleasesShared") || info.Location == null) continue;
                    foreach (var text in info.ContextArguments(0))
                    {
                        if (model.BindOne(text, null, owner, Mode.Exclusive, false, null) is not { } template) continue;
                        var instance = ContextBinder.DeclarationInstance(template, owner);
                        if (acquired.Contains(instance.Key))
                            report(Diagnostic.Create(Descriptors.MM9003, info.Location, CallSite_Name(owner), $"it both acquires and releases '{instance.Display}'"));
                    }
                }
            }
        }

        private static string CallSite_Name(ISymbol owner) => Flow.CallSite.DisplayName(owner);

        private static ISymbol? OwnerOf(AttributeSyntax attribute, SemanticModel model, System.Threading.CancellationToken cancellation)
        {
            var declaration = attribute.Parent?.Parent;
            return declaration switch
            {
                FieldDeclarationSyntax field => field.Declaration.Variables.Select(v => model.GetDeclaredSymbol(v, cancellation)).FirstOrDefault(),
                EventFieldDeclarationSyntax => null,
                AnonymousFunctionExpressionSyntax lambda => model.GetSymbolInfo(lambda, cancellation).Symbol,
                MemberDeclarationSyntax or LocalFunctionStatementSyntax or AccessorDeclarationSyntax => model.GetDeclaredSymbol(declaration, cancellation),
                _ => null,
            };
        }
    }
}
